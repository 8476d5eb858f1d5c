"""Processes for end-to-end tests: `python worker.py` as docker-compose.yml runs it, and the
command line starting a sample application."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from journey.settings import Settings, WorkerRole
from tests.deploy.deploy_files import ROOT
from tests.e2e.conftest import SAMPLES, env_for
from tests.e2e.test_journey_on_dev_server import cli


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


async def polling(proc: subprocess.Popen, log: Path) -> str:
    """The worker's line saying which queues it polls, once it has said it."""
    for _ in range(900):
        said = log.read_text(errors="replace")
        if "polling task queue" in said:
            return next(line for line in said.splitlines() if "polling task queue" in line)
        assert proc.poll() is None, f"the worker ended before it polled: {said}"
        await asyncio.sleep(0.1)
    raise AssertionError(f"the worker never polled: {log.read_text(errors='replace')}")


async def start_sample(settings: Settings, sample: str, scans: list[Path], folder: Path) -> str:
    """`loan-journey start` with samples/applications/`sample` under a fresh application id
    (the session's server keeps the journeys of other tests), and `scans`; the journey's id."""
    application = json.loads((SAMPLES / "applications" / sample).read_text(encoding="utf-8"))
    application["application_id"] = f"APP-E2E-{uuid.uuid4().hex[:8]}"
    path = folder / "application.json"
    path.write_text(json.dumps(application, ensure_ascii=False), encoding="utf-8")
    await cli(settings, "start", str(path), *map(str, scans))
    return f"loan-{application['application_id']}"
