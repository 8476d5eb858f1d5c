"""Settings in one place, from environment variables (prefix LOAN_JOURNEY_).

Defaults point at the embedded dev server and a SQLite file in the data directory, so
the same code points at a real cluster by setting the address and the database URL.
Defining the class reads nothing; only `Settings()` at the edges reads the environment.

Each secret (`SECRETS`) can come from a file instead, named by the variable with `_FILE`
after it (`LOAN_JOURNEY_ARCHIVE_KEY_FILE=/run/secrets/journey_archive_key`, as compose's
`secrets:` mount them): a value in the environment is printed by `docker inspect` and
`docker compose config`, and inherited by every child process. Secrets are `SecretStr`, so
that a settings object logged or printed shows none.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from ipaddress import IPv4Address
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, IPvAnyAddress, SecretStr, ValidationInfo, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from journey.contact import email_address
from journey.key_list import parse_keys

WorkerRole = Literal["all", "journeys", "documents"]
OcrEngine = Literal["tesserocr", "pytesseract"]
LogFormat = Literal["text", "json"]
SmtpSecurity = Literal["starttls", "tls", "none"]
"""How the notifier speaks to the mail server: STARTTLS on a plain connection (port 587),
TLS from the first byte (SMTPS, port 465, as many banks' relays ask), or neither."""
PREFIX = "LOAN_JOURNEY_"
_PEM = b"-----BEGIN "
# The settings that are secrets: each also read from the file its `<variable>_FILE` names.
SECRETS = ("temporal_api_key", "database_password", "codec_keys", "document_keys",
           "archive_key", "smtp_password", "sms_webhook_token")
FILE_SUFFIX = "_FILE"
ARCHIVE_KEY_MIN = 16
DOCUMENT_KEY_SIZES = (32,)  # AES-256


@dataclass(frozen=True)
class SecretFile:
    """A secret's file as `SecretFiles` found it named, read by the field's validator, so
    that a file that cannot be read is a bad setting like any other (exit 5, naming it)."""

    variable: str
    path: Path
    also_given: bool  # the plain variable is set as well

    def read(self) -> str:
        """The file's text, its trailing newline (`echo key > file`) left out; never echoed
        in an error."""
        if self.also_given:
            raise ValueError(f"set it or {self.variable}, not both")
        try:
            text = self.path.read_text(encoding="utf-8")
        except OSError as err:
            raise ValueError(f"{self.variable} names {self.path}, which cannot be read: "
                             f"{err.strerror or err}") from None
        except UnicodeDecodeError:
            raise ValueError(f"{self.variable} names {self.path}, which is not UTF-8 text"
                             ) from None
        text = text.rstrip("\r\n")
        if not text:
            raise ValueError(f"{self.variable} names {self.path}, which is empty")
        return text


class SecretFiles(PydanticBaseSettingsSource):
    """The `<variable>_FILE` of each secret, ahead of the environment: the file found named
    (`SecretFile`) for the field's validator to read."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # `__call__` reads them all at once

    def __call__(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for name in SECRETS:
            variable = f"{PREFIX}{name.upper()}"
            path = os.environ.get(variable + FILE_SUFFIX, "")
            if path:  # compose passes an unset one as ""
                found[name] = SecretFile(variable + FILE_SUFFIX, Path(path),
                                         also_given=bool(os.environ.get(variable)))
        return found


class StoreSettings(BaseSettings):
    """The one setting every process reads at its start, before it knows what it will do
    (`migrate_on_start`): apart, so that a command that touches no setting still runs."""

    # an error's input is left out of its text: it may be a secret, or a URL holding one
    model_config = SettingsConfigDict(env_prefix=PREFIX, extra="ignore", populate_by_name=True,
                                      hide_input_in_errors=True)

    # Whether a process that finds the journey database behind its schema migrates it (the
    # default: `up`, `demo`, a developer's worker) or ends (exit 5) saying to run the migrate
    # job (`loan-journey db upgrade`), which migrates either way. False in production
    # (docker-compose.yml): a schema changes when the operator runs the migrate job, after
    # a backup, never because a new worker replica started.
    migrate_on_start: bool = True


class Settings(StoreSettings):

    temporal_address: str = "127.0.0.1:7233"
    temporal_namespace: str = Field(default="default", min_length=1)
    temporal_api_key: SecretStr | None = None
    temporal_tls: bool = False
    # TLS to a server whose certificate a private CA signed (PEM), with a client certificate
    # and its key for mTLS, and the name its certificate gives when not the address's host:
    # any of them turns TLS on. Each file is read as the settings are (`_readable_pem`).
    temporal_tls_ca_file: Path | None = None
    temporal_tls_cert_file: Path | None = None
    temporal_tls_key_file: Path | None = Field(default=None, validate_default=True)
    temporal_tls_server_name: str | None = None
    task_queue: str = Field(default="loan-journey", min_length=1)
    ui_port: int = Field(default=8233, ge=1, le=65535)
    data_dir: Path = Path(".data")
    database_url: str | None = None
    # The password apart from the URL, as typed (`@ / : % #` and all): db_url escapes it.
    database_password: SecretStr | None = None
    document_store: Path | None = None
    policy_file: Path | None = None
    # the post-loan policy (covenants, review cadence, classification): the packaged one without
    post_loan_policy_file: Path | None = None
    # the bank's working calendar (holidays and make-up working days of the years it lists,
    # as the State Council published them): the `holidays` package's alone without
    calendar_file: Path | None = None
    # The SDK's metrics on this port, the journey's on the next one (activities/metrics.py).
    metrics_port: int | None = Field(default=None, ge=1, le=65534)
    # The address both ports listen on: this machine alone by default (a worker's metrics
    # name the bank's teams and staff); every interface (0.0.0.0, or ::) where Prometheus
    # scrapes from another host or container, as the image sets (Dockerfile).
    metrics_host: IPvAnyAddress = IPv4Address("127.0.0.1")
    # The notifier's (`notices send --follow`) metrics on this port, on metrics_host: notices
    # sent, held and pending (starter/notifier_metrics.py). Its own, as a worker's are.
    notifier_metrics_port: int | None = Field(default=None, ge=1, le=65535)
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
    codec_keys: SecretStr | None = None  # "kid1:base64key,kid2:base64key"; the first encrypts
    # The document store's files encrypted (AES-256-GCM), in the codec keys' format, each key
    # 32 bytes: the first encrypts what is written, all decrypt (store/sealed_blobs.py).
    document_keys: SecretStr | None = None
    # seals each archived history (HMAC-SHA256), so that whoever can write the database and
    # the document store but holds not this key cannot change one unseen; keep it apart
    archive_key: SecretStr | None = None  # ARCHIVE_KEY_MIN characters at least
    # The worker's log lines (starter/logs.py): their level, and "text" for people or
    # "json" (one object a line, a traceback in it) for a log shipper.
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: LogFormat = "text"
    # Where `loan-journey notices send` delivers the outbox (starter/notifier.py): email over
    # the bank's mail server (SMTP, STARTTLS by default, a login when a user is set), from
    # NOTICE_FROM; SMS by a POST of JSON to the bank's SMS gateway, with a bearer token when
    # set. Unset, that channel's notices wait in the outbox.
    smtp_host: str | None = None
    # unset: 465 for implicit TLS, 587 otherwise (`smtp_port_used`)
    smtp_port: int | None = Field(default=None, ge=1, le=65535)
    # unset: read from SMTP_STARTTLS, as before it was a setting (`smtp_mode`)
    smtp_security: SmtpSecurity | None = None
    smtp_starttls: bool = True
    # the CA(s) the mail server's certificate is checked against (STARTTLS or TLS), for a
    # relay behind the bank's own CA; unset: the system's
    smtp_ca_file: Path | None = None
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    notice_from: str | None = None
    sms_webhook_url: str | None = None
    sms_webhook_token: SecretStr | None = None
    # The OCR engine's, by the names they had before they were settings (no prefix).
    # OCR_THREADS threads read one document's segments (tesserocr only); OCR_TIMEOUT_S
    # bounds one recognition; OCR_ENGINE unset: tesserocr when installed, else pytesseract.
    ocr_threads: int = Field(default=2, ge=1, validation_alias="OCR_THREADS")
    ocr_timeout_s: float = Field(default=30.0, gt=0, validation_alias="OCR_TIMEOUT_S")
    ocr_engine: OcrEngine | None = Field(default=None, validation_alias="OCR_ENGINE")
    tessdata_prefix: str = Field(default="/usr/share/tesseract-ocr/5/tessdata/",
                                  validation_alias="TESSDATA_PREFIX")

    @classmethod
    def settings_customise_sources(
        cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource, dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """The secrets' files after what the code hands in, before the environment."""
        return (init_settings, SecretFiles(settings_cls), env_settings, dotenv_settings,
                file_secret_settings)

    @classmethod
    def env_name(cls, field: str) -> str:
        """The environment variable a field is read from."""
        alias = cls.model_fields[field].validation_alias
        return alias if isinstance(alias, str) else f"{PREFIX}{field.upper()}"

    @field_validator("temporal_address")
    @classmethod
    def _host_and_port(cls, v: str) -> str:
        """host:port, the host a name, IPv4 or [IPv6], the port 1 to 65535."""
        match = re.fullmatch(r"(\[[0-9A-Fa-f:.]+\]|[^\s:\[\]]+):(\d{1,5})", v)
        if match is None or not 1 <= int(match[2]) <= 65535:
            raise ValueError("give host:port, the port from 1 to 65535 (e.g. 127.0.0.1:7233)")
        return v

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, v: str | None) -> str | None:
        """A URL SQLAlchemy parses, its port (if any) from 1 to 65535."""
        if v is None:
            return v
        try:
            port = make_url(v).port
        except ArgumentError:
            raise ValueError("not a database URL: give dialect+driver://user@host:port/name "
                             "(e.g. postgresql+psycopg://loan_journey@db:5432/loan_journey)"
                             ) from None
        except ValueError:  # the URL is not echoed: it may hold a password
            raise ValueError("its port is not a number") from None
        if port is not None and not 1 <= port <= 65535:
            raise ValueError("its port must be from 1 to 65535")
        return v

    @field_validator(*SECRETS, mode="before")
    @classmethod
    def _read_secret_file(cls, v: object) -> object:
        return v.read() if isinstance(v, SecretFile) else v

    @field_validator("document_keys")
    @classmethod
    def _key_list(cls, v: SecretStr | None) -> SecretStr | None:
        """Parsed as the store will, so that a malformed one ends a process at its start."""
        if v is not None:
            named = cls.env_name("document_keys")
            try:
                keys = parse_keys(v.get_secret_value(), named, DOCUMENT_KEY_SIZES)
            except ValueError as err:  # the variable is named by whoever reports it
                raise ValueError(str(err).removeprefix(f"{named}: ")) from None
            if any(len(kid.encode()) > 255 for kid in keys):  # a file's header holds its length
                raise ValueError("a key id is longer than 255 bytes")
        return v

    @field_validator("archive_key")
    @classmethod
    def _long_enough(cls, v: SecretStr | None) -> SecretStr | None:
        """In characters, as the operator counts them (pydantic would say "items")."""
        if v is not None and len(v.get_secret_value()) < ARCHIVE_KEY_MIN:
            raise ValueError(f"an archive key has at least {ARCHIVE_KEY_MIN} characters, "
                             f"this one {len(v.get_secret_value())}")
        return v

    @field_validator("notice_from")
    @classmethod
    def _an_address(cls, v: str | None) -> str | None:
        return None if v is None else str(email_address(v))

    @field_validator("sms_webhook_url")
    @classmethod
    def _http_url(cls, v: str | None) -> str | None:
        """http(s)://host/..., so that a typo is told at start, not at the first notice."""
        if v is not None and not re.fullmatch(r"https?://[^\s/]+(/\S*)?", v):
            raise ValueError("give the gateway's URL, http(s)://host/path")
        return v

    @field_validator("log_level", "log_format", mode="before")
    @classmethod
    def _any_case(cls, v: object) -> object:
        """`info` or `JSON` as well: the variable is typed by people."""
        if not isinstance(v, str):
            return v
        return v.upper() if v.lower() in ("debug", "info", "warning", "error") else v.lower()

    @field_validator("temporal_api_key", "codec_keys", "document_keys", "policy_file",
                     "post_loan_policy_file", "calendar_file", "archive_key", "smtp_host",
                     "smtp_port", "smtp_security", "smtp_ca_file", "smtp_user", "smtp_password",
                     "notice_from",
                     "sms_webhook_url", "sms_webhook_token",
                     "temporal_tls_ca_file", "temporal_tls_cert_file",
                     "temporal_tls_key_file", "temporal_tls_server_name", "ocr_engine",
                     "metrics_port", "notifier_metrics_port", mode="before")
    @classmethod
    def _unset_when_empty(cls, v: object) -> object:
        # docker-compose.yml passes an unset variable as "": no key, not Path(".")
        return None if v == "" else v

    @field_validator("smtp_security", mode="before")
    @classmethod
    def _lower_case(cls, v: object) -> object:
        """`TLS` or `StartTLS` as well: the variable is typed by people."""
        return v.lower() if isinstance(v, str) else v

    @field_validator("temporal_tls_ca_file", "temporal_tls_cert_file", "temporal_tls_key_file",
                     "smtp_ca_file")
    @classmethod
    def _readable_pem(cls, v: Path | None, info: ValidationInfo) -> Path | None:
        """A file this user can read, in PEM; the key and its certificate given together."""
        if info.field_name == "temporal_tls_key_file":
            cert = info.data.get("temporal_tls_cert_file")
            if (v is None) != (cert is None) and "temporal_tls_cert_file" in info.data:
                given, needed = ("key", "certificate") if cert is None else ("certificate", "key")
                raise ValueError(
                    f"a client {given} without its {needed}: set both "
                    f"{cls.env_name('temporal_tls_cert_file')} and "
                    f"{cls.env_name('temporal_tls_key_file')} (mTLS), or neither")
        if v is None:
            return v
        try:
            text = v.read_bytes()
        except OSError as err:
            raise ValueError(f"{v} cannot be read: {err.strerror or err}") from None
        if _PEM not in text:
            raise ValueError(f"{v} is not in PEM format (no \"-----BEGIN\" line)")
        return v

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        """As pydantic's, the database URL's password hidden as the secrets are."""
        for name, value in super().__repr_args__():
            if name == "database_url" and value is not None:
                value = make_url(value).render_as_string(hide_password=True)
            yield name, value

    @property
    def temporal_tls_on(self) -> bool:
        """TLS asked for: by its switch, or by a CA, client certificate or server name."""
        return self.temporal_tls or any(
            (self.temporal_tls_ca_file, self.temporal_tls_cert_file,
             self.temporal_tls_server_name))

    @property
    def email_gateway(self) -> bool:
        """Email can be sent: a mail server and the address notices come from."""
        return self.smtp_host is not None and self.notice_from is not None

    @property
    def smtp_mode(self) -> SmtpSecurity:
        """How email reaches the mail server: SMTP_SECURITY when set; else SMTP_STARTTLS, the
        setting before it, read as it always was (true: STARTTLS, false: none), so that a
        deployment that set it keeps working unchanged."""
        if self.smtp_security is not None:
            return self.smtp_security
        return "starttls" if self.smtp_starttls else "none"

    @property
    def smtp_port_used(self) -> int:
        """SMTP_PORT when set; else the port of the mode: 465 (SMTPS) for TLS, 587."""
        if self.smtp_port is not None:
            return self.smtp_port
        return 465 if self.smtp_mode == "tls" else 587

    @property
    def archive_seal_key(self) -> bytes | None:
        return self.archive_key.get_secret_value().encode() if self.archive_key else None

    @property
    def document_key_list(self) -> dict[str, bytes]:
        """The document keys by id, the first the one that encrypts; {} when unset."""
        if self.document_keys is None:
            return {}
        return parse_keys(self.document_keys.get_secret_value(), self.env_name("document_keys"),
                          DOCUMENT_KEY_SIZES)

    @property
    def db_url(self) -> str:
        url = self.database_url or f"sqlite:///{(self.data_dir / 'journey.db').resolve()}"
        if self.database_password is None:
            return url
        with_password = make_url(url).set(password=self.database_password.get_secret_value())
        return with_password.render_as_string(hide_password=False)

    @property
    def journey_db_url(self) -> str | None:
        """`db_url`, the journey database this process works on; None for a reader (role
        "documents") that names none (LOAN_JOURNEY_DATABASE_URL unset): it parses customers'
        files and keeps no reading (the journey's worker does), so it has no database, nor a
        SQLite file in its data directory."""
        if self.worker_role == "documents" and self.database_url is None:
            return None
        return self.db_url

    @property
    def documents_dir(self) -> Path:
        return self.document_store or (self.data_dir / "documents")

    @property
    def temporal_db_file(self) -> Path:
        return self.data_dir / "temporal.db"
