"""The status of a journey that has failed says how and when it ended, asking no worker
(starter/ended_outside.py); a status query that fails on one that runs says it runs on
(starter/unanswered.py). The workflow here has no status query, as a worker that
cannot decode the journey's payloads cannot answer one."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from temporalio import activity
from temporalio.client import WorkflowFailureError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from journey import contracts
from journey.contracts import ReadDocumentInput
from journey.documents import DocumentReading
from journey.policy.calendar import moment_at
from starter.errors import Ended, JourneyError
from starter.operations import status_of
from tests.workflows.journey_kit import ref
from tests.workflows.read_once import ReadOnce, ReadOnceWorkflow


@activity.defn(name=contracts.READ_DOCUMENT)
async def read_document(request: ReadDocumentInput) -> DocumentReading:
    raise RuntimeError("Failed decoding arguments")


async def test_the_status_of_a_failed_journey_says_it_failed_and_when(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    client, queue = time_skipping_env.client, f"tq-{uuid.uuid4()}"
    async with Worker(client, task_queue=queue, workflows=[ReadOnceWorkflow],
                      activities=[read_document]):
        read = ReadDocumentInput(workflow_id="loan-APP-FAILED", ref=ref("licence"))
        handle = await client.start_workflow(
            ReadOnceWorkflow.run, ReadOnce(read=read, attempts=1), id=f"loan-{uuid.uuid4()}",
            task_queue=queue)
        with pytest.raises(WorkflowFailureError):
            await handle.result()
        closed = (await handle.describe()).close_time
        assert closed is not None
        with pytest.raises(Ended) as told:
            await status_of(handle, within=timedelta(seconds=10))
    said = str(told.value)
    assert said.startswith(f"{handle.id} failed on the Temporal server at "
                           f"{moment_at(closed, 8)} (")  # the bank's clock
    assert "It takes no more actions" in said
    assert "runs on" not in said
    assert f"`loan-journey history {handle.id}`" in said


async def test_the_status_of_a_running_journey_that_cannot_answer_says_it_runs_on(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    client, queue = time_skipping_env.client, f"tq-{uuid.uuid4()}"
    async with Worker(client, task_queue=queue, workflows=[ReadOnceWorkflow],
                      activities=[read_document]):
        read = ReadDocumentInput(workflow_id="loan-APP-RUNNING", ref=ref("licence"))
        handle = await client.start_workflow(  # its read retried until it succeeds
            ReadOnceWorkflow.run, ReadOnce(read=read), id=f"loan-{uuid.uuid4()}",
            task_queue=queue)
        try:
            with pytest.raises(JourneyError) as told:
                await status_of(handle, within=timedelta(seconds=10))
        finally:
            await handle.terminate("test finished")
    assert not isinstance(told.value, Ended)
    assert "The journey itself runs on" in str(told.value)
