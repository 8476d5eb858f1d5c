"""The customer's signature names who signed for the company and its evidence: one naming
none (a library caller's, the CLI asking them) is refused before the history, a legal
representative the borrower's licence does not name (as read) is refused before the history,
an authorised agent signs under a power of attorney; status and history show who signed, and
`history` reports one client identity acting in several roles on the loan, for an auditor."""

from __future__ import annotations

import pytest
from temporalio.testing import WorkflowEnvironment

from journey.application import Channel
from journey.decisions import Capacity, Signature
from journey.stages import Stage
from starter import operations
from starter.audit import audit_trail
from starter.errors import Refused
from tests.cli_kit import cli, point_cli_at, said
from tests.workflows.journey_kit import (
    accepted_updates,
    customer,
    drive_to,
    new_application,
    refused,
    running_journey,
    status,
    until_stage,
)
from workflows.loan_journey import LoanJourneyWorkflow

ESIGN = "e-sign certificate CFCA-2026-0815"


async def test_a_signature_naming_nobody_and_no_evidence_is_refused_before_the_history(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    """A library caller (operations.act) signs with the credit code alone: refused, nothing
    accepted, the journey still waits at the offer; an agent without a power of attorney
    (a payload built past the model's checks) likewise, the model refusing it as decoded."""
    docs, app = new_application()
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (_, handle):
        await drive_to(handle, app, Stage.OFFER)
        client = time_skipping_env.client
        before = await accepted_updates(handle)
        with pytest.raises(Refused) as bare:
            await operations.act(client, handle.id, "sign", Signature(actor=customer(app)))
        assert ("signature refused: a signature names who signed for the company (signatory), in "
                "what capacity") in str(bare.value)
        assert "and its evidence" in str(bare.value)
        unattorneyed = Signature.model_construct(
            actor=customer(app), channel=Channel.APP, signatory="王五",
            capacity=Capacity.AUTHORISED_AGENT, power_of_attorney=None, evidence=ESIGN)
        await refused(handle, LoanJourneyWorkflow.sign, unattorneyed)
        assert await accepted_updates(handle) == before
        waiting = await status(handle)
        assert waiting.stage is Stage.OFFER
        assert not [d for d in waiting.decisions if d.verdict == "signed"]


async def test_a_legal_representative_the_licence_does_not_name_is_refused(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    docs, app = new_application()  # its licence names 张三 as legal representative
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (_, handle):
        await drive_to(handle, app, Stage.OFFER)
        signed = Signature(actor=customer(app), signatory="李四",
                           capacity=Capacity.LEGAL_REPRESENTATIVE, evidence=ESIGN)
        why = await refused(handle, LoanJourneyWorkflow.sign, signed)
        assert ("the signatory is not the legal representative (法定代表人) the borrower's "
                "business licence names, as read") in why
        assert "张三" not in why and "李四" not in why  # a refusal travels in plain text
        assert "authorised_agent" in why
        await handle.execute_update(LoanJourneyWorkflow.sign,
                                    signed.model_copy(update={"signatory": "张 三"}))
        s = await until_stage(handle, Stage.POST_LOAN)
        [signature] = [d for d in s.decisions if d.verdict == "signed"]
        assert signature.reason == (
            f"signed by 张 三 (法定代表人 legal representative); evidence: {ESIGN}")


async def test_an_agent_signs_by_the_cli_and_history_names_one_client_in_several_roles(
    time_skipping_env: WorkflowEnvironment, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The test's client acts as the risk officer and the approver (a finding); the command
    line, another identity, only as the customer (none)."""
    docs, app = new_application()
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (_, handle):
        await drive_to(handle, app, Stage.OFFER)
        point_cli_at(monkeypatch, time_skipping_env.client, tmp_path)
        bare = await cli("sign", handle.id, "--as", app.credit_code)
        assert bare.exit_code == 2 and "--signatory" in bare.output, bare.output
        unattorneyed = await cli("sign", handle.id, "--as", app.credit_code,
                                 "--signatory", "王五", "--capacity", "authorised_agent",
                                 "--evidence", ESIGN)
        assert unattorneyed.exit_code == 2, unattorneyed.output
        assert "power of attorney" in said(unattorneyed)
        agent = await cli("sign", handle.id, "--as", app.credit_code, "--signatory", "王五",
                          "--capacity", "authorised_agent", "--power-of-attorney",
                          "POA-2026-117", "--evidence", ESIGN)
        assert agent.exit_code == 0, agent.output
        await until_stage(handle, Stage.POST_LOAN)

        status = said(await cli("status", handle.id))
        assert (f"signed for {app.credit_code} at " in status
                and "signed by 王五 (授权代表 authorised agent, power of attorney "
                "POA-2026-117); evidence:" in status and ESIGN in status), status
        lines = await audit_trail(await handle.fetch_history(),
                                 time_skipping_env.client.data_converter)
        [signed] = [line.detail for line in lines if line.event == "update sign"]
        assert ("signatory=王五, capacity=authorised_agent, power_of_attorney=POA-2026-117, "
                f"evidence={ESIGN}") in signed
        trail = await cli("history", handle.id)
        assert trail.exit_code == 0, trail.output
        shown = said(trail)
        findings = shown[shown.index("findings for an auditor"):]
        me = time_skipping_env.client.identity
        assert (f"{me} │ operations ops-li, risk_officer risk-sme-1, approver appr-branch-1"
                in findings), findings
        assert app.credit_code not in findings  # the CLI acted as the customer alone
