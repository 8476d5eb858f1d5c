"""Chaos on the real dev server: the worker is killed with SIGKILL ten times at random
moments while twenty journeys run, and the server is restarted once on the same SQLite file.
Every journey still closes, each disbursement is booked exactly once, and each journey's
timing events are in SQL once each, in sequence, equal to what a replay of the journey's
history records; an event time may differ from the replay only in the one way explained at
`_time_skew_not_explained`."""

from __future__ import annotations

import asyncio
import random
import socket
import uuid
from contextlib import AsyncExitStack
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowExecutionStatus, WorkflowHandle

from activities.policy import policy_text
from journey.policy import parse_policy
from journey.settings import Settings
from journey.stages import Stage
from journey.status import JourneyResult
from journey.timeline import TimingEvent
from starter import operations
from starter.audit import verify
from starter.codec import data_converter
from starter.connect import connect
from starter.embedded import embedded_server
from store.ledger import bookings_for
from store.timing import events_for
from tests.chaos.chaos_kit import WorkerProcess, drive, patiently, readings_json
from tests.workflows.journey_kit import Documents, application
from workflows.loan_journey import LoanJourneyWorkflow

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
JOURNEYS, KILLS, SEED = 20, 10, 20261123


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _chaos(worker: WorkerProcess, settings: Settings, servers: AsyncExitStack,
                 rng: random.Random) -> None:
    """Kill the worker KILLS times, each after it ran a random while; restart the server once."""
    for kill in range(KILLS):
        await asyncio.sleep(rng.uniform(1.5, 6.0))
        worker.kill()
        if kill == KILLS // 2:
            await servers.aclose()  # the dev server stops; its SQLite file stays
            await servers.enter_async_context(embedded_server(settings))
        worker.start()


async def test_journeys_survive_worker_kills_and_a_server_restart(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path, temporal_address=f"127.0.0.1:{_free_port()}",
        ui_port=_free_port(), task_queue=f"chaos-{uuid.uuid4()}",
    )
    docs = Documents()
    apps = [application(docs) for _ in range(JOURNEYS)]
    labels = tmp_path / "readings.json"
    labels.write_text(readings_json(docs.readings), encoding="utf-8")
    policy = parse_policy(policy_text(None))
    worker = WorkerProcess(settings, labels)
    servers = AsyncExitStack()
    await servers.enter_async_context(embedded_server(settings))
    try:
        worker.start()
        client = await connect(settings)
        journeys = asyncio.gather(*(drive(client, settings, policy, app) for app in apps))
        await _chaos(worker, settings, servers, random.Random(SEED))
        handles = [client.get_workflow_handle(wid, result_type=JourneyResult)
                   for wid in (operations.journey_id(a.application_id) for a in apps)]
        try:  # the people see a closed journey; the server's record must say so too
            await asyncio.wait_for(journeys, 200)
            results = await asyncio.wait_for(asyncio.gather(*(h.result() for h in handles)), 60)
        except TimeoutError:
            stopped = await _stopped_by_run_ahead(handles)
            pytest.xfail(f"{_UPSTREAM_NONDETERMINISM_LIVE} {stopped}")

        assert worker.kills == KILLS
        unexplained: list[str] = []
        not_replayable: list[str] = []
        skewed = 0
        for handle, result in zip(handles, results, strict=True):
            wid = handle.id
            assert result.outcome is Stage.CLOSED, (wid, result.outcome, result.reason)
            booked = bookings_for(settings.db_url, wid)
            assert len(booked) == 1, (wid, booked)
            stored = events_for(settings.db_url, wid)
            assert [e.sequence for e in stored] == list(range(len(stored))), wid
            history = await handle.fetch_history()
            replay = await verify([history], [LoanJourneyWorkflow], data_converter(settings))
            if not replay.ok:
                not_replayable.append(f"{wid}: {replay.failures[0].error}")
                continue  # see _UPSTREAM_NONDETERMINISM
            final = await _final_status(client, wid)
            assert _all_but_time(stored) == _all_but_time(final.events), wid
            skewed += sum(a.at != b.at for a, b in zip(stored, final.events, strict=True))
            unexplained += _time_skew_not_explained(stored, final.events)
        assert not unexplained, unexplained
        print(f"{skewed} event time(s) taken in a query task on a rebuilt run, as explained")
        if not_replayable:
            pytest.xfail(f"{_UPSTREAM_NONDETERMINISM} {not_replayable}")
    finally:
        worker.stop()
        await servers.aclose()


async def _final_status(client, wid: str):  # noqa: ANN001, ANN202
    for _ in range(20):
        s = await patiently(operations.status(client, wid))
        if s is not None:
            return s
        await asyncio.sleep(0.5)
    raise AssertionError(f"no status for {wid}")


