"""A time-skipping server's sleep that waits for its clock, not for one call's answer.

`WorkflowEnvironment.sleep` on the time-skipping server is one UnlockTimeSkippingWithSleep
call, which the SDK's core bounds at its default 30 s in real seconds, whatever the time it
skips: a skip of months, whose daily timers' workflow tasks run meanwhile, outlasts that on
a loaded machine. So `skip` makes the call with a bound of its own (CLOCK_WITHIN).

One call at a time: a call unlocks the server's clock until the instant it asks for and
locks it again then, so two calls in flight unlock it twice, and the clock then runs even
while a workflow task is out. That is how the suite failed before (CI, a fresh clone beside
helpers' tests): the helper called again whenever a call took 3 s, a skip of 18 months took
longer under load, and the server timed a workflow task out in skipped time 25 ms after
handing it to the worker (core's log: attempt 2, then 3, of one task within 50 ms), after
which the journey's timers no longer fired or its history went bad ("Expired workflow task",
"invalid history builder state for action").

A second call is made only when the clock has stalled: not moved faster than real time for
STALLED seconds with the call still in flight. That is the other failure this helper was
written for (test_drawdown_stage_continues under CPU load, 3 of ~20 runs): after a status
query went unanswered, the server's clock stayed locked once more than it should, a call
was held with the clock not moving, and a second call for the same instant skipped at once.

Whether the calls are answered is looked at before the clock is read, never after: a call
answered while the clock was being read leaves a reading from before its skip, and a call
for what that reading leaves skips it all again (CI, at 15:57 UTC: a sleep of 23 days
ended 47 days on, past New Year, and test_sla's journey entered risk review in late
January).
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from functools import partial

from temporalio.api.testservice.v1 import SleepRequest
from temporalio.testing import WorkflowEnvironment

CLOCK_WITHIN = 180.0
"""Real seconds a sleep may take (its timers' workflow tasks and activities run meanwhile)."""
STALLED = 10.0
"""Real seconds the clock may go no faster than real time, a call in flight, before a
second call unlocks it: longer than a workflow task or activity, which holds the clock
while it runs, takes on a loaded machine."""
POLL = 0.2
"""Real seconds between looks at the server's clock."""


async def skip(env: WorkflowEnvironment, duration: timedelta | float) -> None:
    """Let the server's clock run `duration` on from now, firing what falls due meanwhile."""
    delta = duration if isinstance(duration, timedelta) else timedelta(seconds=duration)
    start = await env.get_current_time()
    until = start + delta
    loop = asyncio.get_running_loop()
    deadline = loop.time() + CLOCK_WITHIN

    def call(left: timedelta) -> asyncio.Task[object]:
        request = SleepRequest()
        request.duration.FromTimedelta(left)
        return asyncio.create_task(env.client.test_service.unlock_time_skipping_with_sleep(
            request, timeout=timedelta(seconds=CLOCK_WITHIN)))

    calls = [call(delta)]
    seen, moved_at = start, loop.time()
    try:
        while True:
            answered = sum(c.done() for c in calls)  # before the clock is read: see below
            if (left := until - (clock := await env.get_current_time())) <= timedelta(0):
                break
            now = loop.time()
            if now > deadline:
                raise AssertionError(f"the time-skipping server's clock is {left} short of "
                                     f"{until} after {CLOCK_WITHIN:g} s")
            if (clock - seen).total_seconds() > 2 * (now - moved_at) + 1:
                seen, moved_at = clock, now  # skipping: the call in flight is working
            if sum(c.done() for c in calls) > answered:
                continue  # answered while the clock was read: read it again, after the call
            if answered == len(calls) or now - moved_at > STALLED:
                calls.append(call(left))
                seen, moved_at = clock, now
            await asyncio.sleep(POLL)
    finally:
        for c in calls:
            c.cancel()
        await asyncio.gather(*calls, return_exceptions=True)


def skipping(env: WorkflowEnvironment) -> WorkflowEnvironment:
    """`env` whose `sleep` is `skip`: the tests' time-skipping servers, and every helper that
    sleeps on them, sleep this way."""
    env.sleep = partial(skip, env)  # type: ignore[method-assign]
    return env
