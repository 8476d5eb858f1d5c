"""docker-compose.yml's layout on the real dev server: a worker process that runs the
journeys (`LOAN_JOURNEY_WORKER_ROLE=journeys`) and a reader process that reads the documents
(`documents`), both `python worker.py` as the image runs them. Real OCR of the sample scans
happens in the reader only, and the journey goes on in the worker."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.testing import WorkflowEnvironment

from journey import contracts
from journey.documents import ReadStatus
from journey.settings import Settings
from journey.stages import Stage
from tests.e2e.conftest import SAMPLES
from tests.e2e.processes import pid_of, polling, start_sample, worker_process
from tests.e2e.test_journey_on_dev_server import until

pytestmark = pytest.mark.e2e


async def test_a_reader_process_reads_what_a_journeys_worker_process_queues(
    dev_server: WorkflowEnvironment, e2e_settings: Settings, tmp_path: Path
) -> None:
    # A task queue of its own: the session's in-process worker polls the other one.
    settings = e2e_settings.model_copy(update={"task_queue": f"apart-{uuid.uuid4()}"})
    labels = json.loads((SAMPLES / "demo/labels.json").read_text(encoding="utf-8"))
    truth = next(d for d in labels if d["file"] == "company2_business_license.jpg")
    scans = [SAMPLES / "demo" / f"company2_{kind}.jpg"
             for kind in ("business_license", "balance_sheet", "income_statement")]
    with (
        worker_process(settings, "journeys", tmp_path / "worker.log") as worker,
        worker_process(settings, "documents", tmp_path / "reader.log") as reader,
    ):
        documents_queue = contracts.documents_queue(settings.task_queue)
        decisions_queue = contracts.decisions_queue(settings.task_queue)
        assert (await polling(worker, tmp_path / "worker.log")).endswith(
            f"polling task queue(s) {settings.task_queue}, {decisions_queue} at "
            f"{settings.temporal_address}")
        assert (await polling(reader, tmp_path / "reader.log")).endswith(
            f"polling task queue(s) {documents_queue} at {settings.temporal_address}")
        journey = await start_sample(settings, "demo-002.json", scans, tmp_path)
        handle = dev_server.client.get_workflow_handle(journey)
        try:
            waiting = await until(dev_server.client, journey, Stage.RISK_REVIEW, checked=True)
            assert [r.status for r in waiting.readings] == [ReadStatus.READ] * 3
            license = next(r.license for r in waiting.readings if r.license)
            assert (license.name, license.credit_code) == (truth["name"], truth["credit_code"])
            by_type: dict[str, set[str]] = {}
            scheduled: dict[int, str] = {}
            async for e in handle.fetch_history_events():
                if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
                    scheduled[e.event_id] = e.activity_task_scheduled_event_attributes \
                        .activity_type.name
                elif e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
                    started = e.activity_task_started_event_attributes
                    by_type.setdefault(scheduled[started.scheduled_event_id], set()).add(
                        pid_of(started.identity))
                elif e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
                    by_type.setdefault("workflow tasks", set()).add(
                        pid_of(e.workflow_task_completed_event_attributes.identity))
            # Identities name the pid: every read in the reader, everything else in the worker.
            assert by_type.pop(contracts.READ_DOCUMENT) == {str(reader.pid)}
            assert by_type.pop("workflow tasks") == {str(worker.pid)}
            assert by_type and all(pids == {str(worker.pid)} for pids in by_type.values())
        finally:
            await handle.terminate("test finished")
