"""The event that started a journey's run, read from the Temporal server (its history's first
page, one event): what the run was started with, for a caller no worker answers."""

from __future__ import annotations

from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.history.v1 import WorkflowExecutionStartedEventAttributes
from temporalio.api.workflowservice.v1 import GetWorkflowExecutionHistoryRequest
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode


async def started_event(client: Client, workflow_id: str
                        ) -> WorkflowExecutionStartedEventAttributes | None:
    """The started event of the journey `workflow_id`'s latest run; None when the server has
    no such journey (or no longer has it)."""
    try:
        page = await client.workflow_service.get_workflow_execution_history(
            GetWorkflowExecutionHistoryRequest(
                namespace=client.namespace, maximum_page_size=1,
                execution=WorkflowExecution(workflow_id=workflow_id)))
    except RPCError as err:
        if err.status is RPCStatusCode.NOT_FOUND:
            return None
        raise
    events = page.history.events[:1]
    return events[0].workflow_execution_started_event_attributes if events else None
