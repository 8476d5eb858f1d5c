"""Reading one document (OCR) from a workflow: the one place that schedules READ_DOCUMENT,
KEEP_NEW_READING, which keeps what it read in the journey store, and KEEP_READING, which
keeps a corrected reading there.

Reads go to the documents task queue of the workflow's own queue, where worker.py runs them
with their own slots (journey/contracts.py `documents_queue`). A command's task queue is not
part of what a replay compares, so histories recorded before the split replay unchanged.

The reader parses customers' scans, so it holds neither the journey database nor the archive
key: since JOURNEY_KEEPS_READINGS, a read returns what it read and the journey keeps it on its
own queue, where a missing scan's reason is told too (erased under retention, or never sent).
Reads scheduled before asked the reader to keep the reading (`reader_keeps`), and replay so.
"""

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from journey import contracts
    from journey.contracts import KeepReadingInput, KeptReading, ReadDocumentInput
    from journey.documents import DocumentReading, DocumentRef
    from workflows.activity_options import OCR_HEARTBEAT, OCR_TIMEOUT, QUICK
    from workflows.io_retry import io_retry

JOURNEY_KEEPS_READINGS = "journey-keeps-readings"


async def read_document(
    journey_id: str, ref: DocumentRef, retry: RetryPolicy | None = None
) -> DocumentReading:
    """OCR the document `ref` of the journey `journey_id`, retried by `retry` (None: until it
    is read, workflows/io_retry.py), and the reading as the journey store keeps it."""
    journey_keeps = workflow.patched(JOURNEY_KEEPS_READINGS)
    reading = await workflow.execute_activity(
        contracts.READ_DOCUMENT,
        ReadDocumentInput(workflow_id=journey_id, ref=ref, reader_keeps=not journey_keeps),
        result_type=DocumentReading,
        task_queue=contracts.documents_queue(workflow.info().task_queue),
        start_to_close_timeout=OCR_TIMEOUT,
        heartbeat_timeout=OCR_HEARTBEAT,
        retry_policy=retry or io_retry(),
    )
    if not journey_keeps:
        return reading
    kept = await workflow.execute_activity(
        contracts.KEEP_NEW_READING,
        KeepReadingInput(workflow_id=journey_id, reading=reading),
        result_type=KeptReading,
        start_to_close_timeout=QUICK,
        retry_policy=io_retry(),
    )
    return reading if kept.reason is None else reading.model_copy(update={"reason": kept.reason})


async def keep_reading(journey_id: str, reading: DocumentReading) -> None:
    """Keep `reading` of the journey `journey_id` in the store as it now stands, in place of
    what OCR read (on the journey's own queue: a write, no OCR)."""
    await workflow.execute_activity(
        contracts.KEEP_READING,
        KeepReadingInput(workflow_id=journey_id, reading=reading),
        start_to_close_timeout=QUICK,
        retry_policy=io_retry(),
    )
