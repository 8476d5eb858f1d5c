"""A worker's log for a log shipper: LOAN_JOURNEY_LOG_FORMAT=json writes one JSON object a
line, a traceback inside one; LOAN_JOURNEY_LOG_LEVEL sets the level; and a start and a stop
say each thing once (no Alembic context lines, one "shutting down" for all of its workers)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from temporalio.testing import WorkflowEnvironment

from tests.deploy.deploy_files import ROOT
from tests.deploy.test_process_exit import IMAGE_WORKER, _said

LOGS_AN_ERROR = (
    "import logging, sys; from starter import logs; logs.configure(sys.argv[1], 'json'); "
    "log = logging.getLogger('journey.test')\n"
    "log.debug('not at INFO'); log.info('first\\nline two')\n"
    "try:\n    raise ValueError('the database went away')\n"
    "except ValueError:\n    log.exception('a write failed')\n"
)


def _objects(text: str) -> list[dict[str, Any]]:
    """Each line of `text` as the JSON object it must be."""
    return [json.loads(line) for line in text.splitlines()]


async def _logged(level: str) -> list[dict[str, Any]]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", LOGS_AN_ERROR, level, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0 and out == b"", err.decode()
    return _objects(err.decode())


async def test_json_logs_put_a_traceback_on_the_line_of_its_record() -> None:
    info, failed = await _logged("INFO")
    assert set(info) == {"time", "level", "logger", "message"}
    assert (info["level"], info["logger"], info["message"]) == (
        "INFO", "journey.test", "first\nline two")
    assert info["time"].endswith("+00:00")
    assert (failed["level"], failed["message"]) == ("ERROR", "a write failed")
    assert failed["exception"].startswith("Traceback (most recent call last):")
    assert failed["exception"].endswith("ValueError: the database went away")
    assert [r["level"] for r in await _logged("DEBUG")] == ["DEBUG", "INFO", "ERROR"]


async def test_a_worker_logs_json_lines_and_says_its_start_and_stop_once(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    queue = f"logs-{uuid.uuid4()}"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LOAN_JOURNEY_LOG_FORMAT": "json",
           "LOAN_JOURNEY_TEMPORAL_ADDRESS":
               time_skipping_env.client.service_client.config.target_host,
           "LOAN_JOURNEY_TASK_QUEUE": queue, "LOAN_JOURNEY_DATA_DIR": str(tmp_path)}
    worker = await asyncio.create_subprocess_exec(
        sys.executable, "-c", IMAGE_WORKER, cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    assert worker.stderr is not None
    seen: list[str] = []
    try:
        while "worker polling task queue(s)" not in (line := (await asyncio.wait_for(
                worker.stderr.readline(), 90)).decode()):
            assert line, f"the worker ended before it polled: {''.join(seen)}"
            seen.append(line)
        seen.append(line)
        worker.send_signal(signal.SIGTERM)
        _out, err = await asyncio.wait_for(worker.communicate(), 90)
    finally:
        if worker.returncode is None:
            worker.kill()
    assert worker.returncode == 0, "".join(seen) + err.decode()
    records = _objects("".join(seen) + err.decode())
    said = [r["message"] for r in records]
    assert {r["level"] for r in records} <= {"INFO", "WARNING"}, said
    assert not any(m.startswith(("Context impl", "Will assume")) for m in said), said
    assert not any("Beginning worker shutdown" in m for m in said), said
    [stopping] = [m for m in said if m.startswith("shutting down")]
    assert f"{queue}, {queue}-documents, {queue}-decisions" in stopping
    # the worker's own last line (the SDK core's lines are forwarded on their own thread, and
    # one of its warnings may come after it)
    assert [r["message"] for r in records if r["logger"] == "worker"][-1] == "stopped"


async def test_a_log_setting_out_of_its_choices_is_a_bad_setting(tmp_path: Path) -> None:
    said = await _said(IMAGE_WORKER, tmp_path, {"LOAN_JOURNEY_LOG_FORMAT": "xml"}, 5)
    assert said.startswith("error: bad setting: LOAN_JOURNEY_LOG_FORMAT: Input should be "
                           "'text' or 'json'"), said


@pytest.mark.parametrize(("given", "read"), [("json", "json"), ("JSON", "json")])
def test_the_log_format_is_read_in_any_case(
    monkeypatch: pytest.MonkeyPatch, given: str, read: str
) -> None:
    from journey.settings import Settings

    monkeypatch.setenv("LOAN_JOURNEY_LOG_FORMAT", given)
    monkeypatch.setenv("LOAN_JOURNEY_LOG_LEVEL", "warning")
    settings = Settings()
    assert (settings.log_format, settings.log_level) == (read, "WARNING")
