"""A replay whose activation the machine starved past the SDK's 2 s deadlock detection is
tried again, not reported as a failure (starter/audit_replay.py `STARVED`), also when the
SDK then cannot evict the starved run; a run that blocks every time is still reported."""

import asyncio
import time

import pytest
from temporalio import workflow
from temporalio.client import WorkflowHistory
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from starter.audit_replay import STARVED, verify

# how many replays in turn hold their thread past the deadlock detection, as a machine too
# busy to give the first activation its CPU would
STALLS: list[bool] = []


@workflow.defn(name="Starved", sandboxed=False)
class Starved:
    @workflow.run
    async def run(self) -> str:
        if STALLS:
            STALLS.pop()
            time.sleep(2.2)  # the stall is the point: no await, the thread held
        return "replayed"


async def _never_ends(running: list[bool]) -> None:
    """A task no eviction ends, as the tasks a starved journey's interrupted thread left
    were once (the SDK logged "Eviction processed, but 5 tasks remain" every 2 s)."""
    running.append(True)
    while True:
        try:
            await workflow.wait_condition(lambda: False)
        except GeneratorExit:
            raise
        except BaseException:  # noqa: BLE001  (the eviction's cancel, swallowed on purpose)
            continue


@workflow.defn(name="StarvedUnevictable", sandboxed=False)
class StarvedUnevictable:
    @workflow.run
    async def run(self) -> str:
        if STALLS:
            STALLS.pop()
            running: list[bool] = []
            asyncio.get_running_loop().create_task(_never_ends(running))
            await workflow.wait_condition(lambda: bool(running))  # the same activation
            time.sleep(2.2)
        return "replayed"


async def _recorded(env: WorkflowEnvironment, cls: type) -> WorkflowHistory:
    async with Worker(env.client, task_queue="starved", workflows=[cls]):
        handle = await env.client.start_workflow(cls.run, id="starved-1",  # type: ignore[attr-defined]
                                                 task_queue="starved")
        assert await handle.result() == "replayed"
    return await handle.fetch_history()


@pytest.fixture
async def history(time_skipping_env: WorkflowEnvironment) -> WorkflowHistory:
    return await _recorded(time_skipping_env, Starved)


async def test_a_replay_starved_once_is_tried_again_and_replays(
        history: WorkflowHistory) -> None:
    STALLS[:] = [True]
    report = await verify([history], [Starved])
    assert STALLS == [] and report.ok, report.failures


async def test_a_run_that_blocks_on_every_try_is_reported(history: WorkflowHistory) -> None:
    STALLS[:] = [True] * 2
    report = await verify([history], [Starved])
    [failed] = report.failures
    assert STALLS == [] and STARVED in failed.error and not failed.nondeterministic


async def test_a_starved_replay_the_sdk_cannot_evict_is_stopped_and_tried_again(
        time_skipping_env: WorkflowEnvironment) -> None:
    history = await _recorded(time_skipping_env, StarvedUnevictable)
    STALLS[:] = [True]
    report = await verify([history], [StarvedUnevictable], limit=20)
    assert STALLS == [] and report.ok, report.failures
