"""The query-task run-ahead (workflows/run_ahead.py), reproduced alone on the real dev server;
and operations.status, which asks again after a status read thrown away for a run-ahead.

One attempt: worker A runs a probe's first task (it schedules an activity) and stops; a status
query is sent while no workflow worker runs; the activity completes (a workflow task is
scheduled); an update is sent; worker B starts. When B takes the query before the workflow
task, core applies the activity's result inside the query task: without the guard the probe
runs ahead (the query answers with the time of its first task for step two); with it the
query fails and the real task applies the result. Whether B takes the query or the task
first is the server's choice, so attempts repeat until one runs ahead.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

import pytest
from temporalio import activity, workflow
from temporalio.client import (
    Client,
    WorkflowHandle,
    WorkflowQueryFailedError,
    WorkflowUpdateFailedError,
)
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Interceptor, Replayer, Worker

from journey.stages import Party, Stage
from journey.status import JourneyStatus
from starter import operations
from starter.errors import JourneyError
from workflows.run_ahead import RAN_AHEAD, RunAheadGuard

pytestmark = pytest.mark.e2e
ATTEMPTS = 12
_GATES: dict[str, asyncio.Event] = {}
_FAILURES: dict[str, list[str]] = {}  # workflow id -> what its next status reads fail with
_READS: Counter[str] = Counter()  # workflow id -> status reads it answered or failed


@activity.defn
async def wait_for_gate(workflow_id: str) -> None:
    await _GATES[workflow_id].wait()


@workflow.defn(sandboxed=False)
class Probe:
    """Step one runs an activity, step two takes one update (valid at step two only)."""

    def __init__(self) -> None:
        self.step = 1
        self.times: list[str] = []
        self.decided = False

    @workflow.run
    async def run(self, activities: str) -> list[str]:
        self.times.append(workflow.now().isoformat())
        await workflow.execute_activity(
            wait_for_gate, workflow.info().workflow_id, task_queue=activities,
            start_to_close_timeout=timedelta(minutes=1),
        )
        self.times.append(workflow.now().isoformat())
        self.step = 2
        workflow.upsert_memo({"step": 2})  # a command of the step, written after the result
        await workflow.wait_condition(lambda: self.decided)
        return self.times

    @workflow.query
    def status(self) -> list[str]:
        return self.times

    @workflow.update
    def decide(self) -> None:
        self.decided = True

    @decide.validator
    def _only_at_step_two(self) -> None:
        if self.step != 2:
            raise ValueError("not at step two")


async def _send(handle: WorkflowHandle) -> list[str]:
    """Send the update until it is taken; the refusals met on the way."""
    refusals: list[str] = []
    while True:
        try:
            await handle.execute_update(Probe.decide)
            return refusals
        except WorkflowUpdateFailedError as err:
            refusals.append(operations.refusal(err))


@dataclass
class Attempt:
    answer: list[str] | str  # the query's answer, or its failure
    times: list[str]  # the probe's own times, its result
    refusals: list[str]
    replays: bool

    @property
    def ran_ahead(self) -> bool:
        """The query answered from a run-ahead (step two at the first task's time), or the
        guard threw the run-ahead away."""
        if isinstance(self.answer, str):
            return RAN_AHEAD in self.answer
        return len(self.answer) == 2 and self.answer[0] == self.answer[1]


async def _attempt(client: Client, interceptors: Sequence[Interceptor]) -> Attempt:
    queue, activities, wid = (f"run-ahead-{uuid.uuid4()}" for _ in range(3))
    _GATES[wid] = asyncio.Event()
    probe = dict(task_queue=queue, workflows=[Probe], interceptors=interceptors)
    async with Worker(client, task_queue=activities, activities=[wait_for_gate]):
        async with Worker(client, **probe):  # type: ignore[arg-type]
            handle = await client.start_workflow(Probe.run, activities, id=wid, task_queue=queue)
            while not (await handle.describe()).raw_description.pending_activities:
                await asyncio.sleep(0.05)
        query = asyncio.create_task(handle.query(Probe.status))
        await asyncio.sleep(0.3)  # the query waits for a poller
        _GATES[wid].set()
        await asyncio.sleep(0.5)  # the result is in, a workflow task scheduled
        update = asyncio.create_task(_send(handle))
        await asyncio.sleep(0.3)
        async with Worker(client, **probe):  # type: ignore[arg-type]
            try:
                answer: list[str] | str = await query
            except WorkflowQueryFailedError as err:
                answer = str(err)
            refusals = await update
            times = await handle.result()
    try:
        await Replayer(workflows=[Probe], data_converter=client.data_converter).replay_workflow(
            await handle.fetch_history()
        )
        replays = True
    except Exception:  # noqa: BLE001 - any replay failure is the finding
        replays = False
    return Attempt(answer=answer, times=times, refusals=refusals, replays=replays)


async def _until_run_ahead(client: Client, interceptors: Sequence[Interceptor]) -> Attempt:
    for _ in range(ATTEMPTS):
        attempt = await _attempt(client, interceptors)
        if attempt.ran_ahead:
            return attempt
        assert attempt.replays, "a history without a run-ahead must replay"
    pytest.skip(f"the server handed the task before the query in {ATTEMPTS} attempts")


async def test_a_run_ahead_is_thrown_away_and_the_history_replays(
    dev_server: WorkflowEnvironment, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="temporalio.worker._workflow_instance")
    attempt = await _until_run_ahead(dev_server.client, [RunAheadGuard()])
    assert attempt.answer == RAN_AHEAD
    # the worker's log says so in one line, not as a failed activation with a traceback
    sdk = [r for r in caplog.records if r.name == "temporalio.worker._workflow_instance"]
    said = [r for r in sdk if RAN_AHEAD in r.getMessage()]
    assert said and all(r.levelno == logging.INFO and r.exc_info is None for r in said)
    assert not [r for r in sdk if r.levelno >= logging.WARNING], [r.getMessage() for r in sdk]
    # The update came with the activity's result; the real task applies it first, at step one.
    assert attempt.refusals == ["not at step two"]
    assert attempt.replays
    assert attempt.times[1] > attempt.times[0]  # step two at the real task's time


async def test_without_the_guard_a_run_ahead_writes_a_history_that_does_not_replay(
    dev_server: WorkflowEnvironment,
) -> None:
    """The upstream defect itself: when this fails, the SDK has fixed it and the guard can go."""
    attempt = await _until_run_ahead(dev_server.client, [])
    assert attempt.refusals == []
    assert not attempt.replays


@workflow.defn(sandboxed=False)
class StatusReads:
    """Stands in for a journey whose status reads fail as set in _FAILURES, then answer."""

    @workflow.run
    async def run(self) -> None:
        await workflow.wait_condition(lambda: False)

    @workflow.query
    def status(self) -> JourneyStatus:
        wid = workflow.info().workflow_id
        _READS[wid] += 1
        if _FAILURES[wid]:
            raise RuntimeError(_FAILURES[wid].pop(0))
        return JourneyStatus(workflow_id=wid, application_id="APP-READS", stage=Stage.APPROVAL,
                             attempt=1, waits_on=Party.BANK)


@pytest.mark.parametrize(
    ("failures", "error", "reads"),
    [
        ([RAN_AHEAD] * len(operations.RUN_AHEAD_WAITS), None, 4),  # asked again each time
        # then it gives up, with advice for the command line
        ([RAN_AHEAD] * (len(operations.RUN_AHEAD_WAITS) + 1), "4 times running.*ask again", 4),
        (["the status query broke"], "could not answer.*the status query broke", 1),  # at once
    ],
    ids=["thrown-away-reads-are-asked-again", "gives-up-after-its-waits", "other-failures-at-once"],
)
async def test_operations_status_asks_again_after_a_thrown_away_read(
    dev_server: WorkflowEnvironment, failures: list[str], error: str | None, reads: int
) -> None:
    client, queue = dev_server.client, f"status-reads-{uuid.uuid4()}"
    async with Worker(client, task_queue=queue, workflows=[StatusReads]):
        handle = await client.start_workflow(StatusReads.run, id=queue, task_queue=queue)
        _FAILURES[queue] = list(failures)
        try:
            if error is None:
                status = await operations.status(client, queue)
                assert (status.workflow_id, status.stage) == (queue, Stage.APPROVAL)
            else:
                with pytest.raises(JourneyError, match=error) as raised:
                    await operations.status(client, queue)
                assert isinstance(raised.value.__cause__, WorkflowQueryFailedError)
        finally:
            await handle.terminate("test over")
    assert _READS.pop(queue) == reads
