"""Reading one document (OCR) from a workflow: the one place that schedules READ_DOCUMENT,
and KEEP_READING, which keeps a corrected reading in the journey store.

Reads go to the documents task queue of the workflow's own queue, where worker.py runs them
with their own slots (journey/contracts.py `documents_queue`). A command's task queue is not
part of what a replay compares, so histories recorded before the split replay unchanged.
"""

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from journey import contracts
    from journey.contracts import KeepReadingInput, ReadDocumentInput
    from journey.documents import DocumentReading, DocumentRef
    from workflows.activity_options import OCR_HEARTBEAT, OCR_TIMEOUT, QUICK
    from workflows.io_retry import io_retry


async def read_document(
    journey_id: str, ref: DocumentRef, retry: RetryPolicy | None = None
) -> DocumentReading:
    """OCR the document `ref` of the journey `journey_id`, retried by `retry` (None: until it
    is read, workflows/io_retry.py)."""
    return await workflow.execute_activity(
        contracts.READ_DOCUMENT,
        ReadDocumentInput(workflow_id=journey_id, ref=ref),
        result_type=DocumentReading,
        task_queue=contracts.documents_queue(workflow.info().task_queue),
        start_to_close_timeout=OCR_TIMEOUT,
        heartbeat_timeout=OCR_HEARTBEAT,
        retry_policy=retry or io_retry(),
    )


async def keep_reading(journey_id: str, reading: DocumentReading) -> None:
    """Keep `reading` of the journey `journey_id` in the store as it now stands, in place of
    what OCR read (on the journey's own queue: a write, no OCR)."""
    await workflow.execute_activity(
        contracts.KEEP_READING,
        KeepReadingInput(workflow_id=journey_id, reading=reading),
        start_to_close_timeout=QUICK,
        retry_policy=io_retry(),
    )
