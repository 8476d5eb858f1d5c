"""`python worker.py` processes, as docker-compose.yml runs them, for end-to-end tests."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from journey.settings import Settings, WorkerRole
from tests.deploy.deploy_files import ROOT
from tests.e2e.conftest import env_for


@contextmanager
def worker_process(
    settings: Settings, role: WorkerRole, log: Path, metrics_port: int | None = None
) -> Iterator[subprocess.Popen]:
    """`python worker.py` in `role`, its log in `log`, its metrics on `metrics_port` and the
    next port if given; stopped with SIGTERM, and it must exit 0."""
    env = {**env_for(settings), "LOAN_JOURNEY_WORKER_ROLE": role}
    if metrics_port is not None:
        env["LOAN_JOURNEY_METRICS_PORT"] = str(metrics_port)
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "worker.py"], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
            env=env,
        )
    try:
        yield proc
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(timeout=90)
        finally:
            if proc.poll() is None:
                proc.kill()
        assert code == 0, log.read_text(errors="replace")


async def polling(proc: subprocess.Popen, log: Path) -> str:
    """The worker's line saying which queues it polls, once it has said it."""
    for _ in range(900):
        said = log.read_text(errors="replace")
        if "polling task queue" in said:
            return next(line for line in said.splitlines() if "polling task queue" in line)
        assert proc.poll() is None, f"the worker ended before it polled: {said}"
        await asyncio.sleep(0.1)
    raise AssertionError(f"the worker never polled: {log.read_text(errors='replace')}")
