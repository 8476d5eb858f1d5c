"""Who records money received, and how much a plain repayment may be: only operations record
a receipt, the borrower's own claim is refused; a repayment pays what is due and the current
instalment early, never the future interest of a loan it would close (journey/loan_payments.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from temporalio.testing import WorkflowEnvironment

from journey.decisions import Repayment
from journey.stages import Stage
from store.refusals import refusals
from tests.cli_kit import cli, point_cli_at, said
from tests.post_loan.loan_kit import disbursed_loan, pay, until
from tests.workflows.journey_kit import RISK_SME, Documents, customer, refused
from workflows.loan_journey import LoanJourneyWorkflow

REPAY = LoanJourneyWorkflow.record_repayment


async def test_only_operations_record_a_receipt(
    time_skipping_env: WorkflowEnvironment, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with disbursed_loan(time_skipping_env, tmp_path, Documents()) as (app, settings,
                                                                            handle, running):
        owed = running.disbursement.amount
        borrower = customer(app)
        for kind in ({}, {"settles": True}, {"prepays": True}):
            claimed = Repayment(actor=borrower, reference="ABC-2", amount=owed, **kind)
            reason = await refused(handle, REPAY, claimed)
            assert "operations record receipts" in reason, reason
        reason = await refused(handle, REPAY, Repayment(actor=RISK_SME, reference="RS-1",
                                                        amount=100))
        assert reason.endswith(
            "'risk-sme-1' is risk_officer; only operations record money received: a repayment, "
            "a prepayment, a settlement, a project's interest (ask ops-wang, ops-li, ops-zhao)")
        # from the command line too, the refusal kept for auditors
        point_cli_at(monkeypatch, time_skipping_env.client, data_dir=settings.data_dir)
        told = await cli("repay", handle.id, "--amount", str(owed), "--reference", "ABC-2",
                         "--as", borrower.id, "--role", "customer", "--settle")
        assert told.exit_code != 0 and "operations record receipts" in said(told)
        # staff in the role the directory gives them, which may not record a receipt
        manager = await cli("repay", handle.id, "--amount", str(owed), "--reference", "RM-1",
                            "--as", "rm-zhang")
        assert manager.exit_code == 3 and ("'rm-zhang' is relationship_manager; only "
                                           "operations record money received") in said(manager)
        kept = [(k.action, k.actor, k.role) for k in refusals(settings.db_url, handle.id)]
        assert kept == [("record_repayment", borrower.id, "customer"),
                        ("record_repayment", "rm-zhang", "relationship_manager")]
        now = await until(handle, lambda s: s.account is not None)
        assert now.stage is Stage.POST_LOAN and now.payments == [] and now.account.paid == 0


async def test_a_repayment_pays_what_is_due_and_no_interest_ahead(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    async with disbursed_loan(time_skipping_env, tmp_path, Documents()) as (_, _, handle,
                                                                            running):
        first = running.offer.schedule[0]
        everything = sum((i.payment for i in running.offer.schedule), Decimal(0))
        reason = await refused(handle, REPAY, pay("ICBC-002", everything))
        assert f"the current instalment #1 (due {first.due_on}, {first.payment:,})" in reason
        assert "--prepay" in reason and "--settle" in reason, reason
        # the current instalment may be paid early, as the plan asks it, and no more
        await refused(handle, REPAY, pay("ICBC-003", first.payment + Decimal("0.01")))
        await handle.execute_update(REPAY, pay("ICBC-004", first.payment))
        paid = await until(handle, lambda s: s.account.paid == first.payment)
        assert paid.stage is Stage.POST_LOAN and paid.account.credit == 0
        assert paid.account.instalments[0].settled_on is not None
        # the next period has not begun: paying its instalment now is a prepayment
        reason = await refused(handle, REPAY, pay("ICBC-005", running.offer.schedule[1].payment))
        assert "pays, 0.00: what is due by then (0.00)" in reason and "--prepay" in reason, reason
