"""`verify` as an auditor acts on it: a history the code no longer replays names where it
diverges and what to do; an empty or cut-short history is a finding at once, not a hang;
nothing of the SDK core's own logging reaches the report (starter/audit_replay.py).

Run as a process, the way an auditor redirects `verify > report.txt`: core writes its log
lines to the process's own streams, which an in-process runner does not see.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHistory
from temporalio.converter import DataConverter

from starter.archive_cli import replay_verdicts
from starter.archive_compare import Found, ServerCheck
from starter.audit_replay import replay_within
from starter.history_cross_check import CrossChecked
from tests.audit import fixture_workflow as fx

ROOT = Path(__file__).resolve().parents[2]
CHANGED = "tests.audit.fixture_workflow:AuditFixtureChanged"
ANSI = "\x1b["


def _verify(tmp_path: Path, keys: str, *paths: Path) -> subprocess.CompletedProcess[str]:
    env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "TMPDIR") if k in os.environ}
    env |= {"PYTHONPATH": str(ROOT), "LOAN_JOURNEY_CODEC_KEYS": keys,
            "LOAN_JOURNEY_DATA_DIR": str(tmp_path / "data")}
    return subprocess.run(
        [sys.executable, "-m", "starter.cli", "verify", *map(str, paths), "-w", CHANGED],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=90)


async def test_a_changed_workflow_names_the_event_and_the_next_step(
    recorded: WorkflowHistory, audit_keys: str, tmp_path: Path
) -> None:
    history = tmp_path / f"{recorded.workflow_id}.json"
    history.write_text(recorded.to_json(), "utf-8")
    # the release-2 class schedules read_document_v2 where the history scheduled read_document
    scheduled = next(e.event_id for e in recorded.events
                     if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
    done = await asyncio.to_thread(_verify, tmp_path, audit_keys, history)
    assert done.returncode == 1, done.stdout + done.stderr
    said = done.stdout
    assert "NON-DETERMINISM" in said and "1 non-deterministic" in said
    assert f"{recorded.workflow_id} run {recorded.run_id} diverges at event {scheduled}:" in said
    assert "(LOAN_JOURNEY_ARCHIVE_KEY is not set)" in said  # so whether the code changed...
    assert ("the worker's code no longer replays this history: deploy the code that recorded "
            "it (build id ") in said
    assert "guard the change with workflow.patched; do not reset running journeys" in said
    assert ANSI not in said and "Failing workflow task" not in said  # core's, not the report's
    assert ANSI not in done.stderr and "Failing workflow task" not in done.stderr


async def test_an_empty_or_cut_short_history_is_a_finding_at_once(
    recorded: WorkflowHistory, audit_keys: str, tmp_path: Path
) -> None:
    exported = json.loads(recorded.to_json())
    (tmp_path / "empty.json").write_text(json.dumps({"events": []}), "utf-8")
    (tmp_path / "started-only.json").write_text(
        json.dumps(exported | {"events": exported["events"][:1]}), "utf-8")
    (tmp_path / f"{recorded.workflow_id}.json").write_text(recorded.to_json(), "utf-8")
    began = time.monotonic()
    done = await asyncio.to_thread(_verify, tmp_path, audit_keys, tmp_path)
    assert time.monotonic() - began < 60  # it hung on either, and stalled the batch
    said = " ".join(done.stdout.replace("│", " ").split())  # the table folds its cells
    assert done.returncode == 1, said + done.stderr
    assert "nothing to replay: the history holds 0 event(s) and no workflow task" in said
    assert "nothing to replay: the history holds 1 event(s) and no workflow task" in said
    assert "diverges at event" in said  # the good history after them was replayed too


async def test_a_replay_that_does_not_finish_is_stopped(
    recorded: WorkflowHistory, audit_converter: DataConverter
) -> None:
    started_only = WorkflowHistory(recorded.workflow_id, recorded.events[:1])
    began = time.monotonic()
    with pytest.raises(TimeoutError, match=r"replay did not finish in 1 s \(1 events\)"):
        await replay_within(started_only, [fx.AuditFixture], audit_converter, 1)
    assert time.monotonic() - began < 10
    # and the next replay runs as ever
    assert await replay_within(recorded, [fx.AuditFixture], audit_converter, 30) is None


def test_archive_verify_says_whether_the_code_or_the_history_changed() -> None:
    """A run the code no longer replays: its archived history against the server's copy
    and the bank's sealed records says which of the two changed."""
    checks = [ServerCheck("j", "same", Found.MATCHES), ServerCheck("j", "served", Found.DIFFERS),
              ServerCheck("j", "gone", Found.GONE)]
    crossed = [CrossChecked("j", "same", held=3), CrossChecked("j", "served", held=3),
               CrossChecked("j", "gone", differs=["amount differs: ..."], held=3),
               CrossChecked("j", "unsealed")]  # no sealed row of it: it agrees with nothing
    said = replay_verdicts(checks, crossed)
    assert said["same"] == ("the history agrees with the server and the bank's sealed "
                            "records: the code changed")
    assert said["served"].startswith("the history differs from the server: the history was "
                                     "altered, not the code")
    assert said["gone"].startswith("the history differs from the bank's sealed records:")
    assert "unsealed" not in said
