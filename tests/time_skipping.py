"""A time-skipping server's sleep that waits for its clock, not for one call's answer.

`WorkflowEnvironment.sleep` on the time-skipping server is one UnlockTimeSkippingWithSleep
call, which the SDK's core bounds at its default 30 s, in real seconds, whatever the time it
skips. In a full run on a loaded machine one such call answered "Timeout expired" at 30 s
(test_drawdown_stage_continues, 19 days to skip). Reproduced under CPU load (3 of ~20 runs
of that test beside three busy processes): each time a status query had first gone
unanswered for its 5 s on the walk to drawdowns, and from then on the server's clock stayed
locked once more than it should. The next sleep's call was held with the clock not moving
(still at the real time after 30 s), while a second call for the same instant, made 3 s
later, skipped the 19 days at once; each later sleep's first call was held the same way.
A call unlocks the clock until the instant it asks for and locks it again then, so calls
for the same instant leave the server's locks as they found them.

So `skip` gives each call a few seconds and calls again for what is left of the same
instant, until the clock is there; it fails only after CLOCK_WITHIN real seconds with the
clock short of it. A call held while the server runs what falls due in the skipped time
(a busy machine) is called again too: harmless, the clock moves for either.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from functools import partial

from temporalio.api.testservice.v1 import SleepRequest
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

CALL_ANSWER = timedelta(seconds=3)
"""Real time one sleep call is given before it is made again for what is left."""
CLOCK_WITHIN = 120.0
"""Real seconds a sleep may take (its timers' workflow tasks and activities run meanwhile)."""


async def skip(env: WorkflowEnvironment, duration: timedelta | float) -> None:
    """Let the server's clock run `duration` on from now, firing what falls due meanwhile."""
    delta = duration if isinstance(duration, timedelta) else timedelta(seconds=duration)
    until = await env.get_current_time() + delta
    loop = asyncio.get_running_loop()
    deadline = loop.time() + CLOCK_WITHIN
    while (left := until - await env.get_current_time()) > timedelta(0):
        request = SleepRequest()
        request.duration.FromTimedelta(left)
        try:
            await env.client.test_service.unlock_time_skipping_with_sleep(
                request, timeout=CALL_ANSWER)
        except RPCError as err:
            if loop.time() > deadline:
                raise AssertionError(
                    f"the time-skipping server's clock is {left} short of {until} after "
                    f"{CLOCK_WITHIN:g} s: {err}") from err


def skipping(env: WorkflowEnvironment) -> WorkflowEnvironment:
    """`env` whose `sleep` is `skip`: the tests' time-skipping servers, and every helper that
    sleeps on them, sleep this way."""
    env.sleep = partial(skip, env)  # type: ignore[method-assign]
    return env
