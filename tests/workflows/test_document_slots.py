"""Reading documents (OCR, CPU-bound) has its own task queue and slots (worker.py): while
every reader is busy with one journey's uploads, the other journeys' work goes on; a read
queued on the journeys' own queue, as journeys did before, is still read; readers can run as
processes of their own (LOAN_JOURNEY_WORKER_ROLE), scaled apart from the journeys' workers."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid

from temporalio import activity
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from journey import contracts
from journey.contracts import ReadDocumentInput
from journey.documents import DocumentReading, ReadStatus
from journey.settings import Settings
from journey.stages import Stage
from store import timing
from tests.workflows.journey_kit import (
    Documents,
    application,
    drive_to,
    journey_worker,
    new_application,
    start,
    status,
    until_stage,
)
from tests.workflows.read_once import ReadOnce, ReadOnceWorkflow
from worker import build_worker


def _entered(url: str, workflow_id: str, stage: Stage, within: float = 10.0) -> bool:
    """Whether the journey store shows `stage` entered, waiting up to `within` seconds."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if timing.reached(url, stage, [workflow_id]):
            return True
        time.sleep(0.1)
    return False


async def _read_queues(handle: WorkflowHandle) -> set[str]:
    scheduled = EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
    return {
        e.activity_task_scheduled_event_attributes.task_queue.name
        async for e in handle.fetch_history_events()
        if e.event_type == scheduled
        and e.activity_task_scheduled_event_attributes.activity_type.name
        == contracts.READ_DOCUMENT
    }


async def test_other_journeys_go_on_while_every_reader_is_busy(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    docs = Documents()
    waiting, uploading = application(docs), application(docs)
    held = {r.sha256 for r in uploading.documents}
    reading, release = threading.Event(), threading.Event()

    @activity.defn(name=contracts.READ_DOCUMENT)
    def read_document(request: ReadDocumentInput) -> DocumentReading:
        if request.ref.sha256 in held:  # the uploading journey's reads take a while
            reading.set()
            release.wait(timeout=30)
        return docs.readings[request.ref.sha256]

    client = time_skipping_env.client
    # One slot for each kind of work: one read in progress takes every reader.
    async with journey_worker(
        client, tmp_path, docs, [read_document], slots=(1, 1)
    ) as settings:
        other = await start(client, settings, waiting)
        await drive_to(other, waiting, Stage.RISK_REVIEW)
        busy = await start(client, settings, uploading)
        try:
            assert await asyncio.to_thread(reading.wait, 10), "the upload was never read"
            await drive_to(other, waiting, Stage.APPROVAL)
            # The risk opinion's timing write ran beside the read: it has slots of its own.
            assert await asyncio.to_thread(_entered, settings.db_url, other.id, Stage.APPROVAL)
            assert await _read_queues(busy) == {contracts.documents_queue(settings.task_queue)}
        finally:
            release.set()
        await drive_to(busy, uploading, Stage.RISK_REVIEW)


async def test_a_read_queued_before_reads_had_their_own_queue_is_read(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    docs, app = new_application()

    @activity.defn(name=contracts.READ_DOCUMENT)
    def read_document(request: ReadDocumentInput) -> DocumentReading:
        return docs.readings[request.ref.sha256]

    client = time_skipping_env.client
    settings = Settings(data_dir=tmp_path, task_queue=f"tq-{uuid.uuid4()}")
    async with build_worker(
        client, settings, workflows=[ReadOnceWorkflow], activities=[read_document]
    ):
        reading = await asyncio.wait_for(
            client.execute_workflow(
                ReadOnceWorkflow.run,
                ReadOnce(read=ReadDocumentInput(workflow_id="an-older-journey",
                                                ref=app.documents[0])),
                id=f"older-{uuid.uuid4()}",
                task_queue=settings.task_queue,
            ),
            timeout=20,
        )
    assert reading.status is ReadStatus.READ and reading.ref == app.documents[0]


async def test_readers_read_what_the_journeys_workers_queue_and_run_nothing_else(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    """A worker with the role "journeys" runs the journey but reads no document; the reads
    wait on their queue until a reader (role "documents", docker-compose.yml's `reader`)
    polls it, and it runs no workflow."""
    docs, app = new_application()
    read_by: list[str] = []

    def reading_as(who: str):  # noqa: ANN202 - an activity definition
        @activity.defn(name=contracts.READ_DOCUMENT)
        def read_document(request: ReadDocumentInput) -> DocumentReading:
            read_by.append(who)
            return docs.readings[request.ref.sha256]

        return read_document

    client = time_skipping_env.client
    async with journey_worker(
        client, tmp_path, docs, [reading_as("journeys worker")], role="journeys"
    ) as settings:
        handle = await start(client, settings, app)
        await until_stage(handle, Stage.DOCUMENTS)
        await asyncio.sleep(1.0)  # time enough to read three prepared readings, had it a reader
        assert (await status(handle)).stage is Stage.DOCUMENTS and read_by == []
        reader = build_worker(
            client, settings.model_copy(update={"worker_role": "documents"}),
            activities=[reading_as("reader")],
        )
        assert reader.journeys is None
        assert reader.task_queues == [contracts.documents_queue(settings.task_queue)]
        async with reader:
            await drive_to(handle, app, Stage.RISK_REVIEW)
    assert read_by == ["reader"] * len(app.documents)
