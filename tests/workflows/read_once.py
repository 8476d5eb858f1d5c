"""A workflow that schedules one document read on its own task queue, the way journeys did
before reads had a queue of their own, with the heartbeat timeout and attempts a test asks
for (tests/workflows/test_document_slots.py, tests/e2e/test_read_heartbeats.py).

No `from __future__ import annotations`: a workflow definition module, kept plain for the
sandbox.
"""

from datetime import timedelta

from pydantic import BaseModel
from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from journey import contracts
    from journey.contracts import ReadDocumentInput
    from journey.documents import DocumentReading


class ReadOnce(BaseModel):
    read: ReadDocumentInput
    heartbeat_seconds: float | None = None  # None: the reader need not heartbeat
    attempts: int = 0  # 0: retried until it succeeds


@workflow.defn
class ReadOnceWorkflow:
    @workflow.run
    async def run(self, request: ReadOnce) -> DocumentReading:
        beats = request.heartbeat_seconds
        return await workflow.execute_activity(
            contracts.READ_DOCUMENT,
            request.read,
            result_type=DocumentReading,
            start_to_close_timeout=timedelta(seconds=60),
            heartbeat_timeout=None if beats is None else timedelta(seconds=beats),
            retry_policy=RetryPolicy(maximum_attempts=request.attempts),
        )
