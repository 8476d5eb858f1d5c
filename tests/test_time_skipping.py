"""The tests' time-skipping sleep (tests/time_skipping.py) reaches its instant though the
server holds its clock locked once more than the test does, as it did under load after a
status query went unanswered: the SDK's one call was held, the clock still, until its 30 s
default deadline answered "Timeout expired"."""

from __future__ import annotations

from datetime import timedelta

from temporalio.api.testservice.v1 import LockTimeSkippingRequest
from temporalio.testing import WorkflowEnvironment


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
