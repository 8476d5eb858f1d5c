"""The tests' time-skipping sleep (tests/time_skipping.py) reaches its instant though the
server holds its clock locked once more than the test does, as it did under load after a
status query went unanswered: the SDK's one call was held, the clock still, until its 30 s
default deadline answered "Timeout expired". And it unlocks the clock once at a time: a
workflow task or activity in flight holds the clock while a sleep of days goes on."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from temporalio import activity, workflow
from temporalio.api.testservice.v1 import LockTimeSkippingRequest
from temporalio.common import RetryPolicy
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from tests.time_skipping import STALLED

HELD = STALLED / 2  # longer than the 3 s after which the helper once called again


async def test_a_sleep_skips_though_the_server_holds_its_clock_locked_once_too_often(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    env = time_skipping_env
    await env.client.test_service.lock_time_skipping(LockTimeSkippingRequest())
    before = await env.get_current_time()
    await env.sleep(timedelta(days=19))
    assert await env.get_current_time() - before >= timedelta(days=19)
    await env.sleep(timedelta(days=30))  # and the next, the lock still held
    assert await env.get_current_time() - before >= timedelta(days=49)


@activity.defn
async def held_for_seconds() -> str:
    """An activity that takes real seconds: the server holds its clock meanwhile."""
    await asyncio.sleep(HELD)
    return "done"


@workflow.defn(sandboxed=False)
class ActsAfterADay:
    @workflow.run
    async def run(self) -> str:
        await workflow.sleep(timedelta(days=1))
        return await workflow.execute_activity(
            held_for_seconds, start_to_close_timeout=timedelta(minutes=1),
            retry_policy=RetryPolicy(maximum_attempts=1))


async def test_a_sleep_leaves_the_clock_held_while_an_activity_runs(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    """An activity of HELD real seconds in a sleep of days: the clock waits for it (one
    unlock call in flight); two in flight had run the clock on and timed it out in skipped
    time, as CI's long skips under load did to workflow tasks."""
    env = time_skipping_env
    async with Worker(env.client, task_queue="held", workflows=[ActsAfterADay],
                      activities=[held_for_seconds]):
        handle = await env.client.start_workflow(ActsAfterADay.run, id="held",
                                                 task_queue="held")
        await env.sleep(timedelta(days=3))
        assert await handle.result() == "done"


async def test_a_sleep_answered_while_the_clock_is_read_is_not_slept_again(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    """The clock read in the loop was answered before the skip and reaches the helper after
    the skip's own answer: the helper reads it again, and does not call for the 23 days the
    stale reading leaves (CI, at 15:57 UTC: 23 days ended 47 days on)."""
    env = time_skipping_env
    before = await env.get_current_time()
    read = env.get_current_time
    readings: list[datetime] = []

    async def read_late() -> datetime:
        readings.append(await read())
        await asyncio.sleep(1)  # the skip, with nothing due meanwhile, is answered meanwhile
        return readings[0] if len(readings) == 2 else readings[-1]

    env.get_current_time = read_late  # type: ignore[method-assign]
    await env.sleep(timedelta(days=23))
    env.get_current_time = read  # type: ignore[method-assign]
    assert len(readings) > 2, "the helper read the clock again"
    slept = await env.get_current_time() - before
    assert timedelta(days=23) <= slept < timedelta(days=24), slept
