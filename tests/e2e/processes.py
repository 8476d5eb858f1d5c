"""Processes for end-to-end tests: `python worker.py` as docker-compose.yml runs it, the
command line starting a sample application, and waiting for what they do."""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import subprocess
import sys
import uuid
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from journey.settings import Settings, WorkerRole
from tests.deploy.deploy_files import ROOT
from tests.e2e.conftest import SAMPLES, env_for
from tests.e2e.test_journey_on_dev_server import cli

T = TypeVar("T")


def pid_of(identity: str) -> str:
    """The process id in a client identity the project sets (`user@host pid N`,
    store.refusals.origin), as the server records it on the events a worker completes."""
    return identity.rpartition(" pid ")[2]


@contextmanager
def worker_process(
    settings: Settings, role: WorkerRole, log: Path, env: Mapping[str, str] | None = None
) -> Iterator[subprocess.Popen]:
    """`python worker.py` in `role` with the settings' and `env`'s variables, its log in
    `log`. Stopped with SIGTERM, it must exit 0; a test may kill it (-9) itself."""
    variables = {**env_for(settings), "LOAN_JOURNEY_WORKER_ROLE": role, **(env or {})}
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "worker.py"], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
            env=variables,
        )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=90)
            finally:
                if proc.poll() is None:
                    proc.kill()
            assert proc.returncode == 0, log.read_text(errors="replace")
        else:
            assert proc.returncode == -signal.SIGKILL, log.read_text(errors="replace")


async def eventually(
    what: str, check: Callable[[], Awaitable[T]], *, seconds: float = 60, every: float = 0.1,
    tolerate: tuple[type[Exception], ...] = (),
) -> T:
    """`await check()` every `every` seconds until it returns something true; that. An error
    of a `tolerate` kind counts as not yet (a server still starting)."""
    deadline = asyncio.get_running_loop().time() + seconds
    last: T | None = None
    while asyncio.get_running_loop().time() < deadline:
        with contextlib.suppress(*tolerate):
            if last := await check():
                return last
        await asyncio.sleep(every)
    raise AssertionError(f"{what}: last seen {last!r}")


async def polling(proc: subprocess.Popen, log: Path) -> str:
    """The worker's line saying which queues it polls, once it has said it."""

    async def said() -> str | None:
        lines = log.read_text(errors="replace").splitlines()
        assert proc.poll() is None, f"the worker ended before it polled: {lines}"
        return next((line for line in lines if "polling task queue" in line), None)

    return await eventually("the worker polls", said, seconds=90)


async def start_sample(settings: Settings, sample: str, scans: list[Path], folder: Path) -> str:
    """`loan-journey start` with samples/applications/`sample` under a fresh application id
    (the session's server keeps the journeys of other tests), and `scans`; the journey's id."""
    application = json.loads((SAMPLES / "applications" / sample).read_text(encoding="utf-8"))
    application["application_id"] = f"APP-E2E-{uuid.uuid4().hex[:8]}"
    path = folder / "application.json"
    path.write_text(json.dumps(application, ensure_ascii=False), encoding="utf-8")
    await cli(settings, "start", str(path), *map(str, scans))
    return f"loan-{application['application_id']}"
