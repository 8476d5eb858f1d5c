"""Settings in one place, from environment variables (prefix LOAN_JOURNEY_).

Defaults point at the embedded dev server and a SQLite file in the data directory, so
the same code points at a real cluster by setting the address and the database URL.
Defining the class reads nothing; only `Settings()` at the edges reads the environment.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

WorkerRole = Literal["all", "journeys", "documents"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LOAN_JOURNEY_", extra="ignore")

    temporal_address: str = "127.0.0.1:7233"
    temporal_namespace: str = "default"
    temporal_api_key: str | None = None
    temporal_tls: bool = False
    task_queue: str = Field(default="loan-journey", min_length=1)
    ui_port: int = Field(default=8233, ge=1, le=65535)
    data_dir: Path = Path(".data")
    database_url: str | None = None
    # The password apart from the URL, as typed (`@ / : % #` and all): db_url escapes it.
    database_password: str | None = None
    document_store: Path | None = None
    policy_file: Path | None = None
    # The SDK's metrics on this port, the journey's on the next one (activities/metrics.py).
    metrics_port: int | None = Field(default=None, ge=1, le=65534)
    # Journeys a worker keeps in memory between tasks. 0 replays each task from its history:
    # more CPU, and immune to an SDK defect where a query task runs a journey ahead of its
    # history (tests/chaos/test_worker_kills.py).
    workflow_cache: int = Field(default=1000, ge=0)
    # Activities a worker runs at once, each in a thread: database writes, notices, bookings.
    activity_slots: int = Field(default=8, ge=1)
    # Documents it reads at once, on their own task queue (journey/contracts.py
    # `documents_queue`); OCR is CPU-bound and each read runs OCR_THREADS threads.
    ocr_slots: int = Field(default=2, ge=1)
    # Reads between a decision and its next stage it runs at once, on their own task queue
    # (journey/contracts.py `decisions_queue`): each a quick database read.
    decision_slots: int = Field(default=2, ge=1)
    # Which queues a worker process polls: "all" (one kind of process does everything),
    # "journeys" (workflows and every activity but document reads) or "documents" (reads
    # only), so that readers scale on their own (`--scale reader=N` in docker-compose.yml).
    worker_role: WorkerRole = "all"
    codec_keys: str | None = None  # "kid1:base64key,kid2:base64key"; the first encrypts
    # seals each archived history (HMAC-SHA256), so that whoever can write the database and
    # the document store but holds not this key cannot change one unseen; keep it apart
    archive_key: SecretStr | None = Field(default=None, min_length=16)

    @field_validator("temporal_address")
    @classmethod
    def _host_and_port(cls, v: str) -> str:
        """host:port, the host a name, IPv4 or [IPv6], the port 1 to 65535."""
        match = re.fullmatch(r"(\[[0-9A-Fa-f:.]+\]|[^\s:\[\]]+):(\d{1,5})", v)
        if match is None or not 1 <= int(match[2]) <= 65535:
            raise ValueError("give host:port, the port from 1 to 65535 (e.g. 127.0.0.1:7233)")
        return v

    @field_validator("temporal_api_key", "codec_keys", "policy_file", "archive_key",
                     mode="before")
    @classmethod
    def _unset_when_empty(cls, v: object) -> object:
        # docker-compose.yml passes an unset variable as "": no key, not Path(".")
        return None if v == "" else v

    @property
    def archive_seal_key(self) -> bytes | None:
        return self.archive_key.get_secret_value().encode() if self.archive_key else None

    @property
    def db_url(self) -> str:
        url = self.database_url or f"sqlite:///{(self.data_dir / 'journey.db').resolve()}"
        if self.database_password is None:
            return url
        with_password = make_url(url).set(password=self.database_password)
        return with_password.render_as_string(hide_password=False)

    @property
    def documents_dir(self) -> Path:
        return self.document_store or (self.data_dir / "documents")

    @property
    def temporal_db_file(self) -> Path:
        return self.data_dir / "temporal.db"