# The same run-ahead (below) can also write a history that does not replay: the query task
# applies an activity's result live and the journey enters its next stage; an update valid
# only in that stage then arrives with the next real task and is accepted. Replaying that
# task, the Python SDK applies updates before activity results (job sets in
# _WorkflowInstanceImpl.activate), the validator sees the previous stage, and replay fails
# with TMPRL1100. Every journey still closed with one booking and gapless timing rows
# (asserted above); its history would stop it at the next replay. An SDK defect (reproduced
# alone, reported in issue 8). The query that runs ahead is one handed to a worker after new
# events came: held on a dead worker's sticky queue (the wide window, closed by sending
# queries to the normal queue, starter/embedded.py NO_STICKY_QUERIES), or sent while an
# activity ran and polled just after it completed (a narrower window, still open: on
# 2026-12-04 about one chaos run in four had a journey that did not replay or stopped, with
# this test polling status every 0.2 s). A worker with max_cached_workflows=0 keeps no
# run-ahead (six clean runs of six), at about a sixth of the throughput (bench/RESULTS.md).
_UPSTREAM_NONDETERMINISM = "history written by a query-task run-ahead does not replay:"
# When the worker that wrote such a task is killed, the next one replays the history to go
# on and fails the same way: the journey stops, each of its tasks failing as nondeterministic,
# until a person resets it (`temporal workflow reset`). Any journey unfinished for another
# reason fails the test.
_UPSTREAM_NONDETERMINISM_LIVE = "a query-task run-ahead stopped these journeys:"
_RUN_AHEAD_SIGNATURE = "Update machine does not handle this event"


async def _stopped_by_run_ahead(handles: list[WorkflowHandle]) -> list[str]:
    """The journeys still running, each stopped by the run-ahead's nondeterminism; an
    AssertionError for any journey that is still running without that reason."""
    stopped, unexplained = [], []
    for handle in handles:
        wid = handle.id
        if (await handle.describe()).status is not WorkflowExecutionStatus.RUNNING:
            continue
        failures = [
            e.workflow_task_failed_event_attributes.failure.message
            async for e in handle.fetch_history_events()
            if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED
        ]
        if any(_RUN_AHEAD_SIGNATURE in message for message in failures):
            stopped.append(wid)
        else:
            unexplained.append(f"{wid}: {failures[-1:] or 'no failed task'}")
    assert stopped and not unexplained, f"journeys unfinished after the chaos: {unexplained}"
    return stopped


def _all_but_time(events: list[TimingEvent]) -> list[dict]:
    return [e.model_dump(mode="json", exclude={"at"}) for e in events]


# Why a stored event time can differ from a replay of the same history (reproduced alone in
# a small workflow, activity in flight at the kill, then a query before the next task):
# the worker that held the journey is killed; an activity completes (or a timer fires, or a
# signal comes) and the server schedules a workflow task, not started yet. A status query
# meanwhile goes to a new worker without the journey in its cache, as a legacy query task
# whose history ends at that WorkflowTaskScheduled. Core replays it and hands the new
# event's job to the workflow live, before the query; the workflow runs on and emits events.
# Core moves workflow time only on a WorkflowTaskStarted (sdk-core workflow_machines.rs
# `task_started`), so workflow.now() is still the start of the previous completed task. The
# run stays cached and the commands of that run-ahead (the record_timing input with the old
# time) go out with the next real task; a replay of the full history gives that task's
# start instead. Upstream: temporalio/sdk-core#589 (repo now sdk-rust; a job from new events
# dispatched in a query task after an eviction; PR #597 fixed only `is_replaying`); no
# report of the workflow time found.
# So a skewed event is stored with a time taken earlier than its replay's, by a run rebuilt
# on a worker that started after a kill: it must be earlier, and by less than the longest
# kill-and-recovery window of this test (its sleeps and the server restart). Most skews are
# exactly the previous completed task's start; queries on the normal queue (see above) give
# other starts too. Anything else fails the test.
MAX_SKEW = timedelta(minutes=2)


def _time_skew_not_explained(
    stored: list[TimingEvent], replayed: list[TimingEvent]
) -> list[str]:
    return [
        f"{a.workflow_id} #{a.sequence} {a.type} {a.stage}: stored {a.at:%H:%M:%S.%f}, "
        f"replayed {b.at:%H:%M:%S.%f}"
        for a, b in zip(stored, replayed, strict=True)
        if a.at != b.at and not timedelta(0) < b.at - a.at < MAX_SKEW
    ]
