"""A journey stuck on an activity, on the real dev server: a worker of the journeys alone
(LOAN_JOURNEY_WORKER_ROLE=journeys) and no document reader leave its read waiting for ever,
at "documents, waits on system, SLA ok"; a read that fails attempt after attempt (the
database down) as well. `status` says what it waits for and what to start, or how the
activity fails; `list --stuck` finds them both, and not a journey waiting on a person."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from temporalio import activity
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from journey import contracts
from journey.contracts import ReadDocumentInput
from journey.documents import DocumentReading
from journey.stages import Stage
from tests.cli_kit import cli, point_cli_at, said
from tests.workflows.journey_kit import (
    drive_to,
    journey_worker,
    new_application,
    start,
)

pytestmark = pytest.mark.e2e


@activity.defn(name=contracts.READ_DOCUMENT)
def read_document(request: ReadDocumentInput) -> DocumentReading:
    raise RuntimeError("could not connect to the journey database: connection refused")


async def test_status_and_list_stuck_say_a_read_nobody_polls_for_and_a_read_that_fails(
    dev_server: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = dev_server.client
    point_cli_at(monkeypatch, client, tmp_path)
    docs, app = new_application()
    failing_docs, failing_app = new_application()
    person_docs, person_app = new_application()
    async with (
        journey_worker(client, tmp_path, docs, role="journeys") as settings,
        journey_worker(client, tmp_path / "failing", failing_docs,
                       [read_document]) as failing_settings,
        journey_worker(client, tmp_path / "person", person_docs) as person_settings,
    ):
        no_reader = await start(client, settings, app)
        failing = await start(client, failing_settings, failing_app)
        on_person = await start(client, person_settings, person_app)
        await drive_to(on_person, person_app, Stage.RISK_REVIEW)
        await _pending(no_reader, 1)
        await _pending(failing, 3)

        shown = await cli("status", no_reader.id)
        assert shown.exit_code == 0, shown.output
        told = said(shown)
        assert "documents (attempt 1), waits on system" in told, told
        reads = contracts.documents_queue(settings.task_queue)
        assert (f"waiting for a document reader: none polls {reads} (since ") in told, told
        assert ("): start one (loan-journey worker with LOAN_JOURNEY_WORKER_ROLE=documents, "
                "or all)") in told, told

        shown = await cli("status", failing.id)
        assert shown.exit_code == 0, shown.output
        told = said(shown)
        assert "read_document failing (3 pending): attempt " in told, told  # a line for all
        assert ("last failure: could not connect to the journey database: connection refused"
                in told), told
        assert "none polls" not in told, told

        listed = await cli("list", "--stuck", "--attempts", "3")
        assert listed.exit_code == 0, listed.output
        told = said(listed)
        assert no_reader.id in told and failing.id in told, told
        assert on_person.id not in told, told
        assert told.count(f"read_document (3 pending): none polls {reads}") == 1, told
        assert told.count("read_document (3 pending): attempt ") == 1, told
        narrowed = said(await cli("list", "--stuck", "--query", f"WorkflowId = '{failing.id}'"))
        assert failing.id in narrowed and no_reader.id not in narrowed, narrowed
        assert "1 journey stuck of 1 running" in narrowed, narrowed


async def _pending(handle: WorkflowHandle, attempts: int) -> None:
    """Until the journey's document read is pending, tried `attempts` times."""
    for _ in range(300):
        described = await handle.describe()
        if any(p.activity_type.name == contracts.READ_DOCUMENT and p.attempt >= attempts
               for p in described.raw_description.pending_activities):
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{handle.id} has no read pending after {attempts} attempts")

