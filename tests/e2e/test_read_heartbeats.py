"""Document reads heartbeat (activities/heartbeat.py) under a heartbeat timeout
(workflows/reading.py), on the real dev server: a read that runs longer than the timeout but
is alive is not cut short, and a read whose reader is killed mid-read is taken by another
reader once the heartbeat timeout has passed, not after the read's whole start-to-close
timeout (OCR_TIMEOUT, ten minutes)."""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path

import pytest
from temporalio.api.enums.v1 import EventType, PendingActivityState, TimeoutType
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

import activities.documents
from journey import contracts
from journey.contracts import ReadDocumentInput
from journey.documents import DocumentKind, DocumentReading, ReadStatus
from journey.settings import Settings
from journey.stages import Stage
from store import blobs
from tests.e2e.conftest import SAMPLES
from tests.e2e.processes import eventually, pid_of, polling, start_sample, worker_process
from tests.e2e.test_journey_on_dev_server import until
from tests.workflows.read_once import ReadOnce, ReadOnceWorkflow
from worker import build_worker

pytestmark = pytest.mark.e2e
LICENCE = SAMPLES / "demo/company1_business_license.jpg"


async def test_a_read_longer_than_its_heartbeat_timeout_is_not_cut_short(
    dev_server: WorkflowEnvironment, e2e_settings: Settings, tmp_path: Path, monkeypatch
) -> None:
    settings = e2e_settings.model_copy(
        update={"task_queue": f"beats-{uuid.uuid4()}", "data_dir": tmp_path}
    )
    ref = blobs.put(blobs.DocumentStore.of(settings), LICENCE.read_bytes(), LICENCE.name)
    real_read = activities.documents._read

    def slow_read(data: bytes, request: ReadDocumentInput) -> DocumentReading:
        time.sleep(3)  # three heartbeat timeouts, then the real OCR
        return real_read(data, request)

    monkeypatch.setattr(activities.documents, "_read", slow_read)
    async with build_worker(dev_server.client, settings, workflows=[ReadOnceWorkflow]):
        handle = await dev_server.client.start_workflow(
            ReadOnceWorkflow.run,  # a heartbeat a second, and no second attempt
            ReadOnce(read=ReadDocumentInput(workflow_id="a-slow-read", ref=ref),
                     heartbeat_seconds=1, attempts=1),
            id=f"slow-read-{uuid.uuid4()}",
            task_queue=settings.task_queue,
        )
        reading = await asyncio.wait_for(handle.result(), 90)
    assert reading.status is ReadStatus.READ and reading.kind is DocumentKind.BUSINESS_LICENSE
    assert [attempt for _, attempt, _ in await read_starts(handle)] == [1]


async def read_starts(handle: WorkflowHandle) -> list[tuple[str, int, TimeoutType.ValueType]]:
    """Each started read that has ended: the pid of its reader, its attempt, and the timeout
    that ended the attempt before it (0 if none)."""
    reads: set[int] = set()
    starts = []
    async for e in handle.fetch_history_events():
        if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            if e.activity_task_scheduled_event_attributes.activity_type.name == \
                    contracts.READ_DOCUMENT:
                reads.add(e.event_id)
        elif e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
            started = e.activity_task_started_event_attributes
            if started.scheduled_event_id in reads:
                timeout = started.last_failure.timeout_failure_info.timeout_type
                starts.append((pid_of(started.identity), started.attempt, timeout))
    return starts


async def test_a_read_whose_reader_is_killed_goes_to_another_reader(
    dev_server: WorkflowEnvironment, e2e_settings: Settings, tmp_path: Path
) -> None:
    settings = e2e_settings.model_copy(update={"task_queue": f"killed-{uuid.uuid4()}"})
    scans = [SAMPLES / "demo" / f"company1_{kind}.jpg"
             for kind in ("business_license", "balance_sheet", "income_statement")]
    one_at_a_time = {"LOAN_JOURNEY_OCR_SLOTS": "1"}
    with worker_process(settings, "journeys", tmp_path / "worker.log") as worker:
        await polling(worker, tmp_path / "worker.log")
        with worker_process(
            settings, "documents", tmp_path / "first.log", one_at_a_time
        ) as first:
            await polling(first, tmp_path / "first.log")
            journey = await start_sample(settings, "demo-001.json", scans, tmp_path)
            handle = dev_server.client.get_workflow_handle(journey)
            await reading_now(handle)
            first.kill()  # kill -9, mid-read
            first.wait(timeout=10)
        try:
            with worker_process(
                settings, "documents", tmp_path / "second.log", one_at_a_time
            ) as second:
                await until(dev_server.client, journey, Stage.RISK_REVIEW, checked=True)
            starts = await read_starts(handle)
        finally:
            await handle.terminate("test finished")
    # Every read ended in the second reader; the killed one on its second attempt, after
    # its first ran out of heartbeats.
    assert {pid for pid, _, _ in starts} == {str(second.pid)}
    assert sorted((attempt, timeout) for _, attempt, timeout in starts) == [
        (1, TimeoutType.TIMEOUT_TYPE_UNSPECIFIED),
        (1, TimeoutType.TIMEOUT_TYPE_UNSPECIFIED),
        (2, TimeoutType.TIMEOUT_TYPE_HEARTBEAT),
    ]


async def reading_now(handle: WorkflowHandle) -> None:
    """Once a reader has started a read of the journey (looked for often: a read is short)."""
    started = PendingActivityState.PENDING_ACTIVITY_STATE_STARTED

    async def reading() -> bool:
        pending = (await handle.describe()).raw_description.pending_activities
        return any(a.activity_type.name == contracts.READ_DOCUMENT and a.state == started
                   for a in pending)

    await eventually("a read started", reading, every=0.05)
