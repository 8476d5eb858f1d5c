"""A journey terminated on the Temporal server (`temporal workflow terminate`), which records
no end of its own, on the real dev server with no worker polling its queue: `status` says
how, when, by whom and why it ended and where it stood, exit 3, without waiting for a worker;
the archivist's pass records its end once, so the report, the funnel and the export count it
as ended ("terminated") at the server's close time, not running up to now, sealed as the
workers seal the journey's own events."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from activities.archive import archive_closed_runs
from journey import archive_contracts as ac
from journey.policy.calendar import moment_at
from journey.stages import Stage
from journey.timeline import EventType
from store import archive
from store.analytics import build_report
from store.export import log_events
from store.timing import events_for
from tests.cli_kit import cli, point_cli_at
from tests.e2e.processes import eventually
from tests.store.test_record_seals import KEY
from tests.workflows.journey_kit import drive_to, journey_worker, new_application, start

pytestmark = pytest.mark.e2e
WHY = "duplicate application, opened by mistake"


async def test_a_terminated_journey_is_shown_as_ended_everywhere(
    dev_server: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = dev_server.client
    monkeypatch.setenv("LOAN_JOURNEY_ARCHIVE_KEY", KEY)  # the workers', the archivist's
    docs, app = new_application()
    async with journey_worker(client, tmp_path, docs, task_queue=f"ended-{uuid.uuid4()}",
                              restarting=True) as settings:
        handle = await start(client, settings, app)
        await drive_to(handle, app, Stage.RISK_REVIEW)

        async def entered() -> bool:  # the entry is written behind the journey: let it land
            return any(e.stage is Stage.RISK_REVIEW for e in events_for(settings.db_url, handle.id))

        await eventually("risk review's entry is written", entered, seconds=30, every=0.2)
    await handle.terminate(reason=WHY)  # no worker polls the journey's queue from here on
    closed = (await handle.describe()).close_time
    assert closed is not None

    point_cli_at(monkeypatch, client, tmp_path)
    told = await cli("status", handle.id, "--json")
    assert told.exit_code == 3, told.output
    end = json.loads(told.stdout)
    assert (end["how"], end["why"], end["stage"]) == ("terminated", WHY, Stage.RISK_REVIEW)
    assert end["by"] and end["team"]  # the terminating client's identity; the team it waited on
    said = " ".join(told.output.split())
    assert f"{handle.id} was terminated on the Temporal server at {moment_at(closed, 8)}" \
        in said and WHY in said and "its last state was risk_review" in said

    # a pass completed after it closed (as before this version): the next lists it all the same
    archive.record_pass(settings.db_url, closed + timedelta(seconds=1),
                        closed + timedelta(seconds=1), ac.ArchivePassResult(
                            archived=0, held=0, gone=0, closed_since=None))

    async def recorded() -> int:  # the closed run may be listed a moment late
        return (await archive_closed_runs(client, settings, timedelta(0))).ended_outside

    assert await eventually("the end is recorded", recorded, seconds=30, every=0.5) == 1
    assert (await archive_closed_runs(client, settings, timedelta(0))).ended_outside == 0
    assert archive.runs_of(settings.db_url, handle.id) == []  # closed before the pass: not listed
    last = events_for(settings.db_url, handle.id)[-1]
    assert (last.type, last.stage, last.outcome, last.at) == (
        EventType.EXITED, Stage.RISK_REVIEW, "terminated", closed)
    assert last.detail == f"terminated on the Temporal server: {WHY}"

    report = build_report(settings.db_url, now=closed + timedelta(days=30))
    [journey] = [j for j in report.slowest if j.workflow_id == handle.id]
    assert journey.final == "terminated"
    assert journey.last_at == closed  # its bank time stops at the close, not 30 days on
    [review] = [f for f in report.funnel if f.stage == Stage.RISK_REVIEW]
    assert (review.terminated, review.in_stage) == (1, 0)
    assert {e["case:final_state"] for e in log_events(settings.db_url)} == {"terminated"}
    # its end sealed next in the stage events' chain, as the worker sealed the journey's own
    checked = await cli("records", "verify", "--offline")
    assert checked.exit_code == 0, checked.output
