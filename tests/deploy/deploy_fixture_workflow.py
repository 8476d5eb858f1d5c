"""A trivial workflow and activity, so the SDK has something to count in the metrics test.

No `from __future__ import annotations`: a workflow definition module, kept plain for the
sandbox.
"""

from datetime import timedelta

from temporalio import activity, workflow


@activity.defn
def ping(name: str) -> str:
    return f"pong {name}"


@workflow.defn
class MetricsPing:
    @workflow.run
    async def run(self, name: str) -> str:
        return await workflow.execute_activity(
            ping, name, start_to_close_timeout=timedelta(seconds=10)
        )
