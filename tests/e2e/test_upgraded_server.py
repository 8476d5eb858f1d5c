"""A dev-server database from an older version lacks the search attributes this version
added: start-dev registers its attributes only on a new database. The embedded server
registers what is missing at start and restarts, so that its cache holds them: a workflow
that sets one runs without a failed task (each failed with "no mapping defined for search
attribute" until the server's cache refreshed). And a worker on a cluster without them
refuses to start, saying which ones and how to register them."""

import asyncio
import contextlib
import uuid
from datetime import timedelta

import pytest
from temporalio import workflow
from temporalio.api.enums.v1 import EventType
from temporalio.api.operatorservice.v1 import ListSearchAttributesRequest
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

import worker
from journey.settings import Settings
from starter.embedded import embedded_server, temporal_cli
from starter.errors import SetupError
from tests.ports import free_port
from workflows import search_attributes as sa

pytestmark = pytest.mark.e2e


@workflow.defn(sandboxed=False)
class ListsTheLoanClass:
    @workflow.run
    async def run(self) -> str:
        workflow.upsert_search_attributes([sa.LOAN_CLASS.value_set("normal")])
        return "listed"


async def test_an_older_database_gets_the_new_search_attributes(tmp_path, monkeypatch) -> None:
    settings = Settings(data_dir=tmp_path, temporal_address=f"127.0.0.1:{free_port()}",
                        ui_port=free_port())
    older = tuple(key for key in sa.ALL if key is not sa.LOAN_CLASS)
    with monkeypatch.context() as before:
        before.setattr(sa, "ALL", older)  # the version that made the database
        async with embedded_server(settings) as env:
            listed = await env.client.operator_service.list_search_attributes(
                ListSearchAttributesRequest(namespace=env.client.namespace)
            )
            assert "LoanClass" not in listed.custom_attributes

    async with embedded_server(settings) as env:  # this version, on the same file
        client = env.client
        listed = await client.operator_service.list_search_attributes(
            ListSearchAttributesRequest(namespace=client.namespace)
        )
        assert "LoanClass" in listed.custom_attributes
        queue = f"upgrade-{uuid.uuid4()}"
        async with Worker(client, task_queue=queue, workflows=[ListsTheLoanClass]):
            handle = await client.start_workflow(
                ListsTheLoanClass.run, id=f"upgrade-{uuid.uuid4()}", task_queue=queue,
                execution_timeout=timedelta(seconds=30),
            )
            assert await handle.result() == "listed"
        failed = [e async for e in handle.fetch_history_events()
                  if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED]
        assert not failed, failed[0].workflow_task_failed_event_attributes.failure.message
        for _ in range(50):  # visibility shows it a moment later
            if (await client.count_workflows("LoanClass = 'normal'")).count == 1:
                return
            await asyncio.sleep(0.1)
        raise AssertionError("the workflow is not listed under LoanClass = 'normal'")


async def test_a_worker_refuses_a_namespace_without_them(tmp_path) -> None:
    """A cluster whose operator has not registered LoanClass yet: the worker says so and
    which script registers it, instead of failing each journey's task at post-loan."""
    older = [key for key in sa.ALL if key is not sa.LOAN_CLASS]
    env = await WorkflowEnvironment.start_local(
        search_attributes=older, dev_server_existing_path=temporal_cli(), ui=False
    )
    try:
        settings = Settings(data_dir=tmp_path, temporal_address=env.client.service_client
                            .config.target_host, task_queue=f"refused-{uuid.uuid4()}")
        with pytest.raises(SetupError, match="lacks the search attribute.s. LoanClass"):
            await worker.run(settings, env.client)
        reader = settings.model_copy(update={"worker_role": "documents"})
        stopping = asyncio.create_task(worker.run(reader, env.client))
        await asyncio.sleep(1)  # a document reader sets no attribute: it starts
        assert not stopping.done()
        stopping.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await stopping
    finally:
        await env.shutdown()
