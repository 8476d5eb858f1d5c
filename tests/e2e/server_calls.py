"""Calls the e2e tests make to the dev server themselves, as its retention or an operator
would."""

from __future__ import annotations

from temporalio.api.common.v1 import WorkflowExecution as RunRef
from temporalio.api.workflowservice.v1 import DeleteWorkflowExecutionRequest
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

_TRIES = 3


async def delete_run(client: Client, workflow_id: str, run_id: str = "") -> None:
    """Delete a run (the latest without `run_id`) as the namespace's retention does, early.

    A call the transport cancels ('operation was canceled': the connection closed under it,
    a blip the SDK does not retry, temporalio/sdk-core#807; seen in a loaded full run) is
    made again; NOT_FOUND on a later try is the first call's delete done, its answer lost."""
    request = DeleteWorkflowExecutionRequest(
        namespace=client.namespace,
        workflow_execution=RunRef(workflow_id=workflow_id, run_id=run_id))
    for attempt in range(_TRIES):
        try:
            await client.workflow_service.delete_workflow_execution(request)
            return
        except RPCError as err:
            if attempt and err.status is RPCStatusCode.NOT_FOUND:
                return
            if err.status is not RPCStatusCode.CANCELLED or attempt == _TRIES - 1:
                raise
