"""The customer's signature names who signed for the company and its evidence: a legal
representative the borrower's licence does not name (as read) is refused before the history;
the journey's decisions say who signed and on what evidence."""

from __future__ import annotations

from temporalio.testing import WorkflowEnvironment

from journey.decisions import Capacity, Signature
from journey.stages import Stage
from tests.workflows.journey_kit import (
    customer,
    drive_to,
    new_application,
    refused,
    running_journey,
    until_stage,
)
from workflows.loan_journey import LoanJourneyWorkflow

ESIGN = "e-sign certificate CFCA-2026-0815"


async def test_a_legal_representative_the_licence_does_not_name_is_refused(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    docs, app = new_application()  # its licence names 张三 as legal representative
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (_, handle):
        await drive_to(handle, app, Stage.OFFER)
        signed = Signature(actor=customer(app), signatory="李四",
                           capacity=Capacity.LEGAL_REPRESENTATIVE, evidence=ESIGN)
        why = await refused(handle, LoanJourneyWorkflow.sign, signed)
        assert "names 张三 as legal representative (法定代表人), not 李四" in why
        assert "authorised_agent" in why
        await handle.execute_update(LoanJourneyWorkflow.sign,
                                    signed.model_copy(update={"signatory": "张 三"}))
        s = await until_stage(handle, Stage.POST_LOAN)
        [signature] = [d for d in s.decisions if d.verdict == "signed"]
        assert signature.reason == (
            f"signed by 张 三 (法定代表人 legal representative); evidence: {ESIGN}")
