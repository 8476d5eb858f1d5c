"""The embedded dev server keeps its state in the configured SQLite file, write-ahead logged
like the journey store, so it survives a killed process and writes without blocking reads."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import sqlite3
import stat
import subprocess
import uuid
from collections.abc import Awaitable
from pathlib import Path

import httpx
import pytest
from temporalio.testing import WorkflowEnvironment

from activities.metrics import JOURNEY_METRICS_PORT_OFFSET
from journey.settings import Settings
from starter.embedded import embedded_server
from starter.occupied import listener
from tests.e2e.conftest import env_for, new_settings
from tests.e2e.processes import eventually, polling
from tests.e2e.test_journey_on_dev_server import CLI
from tests.ports import free_port, free_port_pair

pytestmark = pytest.mark.e2e


async def test_the_server_file_is_write_ahead_logged(
    dev_server: WorkflowEnvironment, e2e_settings: Settings
) -> None:
    assert dev_server.client.namespace == e2e_settings.temporal_namespace
    with sqlite3.connect(e2e_settings.temporal_db_file) as db:
        (mode,) = db.execute("PRAGMA journal_mode").fetchone()
    assert mode == "wal"


async def test_the_server_keeps_its_file_private_and_gets_no_secret(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server's SQLite file holds every journey's history: 600 with its -wal and -shm,
    as journey.db is, in the data directory (700); and the secrets given in the environment
    stay in this process, not in the server's (/proc/<pid>/environ, Linux)."""
    secret = "archive-key-never-in-the-server"
    monkeypatch.setenv("LOAN_JOURNEY_ARCHIVE_KEY", secret)
    monkeypatch.setenv("LOAN_JOURNEY_SMTP_PASSWORD", "smtp-password-never-in-the-server")
    settings = new_settings(tmp_path_factory, "private")
    async with embedded_server(settings):
        db = settings.temporal_db_file
        modes = {f.name: stat.S_IMODE(f.stat().st_mode)
                 for f in (db, db.with_name(f"{db.name}-wal"), db.with_name(f"{db.name}-shm"))}
        assert modes == {"temporal.db": 0o600, "temporal.db-wal": 0o600,
                         "temporal.db-shm": 0o600}, {k: oct(v) for k, v in modes.items()}
        server = listener(int(settings.temporal_address.rpartition(":")[2]))
        assert server is not None and server != os.getpid()
        assert Path(f"/proc/{server}/cmdline").read_bytes().split(b"\0")[1:3] == [
            b"server", b"start-dev"]
        environ = Path(f"/proc/{server}/environ").read_bytes().split(b"\0")
        leaked = [v.partition(b"=")[0] for v in environ if v.startswith(b"LOAN_JOURNEY_")]
        assert not leaked, leaked
        assert secret.encode() not in b"\0".join(environ)
        assert any(v.startswith(b"PATH=") for v in environ)  # the rest of the environment


async def test_up_serves_metrics_and_refuses_the_server_a_killed_up_left(tmp_path: Path) -> None:
    """`up` with LOAN_JOURNEY_METRICS_PORT serves both endpoints as `worker` does; a second
    `up` beside it names the running one, to use or stop; killed with -9, it leaves its dev
    server running, and the next `up` names it and exits 5 instead of joining it."""
    metrics = free_port_pair(JOURNEY_METRICS_PORT_OFFSET)
    settings = Settings(data_dir=tmp_path / "data", temporal_address=f"127.0.0.1:{free_port()}",
                        ui_port=free_port(), task_queue=f"up-{uuid.uuid4()}")
    env = {**env_for(settings), "LOAN_JOURNEY_METRICS_PORT": str(metrics)}
    log = tmp_path / "up.log"
    with log.open("wb") as out:
        up = subprocess.Popen([*CLI, "up"], cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT,
                              env=env, start_new_session=True)  # its dev server in its group
    try:
        async def serving() -> bool:
            assert up.poll() is None, log.read_text(errors="replace")
            return all(httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=2).status_code == 200
                       for port in (metrics, metrics + JOURNEY_METRICS_PORT_OFFSET))

        await eventually("up serves its metrics", serving, seconds=90, every=0.5,
                         tolerate=(httpx.HTTPError,))

        def up_again(env: dict[str, str]) -> Awaitable[subprocess.CompletedProcess[str]]:
            return asyncio.to_thread(subprocess.run, [*CLI, "up"], cwd=tmp_path, env=env,
                                     capture_output=True, text=True, timeout=60)

        # while it runs: it is named, to be used, not killed (on metrics ports of its own:
        # the taken ones are refused first)
        beside = await up_again({**env, "LOAN_JOURNEY_METRICS_PORT": str(
            free_port_pair(JOURNEY_METRICS_PORT_OFFSET))})
        said = " ".join(beside.stderr.split())
        assert beside.returncode == 5, said
        assert f"a running `loan-journey up` (pid {up.pid}) serves this data directory" in said
        assert f"`kill {up.pid}`" in said and "was killed" not in said
        up.kill()
        up.wait(timeout=10)
        again = await up_again(env)
        said = " ".join(again.stderr.split())
        assert again.returncode == 5, said
        assert "most likely the dev server of a `loan-journey up` that was killed" in said
        found = re.search(r"served already, by pid (\d+) \(\S*temporal server start-dev", said)
        assert found and f"127.0.0.1:{settings.temporal_address.rpartition(':')[2]}" in said
        assert f"`kill {found.group(1)}`" in said and "Traceback" not in again.stderr
        assert os.getpgid(int(found.group(1))) == up.pid  # the server the killed `up` left
    finally:
        with contextlib.suppress(ProcessLookupError):  # the group: `up` and its dev server
            os.killpg(up.pid, signal.SIGTERM)


async def test_up_whose_server_dies_stops_its_worker_and_exits_5(tmp_path: Path) -> None:
    """`up` watches the dev server it started: killed with -9, `up` stops the worker and
    ends (exit 5) naming how the server ended, instead of retrying a dead address for ever
    with the metrics ports held. Its log shows the worker's role and queues."""
    settings = Settings(data_dir=tmp_path / "data", temporal_address=f"127.0.0.1:{free_port()}",
                        ui_port=free_port(), task_queue=f"up-{uuid.uuid4()}")
    env = {**env_for(settings), "LOAN_JOURNEY_WORKER_ROLE": "journeys"}
    log = tmp_path / "up.log"
    with log.open("wb") as out:
        up = subprocess.Popen([*CLI, "up"], cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT,
                              env=env, start_new_session=True)
    try:
        assert f"journeys worker polling task queue(s) {settings.task_queue}, " in (
            await polling(up, log))
        said = " ".join(log.read_text(errors="replace").split())
        assert "worker role journeys" in said
        server = listener(int(settings.temporal_address.rpartition(":")[2]))
        assert server is not None and os.getpgid(server) == up.pid  # the one `up` started
        os.kill(server, signal.SIGKILL)
        assert await asyncio.to_thread(up.wait, 60) == 5
        said = " ".join(log.read_text(errors="replace").split())
        assert f"error: the Temporal dev server (pid {server}) was killed by SIGKILL" in said
        assert "its log is this command's output above" in said and "Traceback" not in said
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(up.pid, signal.SIGTERM)
