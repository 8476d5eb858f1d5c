"""Chaos on the real dev server: the worker is killed with SIGKILL ten times at random
moments while twenty journeys run, and the server is restarted once on the same SQLite file.
Every journey still closes, each disbursement is booked exactly once, its history replays,
and its timing events are in SQL once each, in sequence, equal to what a replay of its history
records, times included (a status query that ran the journey ahead is thrown away by
workflows/run_ahead.py, which keeps that true)."""

from __future__ import annotations

import asyncio
import random
import uuid
from contextlib import AsyncExitStack
from datetime import UTC, timedelta
from pathlib import Path

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowExecutionStatus, WorkflowHandle, WorkflowHistory

from activities.policy import policy_text
from journey.policy import parse_policy
from journey.settings import Settings
from journey.stages import Stage
from journey.status import JourneyResult
from journey.timeline import TimingEvent
from starter import applications, operations
from starter.audit import verify
from starter.codec import data_converter
from starter.connect import connect
from starter.embedded import embedded_server
from store.ledger import bookings_for
from store.timing import events_for
from tests.chaos.chaos_kit import WorkerProcess, drive, patiently, readings_json
from tests.ports import free_port
from tests.workflows.journey_kit import Documents, application
from workflows.loan_journey import LoanJourneyWorkflow
from workflows.run_ahead import RAN_AHEAD

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
JOURNEYS, KILLS, SEED = 20, 10, 20261123
_AROUND = timedelta(seconds=2)


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
        data_dir=tmp_path, temporal_address=f"127.0.0.1:{free_port()}",
        ui_port=free_port(), task_queue=f"chaos-{uuid.uuid4()}",
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
                   for wid in (applications.journey_id(a.application_id) for a in apps)]
        try:  # the people see a closed journey; the server's record must say so too
            await asyncio.wait_for(journeys, 200)
            results = await asyncio.wait_for(asyncio.gather(*(h.result() for h in handles)), 60)
        except TimeoutError:
            unfinished = await _unfinished(handles, settings)
            pytest.fail(f"journeys unfinished after the chaos: {unfinished}")

        assert worker.kills == KILLS
        for handle, result in zip(handles, results, strict=True):
            wid = handle.id
            assert result.outcome is Stage.CLOSED, (wid, result.outcome, result.reason)
            booked = bookings_for(settings.db_url, wid)
            assert len(booked) == 1, (wid, booked)
            stored = events_for(settings.db_url, wid)
            assert [e.sequence for e in stored] == list(range(len(stored))), wid
            history = await handle.fetch_history()
            replay = await verify([history], [LoanJourneyWorkflow], data_converter(settings))
            assert replay.ok, f"{wid}: {replay.failures[0].error}"
            assert not [  # the guard fails the activation of a query task, never a task
                e for e in history.events
                if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED
                and RAN_AHEAD in e.workflow_task_failed_event_attributes.failure.message
            ], wid
            final = await _final_status(client, wid)
            # times too: no run-ahead stamped one
            assert stored == final.events, _times_apart(wid, stored, final.events, history)
    finally:
        worker.stop()
        await servers.aclose()


def _times_apart(wid: str, stored: list[TimingEvent], replayed: list[TimingEvent],
                 history: WorkflowHistory) -> str:
    """Where the stored events and a replay's part, and the history's events from a little
    before the earlier time to a little after the later: the workflow task whose time each
    was stamped with, and what came between them (a failed, timed-out or repeated task, a
    query's failure, an update: the clue to a run-ahead the guard did not see)."""
    lines = [f"{wid}: stored and replayed timing events differ"]
    apart = [(s, r) for s, r in zip(stored, replayed, strict=False) if s != r]
    lines += [f"  #{s.sequence} {s.type.value} {s.stage.value}: stored at {s.at.isoformat()}, "
              f"replay at {r.at.isoformat()}" for s, r in apart]
    if len(stored) != len(replayed):
        lines.append(f"  {len(stored)} stored, {len(replayed)} replayed")
    if apart:
        first, last = sorted([apart[0][0].at, apart[0][1].at])
        lines += [f"  event {e.event_id} {EventType.Name(e.event_type)} "
                  f"{e.event_time.ToDatetime(tzinfo=UTC).isoformat()}"
                  for e in history.events
                  if first - _AROUND <= e.event_time.ToDatetime(tzinfo=UTC) <= last + _AROUND]
    return "\n".join(lines)


async def _final_status(client, wid: str):  # noqa: ANN001, ANN202
    for _ in range(20):
        s = await patiently(operations.status(client, wid))
        if s is not None:
            return s
        await asyncio.sleep(0.5)
    raise AssertionError(f"no status for {wid}")


async def _unfinished(handles: list[WorkflowHandle], settings: Settings) -> list[str]:
    """Each journey still running: the last failure of its workflow tasks, how many timed
    out, and whether its history replays (a task that keeps timing out can hide that)."""
    unfinished = []
    for handle in handles:
        if (await handle.describe()).status is not WorkflowExecutionStatus.RUNNING:
            continue
        history = await handle.fetch_history()
        failed = [
            e.workflow_task_failed_event_attributes.failure.message
            for e in history.events
            if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED
        ]
        timed_out = sum(
            e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT for e in history.events
        )
        replay = await verify([history], [LoanJourneyWorkflow], data_converter(settings))
        replays = "replays" if replay.ok else f"does not replay: {replay.failures[0].error}"
        unfinished.append(
            f"{handle.id}: {failed[-1:] or 'no failed task'}, {timed_out} timed out, {replays}"
        )
    return unfinished
