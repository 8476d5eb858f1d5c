"""The baseline of bench/journeys.py: a workflow that runs N no-op activities in a row.

It lives in its own importable module because the sandbox re-imports the module that
defines a workflow. No `from __future__ import annotations`: a workflow definition module.
"""

from datetime import timedelta

from pydantic import BaseModel
from temporalio import activity, workflow
from temporalio.common import RetryPolicy


class NoopInput(BaseModel):
    activities: int


class NoopResult(BaseModel):
    activities: int


@activity.defn(name="bench_noop")
def noop(step: int) -> int:
    return step


@workflow.defn
class NoopWorkflow:
    @workflow.run
    async def run(self, request: NoopInput) -> NoopResult:
        for step in range(request.activities):
            await workflow.execute_activity(
                noop,
                step,
                start_to_close_timeout=timedelta(seconds=30),
                retry_policy=RetryPolicy(maximum_attempts=3),
            )
        return NoopResult(activities=request.activities)
