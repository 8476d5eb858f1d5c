"""A journey left in a stopped worker's cache never writes into another workflow.

Core does not evict idle cached runs when a worker shuts down (temporalio/sdk-python#1849),
so the SDK drops a journey that waits for people with its coroutines suspended. Python's
garbage collector closes them later, on whichever thread runs it, possibly while that thread
runs another workflow's activation (temporalio/sdk-python#494); code in a `finally` that calls
the workflow API then acts on that other workflow. Seen in CI: a status query failed with
TMPRL1100 because a bystander's history had gained a stage's timing write.

Here the collector is played by hand, deterministically: every coroutine of the dropped run
is closed inside a bystander workflow's activation, as the collector would close it.
"""

from __future__ import annotations

import gc
import uuid
from collections.abc import Coroutine
from typing import Any

from temporalio import workflow
from temporalio.api.enums.v1 import EventType
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from journey.stages import Stage
from tests.workflows.journey_kit import drive_to, journey_worker, new_application, start, terminate

_TO_CLOSE: list[Coroutine[Any, Any, Any]] = []

_ITS_OWN = {
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
    EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
    EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
    EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
}


@workflow.defn(sandboxed=False)  # shares _TO_CLOSE with the test
class Bystander:
    """Does nothing of its own: any other event in its history came from the journey."""

    @workflow.run
    async def run(self) -> None:
        while _TO_CLOSE:
            _TO_CLOSE.pop().close()  # what the collector does on this thread


def _dropped_coroutines(workflow_id: str) -> list[Coroutine[Any, Any, Any]]:
    """The suspended coroutines of the run the worker dropped (the SDK's instance of it)."""
    return [
        task.get_coro()
        for o in gc.get_objects()
        if type(o).__name__ == "_WorkflowInstanceImpl" and o._info.workflow_id == workflow_id
        for task in o._tasks
    ]


async def test_a_journey_dropped_by_a_stopped_worker_acts_on_no_other_workflow(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    client = time_skipping_env.client
    docs, app = new_application()
    gc.disable()  # the collector must not close the journey before the bystander runs
    try:
        async with journey_worker(client, tmp_path, docs, restarting=True) as settings:
            handle = await start(client, settings, app)
            await drive_to(handle, app, Stage.OFFER)  # waits in a stage for the signature
        dropped = _dropped_coroutines(handle.id)
        assert dropped, "the stopped worker closed the journey itself: nothing was dropped"
        _TO_CLOSE.extend(dropped)
        queue = f"tq-{uuid.uuid4()}"
        async with Worker(client, task_queue=queue, workflows=[Bystander]):
            bystander = await client.start_workflow(
                Bystander.run, id=f"bystander-{uuid.uuid4()}", task_queue=queue
            )
            await bystander.result()
        assert not _TO_CLOSE
        foreign = [
            EventType.Name(e.event_type)
            for e in (await bystander.fetch_history()).events
            if e.event_type not in _ITS_OWN
        ]
        assert foreign == [], f"the closed journey acted on the bystander: {foreign}"
    finally:
        gc.enable()
        _TO_CLOSE.clear()
        await terminate(handle)
