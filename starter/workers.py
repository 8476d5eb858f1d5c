"""Whether a worker polls a task queue, as the Temporal server saw it: a running worker
long-polls its queue without pause, so one the server has not seen within the server's own
"no poller seen recently" span is none."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from temporalio.api.enums.v1 import TaskQueueKind, TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client
from temporalio.service import RPCError

RECENT = timedelta(minutes=2)  # the server answers no query on a queue unpolled this long


async def polled(client: Client, task_queue: str,
                 kind: TaskQueueType.ValueType = TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW) -> bool:
    """A worker has polled `task_queue` for journeys (`kind` activity: for activities) within
    `RECENT`; True too when the server does not say (a server that refuses the question, or a
    key not allowed to ask it)."""
    try:
        described = await client.workflow_service.describe_task_queue(DescribeTaskQueueRequest(
            namespace=client.namespace,
            task_queue=TaskQueue(name=task_queue, kind=TaskQueueKind.TASK_QUEUE_KIND_NORMAL),
            task_queue_type=kind))
    except RPCError:
        return True
    seen = datetime.now(UTC) - RECENT
    return any(p.last_access_time.ToDatetime(tzinfo=UTC) > seen for p in described.pollers)
