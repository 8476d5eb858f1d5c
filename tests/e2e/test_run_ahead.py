"""The query-task run-ahead (workflows/run_ahead.py), reproduced alone on the real dev server.

One attempt: worker A runs a probe's first task (it schedules an activity) and stops; a status
query is sent while no workflow worker runs; the activity completes (a workflow task is
scheduled); an update is sent; worker B starts. When B takes the query before the workflow
task, core applies the activity's result inside the query task: the probe runs ahead (its
log shows the time of its first task, not a new one). The update then comes with the real
task. Whether B takes the query or the task first is the server's choice, so attempts repeat
until one runs ahead.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta

import pytest
from temporalio import activity, workflow
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Interceptor, Replayer, Worker

from journey.actors import Actor, Role
from journey.decisions import UpdateResult, Withdrawal
from journey.stages import Stage
from starter import operations
from starter.errors import Refused
from workflows.run_ahead import REFUSAL, RunAheadGuard

pytestmark = pytest.mark.e2e
ATTEMPTS = 12
_GATES: dict[str, asyncio.Event] = {}
# Any request will do: the probe only counts it.
REQUEST = Withdrawal(actor=Actor(id="ops-1", role=Role.OPERATIONS), reason="probe")


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
    async def run(self, activities: str) -> None:
        self.times.append(workflow.now().isoformat())
        await workflow.execute_activity(
            wait_for_gate, workflow.info().workflow_id, task_queue=activities,
            start_to_close_timeout=timedelta(minutes=1),
        )
        self.times.append(workflow.now().isoformat())
        self.step = 2
        workflow.upsert_memo({"step": 2})  # a command of the step, written after the result
        await workflow.wait_condition(lambda: self.decided)

    @workflow.query
    def status(self) -> list[str]:
        return self.times

    @workflow.update
    def decide(self, request: Withdrawal) -> UpdateResult:
        self.decided = True
        return UpdateResult(stage=Stage.RISK_REVIEW, message=f"decided: {request.reason}")

    @decide.validator
    def _only_at_step_two(self, request: Withdrawal) -> None:
        if self.step != 2:
            raise ValueError("not at step two")


# How the person sends the update: returns the refusals met before it was taken.
Send = Callable[[Client, WorkflowHandle], Awaitable[list[str]]]


async def by_hand(client: Client, handle: WorkflowHandle) -> list[str]:
    """Each refusal is noted, and the update sent again."""
    refusals: list[str] = []
    while True:
        try:
            await handle.execute_update(Probe.decide, REQUEST)
            return refusals
        except WorkflowUpdateFailedError as err:
            refusals.append(operations.refusal(err))


async def through_operations(client: Client, handle: WorkflowHandle) -> list[str]:
    """`operations.act`, as the command line sends it; each refusal it raises is noted."""
    refusals: list[str] = []
    while True:
        try:
            await operations.act(client, handle.id, "decide", REQUEST)
            return refusals
        except Refused as err:
            refusals.append(str(err))


@dataclass
class Attempt:
    ran_ahead: bool
    refusals: list[str]
    replays: bool


async def _attempt(client: Client, interceptors: Sequence[Interceptor], send: Send) -> Attempt:
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
        update = asyncio.create_task(send(client, handle))
        await asyncio.sleep(0.3)
        async with Worker(client, **probe):  # type: ignore[arg-type]
            times = await query
            refusals = await update
            await handle.result()
    try:
        await Replayer(workflows=[Probe], data_converter=client.data_converter).replay_workflow(
            await handle.fetch_history()
        )
        replays = True
    except Exception:  # noqa: BLE001 - any replay failure is the finding
        replays = False
    return Attempt(
        ran_ahead=len(times) == 2 and times[0] == times[1], refusals=refusals, replays=replays
    )


async def _until_run_ahead(
    client: Client, interceptors: Sequence[Interceptor], send: Send = by_hand
) -> Attempt:
    for _ in range(ATTEMPTS):
        attempt = await _attempt(client, interceptors, send)
        if attempt.ran_ahead:
            return attempt
        assert attempt.replays, "a history without a run-ahead must replay"
    pytest.skip(f"the server handed the task before the query in {ATTEMPTS} attempts")


async def test_an_update_after_a_run_ahead_is_refused_once_and_the_history_replays(
    dev_server: WorkflowEnvironment,
) -> None:
    attempt = await _until_run_ahead(dev_server.client, [RunAheadGuard()])
    assert attempt.refusals == [REFUSAL]
    assert attempt.replays


async def test_the_operations_api_sends_that_update_again_by_itself(
    dev_server: WorkflowEnvironment,
) -> None:
    attempt = await _until_run_ahead(dev_server.client, [RunAheadGuard()], through_operations)
    assert attempt.refusals == []
    assert attempt.replays


async def test_without_the_guard_a_run_ahead_writes_a_history_that_does_not_replay(
    dev_server: WorkflowEnvironment,
) -> None:
    """The upstream defect itself: when this fails, the SDK has fixed it and the guard can go."""
    attempt = await _until_run_ahead(dev_server.client, [])
    assert attempt.refusals == []
    assert not attempt.replays
