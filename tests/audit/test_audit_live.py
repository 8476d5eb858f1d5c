"""Auditors on a live journey, on the real dev server: they read and replay, never act."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
import typer
from temporalio.client import (
    Client,
    Interceptor,
    OutboundInterceptor,
    WorkflowExecutionStatus,
)
from temporalio.converter import DataConverter
from temporalio.testing import WorkflowEnvironment
from typer.testing import CliRunner, Result

from journey.settings import Settings
from starter import audit_cli
from starter.codec import data_converter
from tests.audit import fixture_workflow as fx
from tests.audit.journey_run import start_journey, worker
from tests.dev_server import fresh_dev_server

pytestmark = pytest.mark.e2e

READS = {"describe_workflow", "fetch_workflow_history_events", "list_workflows", "count_workflows"}
app = typer.Typer()
app.command("history")(audit_cli.history)
app.command("verify")(audit_cli.verify)


class ReadOnly(Interceptor):
    """Fails any client call an auditor's command makes that is not a read."""

    def __init__(self) -> None:
        self.refused: list[str] = []

    def intercept_client(self, next: OutboundInterceptor) -> OutboundInterceptor:
        refused = self.refused

        class Outbound(OutboundInterceptor):
            def __getattribute__(self, name: str) -> Any:
                if not name.startswith("_") and name not in READS:
                    if callable(getattr(OutboundInterceptor, name, None)):
                        refused.append(name)
                        raise AssertionError(f"an auditor's command called {name}")
                return super().__getattribute__(name)

        return Outbound(next)


@pytest.fixture(scope="module")
async def dev_env(audit_converter: DataConverter) -> AsyncIterator[WorkflowEnvironment]:
    async with fresh_dev_server(audit_converter, [fx.STAGE]) as env:
        yield env


async def test_history_and_verify_on_a_live_journey_never_act(
    dev_env: WorkflowEnvironment, audit_keys: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    address = dev_env.client.service_client.config.target_host
    monkeypatch.setenv("LOAN_JOURNEY_TEMPORAL_ADDRESS", address)
    monkeypatch.setenv("LOAN_JOURNEY_CODEC_KEYS", audit_keys)
    guard = ReadOnly()

    async def guarded_connect(settings: Settings | None = None) -> Client:
        settings = settings or Settings()
        return await Client.connect(
            settings.temporal_address,
            namespace=settings.temporal_namespace,
            data_converter=data_converter(settings),
            interceptors=[guard],
        )

    monkeypatch.setattr(audit_cli, "connect", guarded_connect)
    task_queue = str(uuid.uuid4())
    async with worker(dev_env.client, task_queue, fx.AuditFixture):
        handle = await start_journey(dev_env.client, task_queue)
        before = len((await handle.fetch_history()).events)
        query = f"WorkflowId='{handle.id}'"
        await _until_listed(dev_env.client, query)

        shown = await _invoke("history", handle.id)
        assert shown.exit_code == 0, shown.output
        assert fx.APPLICANT in shown.output and "stage risk_review" in shown.output

        fixture = "tests.audit.fixture_workflow"
        same = await _invoke("verify", "--query", query, "-w", f"{fixture}:AuditFixture")
        assert same.exit_code == 0, same.output
        assert "1 replayed, 0 failed" in same.output
        changed = await _invoke("verify", "-q", query, "-w", f"{fixture}:AuditFixtureChanged")
        assert changed.exit_code == 1 and "NON-DETERMINISM" in changed.output

        assert guard.refused == []
        assert len((await handle.fetch_history()).events) == before
        # the guard is not vacuous: a signal through it is refused before it leaves
        auditor = await guarded_connect()
        with pytest.raises(AssertionError):
            await auditor.get_workflow_handle(handle.id).signal("upload_document", None)
        assert guard.refused == ["signal_workflow"]
        assert (await handle.describe()).status == WorkflowExecutionStatus.RUNNING
        await handle.terminate("test over")


async def _invoke(*args: str) -> Result:
    return await asyncio.to_thread(CliRunner().invoke, app, list(args))


async def _until_listed(client: Client, query: str) -> None:
    for _ in range(100):
        if [w async for w in client.list_workflows(query)]:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"visibility never listed {query}")
