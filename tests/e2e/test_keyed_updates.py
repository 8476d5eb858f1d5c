"""Workers with the codec keys take updates from keyed senders only (workflows/keyed_senders.py):
an update sent without the keys (an SDK client without the codec, the plain `temporal` CLI) or
with a signature that is not its own is refused in validation, and nothing of it reaches the
history; on the real dev server."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from temporalio import workflow as wf
from temporalio.api.common.v1 import Payload
from temporalio.client import (
    Client,
    Interceptor,
    OutboundInterceptor,
    StartWorkflowUpdateInput,
    WorkflowHandle,
    WorkflowUpdateFailedError,
    WorkflowUpdateHandle,
)
from temporalio.common import RawValue
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from journey.decisions import RiskGrade, RiskOpinion, Verdict
from journey.settings import Settings
from journey.stages import Stage
from starter.codec import EncryptionCodec, data_converter, new_key
from starter.embedded import temporal_cli
from starter.keyed_updates import signature
from tests.dev_server import fresh_dev_server
from tests.workflows.journey_kit import (
    RISK_SME,
    accepted_updates,
    journey_worker,
    new_application,
    start,
    status,
    until_stage,
)
from worker import WORKFLOWS
from workflows.keyed_senders import HEADER, SENT_KEYLESS
from workflows.loan_journey import LoanJourneyWorkflow

pytestmark = pytest.mark.e2e

KEYS = f"k1:{new_key()}"
OPINION = RiskOpinion(actor=RISK_SME, verdict=Verdict.APPROVE, grade=RiskGrade.G3,
                      reason="cash flow covers the debt service")


@pytest.fixture
async def encrypting() -> AsyncIterator[WorkflowEnvironment]:
    """A dev server whose client (signing its updates, as the project's keyed clients do) and
    the workers on it encrypt with KEYS."""
    async with fresh_dev_server(data_converter(Settings(codec_keys=KEYS))) as env:
        yield env


class _Headed(Interceptor):
    """A client's updates carry `header(workflow id, update, update id)` under HEADER."""

    def __init__(self, header: Callable[[str, str, str], Payload]) -> None:
        self.header = header

    def intercept_client(self, next: OutboundInterceptor) -> OutboundInterceptor:
        header = self.header

        class Outbound(OutboundInterceptor):
            async def start_workflow_update(
                self, input: StartWorkflowUpdateInput
            ) -> WorkflowUpdateHandle:
                assert input.update_id is not None
                input.headers = {**input.headers,
                                 HEADER: header(input.id, input.update, input.update_id)}
                return await super().start_workflow_update(input)

        return Outbound(next)


async def keyless(env: WorkflowEnvironment, *interceptors: Interceptor) -> Client:
    """A client on `env`'s server without the codec: its payloads are plain JSON."""
    return await Client.connect(env.client.service_client.config.target_host,
                                namespace=env.client.namespace,
                                data_converter=pydantic_data_converter,
                                interceptors=interceptors)


async def refused(client: Client, handle: WorkflowHandle) -> str:
    with pytest.raises(WorkflowUpdateFailedError) as err:
        await client.get_workflow_handle(handle.id).execute_update(
            LoanJourneyWorkflow.record_risk_opinion, OPINION, id=f"opinion-{uuid.uuid4()}")
    return str(getattr(err.value.cause, "message", err.value.cause))


async def test_an_update_without_the_keys_is_refused_and_never_recorded(
    encrypting: WorkflowEnvironment, tmp_path: Path
) -> None:
    client = encrypting.client
    docs, app = new_application()
    async with journey_worker(client, tmp_path, docs) as settings:
        handle = await start(client, settings, app)
        await until_stage(handle, Stage.RISK_REVIEW)

        assert await refused(await keyless(encrypting), handle) == SENT_KEYLESS
        assert await accepted_updates(handle) == 0  # its plain reason is nowhere in the history
        assert (await status(handle)).stage is Stage.RISK_REVIEW

        await handle.execute_update(LoanJourneyWorkflow.record_risk_opinion, OPINION)
        assert await accepted_updates(handle) == 1  # the keyed client's, the same update
        assert (await status(handle)).stage is Stage.APPROVAL


async def test_the_temporal_cli_without_the_keys_is_refused(
    encrypting: WorkflowEnvironment, tmp_path: Path
) -> None:
    client = encrypting.client
    docs, app = new_application()
    async with journey_worker(client, tmp_path, docs) as settings:
        handle = await start(client, settings, app)
        await until_stage(handle, Stage.RISK_REVIEW)
        typed = {"actor": {"id": "risk-sme-1", "role": "risk_officer"}, "verdict": "approve",
                 "reason": "customer 13800138000 says so", "grade": "3"}
        cli = await asyncio.create_subprocess_exec(
            temporal_cli(), "workflow", "update", "execute",
            "--address", client.service_client.config.target_host,
            "--namespace", client.namespace, "-w", handle.id,
            "--name", "record_risk_opinion", "--input", json.dumps(typed),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        output = (await asyncio.wait_for(cli.communicate(), 60))[0].decode()
        assert cli.returncode != 0, output
        assert SENT_KEYLESS in output
        history = await handle.fetch_history()
        assert await accepted_updates(handle) == 0
        assert b"13800138000" not in b"".join(e.SerializeToString() for e in history.events)
        assert (await status(handle)).stage is Stage.RISK_REVIEW


async def test_a_signature_not_the_updates_own_is_refused(
    encrypting: WorkflowEnvironment, tmp_path: Path
) -> None:
    """A made-up HMAC, and a true one copied from another update (as a history shows it)."""
    client = encrypting.client
    codec = client.data_converter.payload_codec
    assert isinstance(codec, EncryptionCodec)
    other = EncryptionCodec({"k1": b"\x07" * 32})  # the key id the workers know, another key
    made_up = _Headed(lambda *update: signature(other, *update))
    copied = _Headed(lambda wid, update, _id: signature(codec, wid, update, "another-update"))
    docs, app = new_application()
    async with journey_worker(client, tmp_path, docs) as settings:
        handle = await start(client, settings, app)
        await until_stage(handle, Stage.RISK_REVIEW)
        for forged in (made_up, copied):
            assert await refused(await keyless(encrypting, forged), handle) == SENT_KEYLESS
        assert await accepted_updates(handle) == 0

        signed = _Headed(lambda *update: signature(codec, *update))  # its own: taken
        await (await keyless(encrypting, signed)).get_workflow_handle(handle.id).execute_update(
            LoanJourneyWorkflow.record_risk_opinion, OPINION, id=f"opinion-{uuid.uuid4()}",
            result_type=RawValue)  # its answer is encrypted
        assert (await status(handle)).stage is Stage.APPROVAL


async def test_a_plain_deployment_takes_plain_updates(tmp_path: Path) -> None:
    async with fresh_dev_server() as env:
        docs, app = new_application()
        async with journey_worker(env.client, tmp_path, docs) as settings:
            handle = await start(env.client, settings, app)
            await until_stage(handle, Stage.RISK_REVIEW)
            await handle.execute_update(LoanJourneyWorkflow.record_risk_opinion, OPINION)
            assert (await status(handle)).stage is Stage.APPROVAL


def test_every_update_the_worker_runs_has_a_validator() -> None:
    """The SDK calls an interceptor's validator hook only for an update with a validator: one
    without would take updates from any sender."""
    for workflow in WORKFLOWS:
        for name, update in wf._Definition.must_from_class(workflow).updates.items():
            assert update.validator is not None, f"{workflow.__name__}.{name} has no validator"
