"""A project withdrawn with nothing drawn owes its commitment fee: the loan book lists it
(classified by its days past due, the fee and penalty interest owed), and the supervisor of
the loan's risk team may waive what is left of it, with a reason, so that the journey ends;
anyone else, or a waiver with nothing owed, is refused before the history. On the
time-skipping server."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from temporalio.testing import WorkflowEnvironment

from journey.actors import Actor, Role
from journey.classification import RiskClass, classify
from journey.decisions import Repayment, Withdrawal
from journey.fee_waiver import FeeWaiver
from journey.loan_book import book_line
from journey.policy.calendar import WorkingCalendar
from journey.stages import Stage
from tests.cli_kit import cli, point_cli_at, said
from tests.drawdowns.kit import RISK_PF, at_drawdowns, skip_to, until
from tests.workflows.journey_kit import SUBMITTER, Documents, customer, refused, until_sent
from workflows.loan_journey import LoanJourneyWorkflow

pytestmark = pytest.mark.usefixtures("server_today")
BANK = WorkingCalendar().tz
SUPERVISOR = Actor(id="sup-pf", role=Role.SUPERVISOR)
WAIVE = LoanJourneyWorkflow.waive_commitment_fee


def waiver(actor: Actor) -> FeeWaiver:
    return FeeWaiver(actor=actor, reason="the project was cancelled by the regulator")


async def test_the_book_lists_a_fee_owed_and_the_risk_supervisor_waives_what_is_left(
    time_skipping_env: WorkflowEnvironment, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env, docs = time_skipping_env, Documents()
    async with at_drawdowns(env, tmp_path, docs) as (app, settings, handle):
        opened = (await until(handle, lambda s: s.commitment is not None)).commitment
        assert opened is not None and opened.interest_from is not None
        # drawing, nothing is owed yet: nothing to waive
        early = await refused(handle, WAIVE, waiver(SUPERVISOR))
        assert "nothing to waive: the journey is at disbursement" in early, early
        await skip_to(env, datetime.combine(opened.interest_from + timedelta(days=40),
                                            time(10), tzinfo=BANK))
        await handle.execute_update(LoanJourneyWorkflow.withdraw, Withdrawal(
            actor=customer(app), reason="the project was cancelled"))
        owing = await until(handle, lambda s: s.availability_interest is not None
                            and s.availability_interest.fees_only)
        fees = owing.availability_interest
        assert fees is not None and fees.fee_owed == fees.past_due + fees.next_due > 0
        # in the book for its fee, nothing lent; a quarter's fee past due classifies it
        first = book_line(owing, "project_finance", None)
        assert first is not None and first.risk_class is classify(fees.days_past_due)
        assert (first.principal, first.arrears, first.to_settle) == (0, fees.past_due,
                                                                     fees.fee_owed)

        # more than 90 days past due: substandard, the fee with its penalty interest owed
        assert owing.commitment is not None and owing.commitment.closed_at is not None
        await skip_to(env, owing.commitment.closed_at + timedelta(days=100))
        late = await until(handle, lambda s: s.availability_interest is not None
                           and s.availability_interest.days_past_due > 90)
        fees = late.availability_interest
        # all of it past due, penalty interest accruing on it
        assert fees is not None and fees.fee_owed == fees.past_due > (first.to_settle or 0)
        line = book_line(late, "project_finance", None)
        assert line is not None and line.risk_class is RiskClass.SUBSTANDARD
        assert (line.days_past_due, line.arrears, line.to_settle) == (
            fees.days_past_due, fees.fee_owed, fees.fee_owed)

        # part of it paid, then the rest waived: only the supervisor of the loan's risk team
        part = Decimal("100.00")
        await handle.execute_update(LoanJourneyWorkflow.record_repayment, Repayment(
            actor=SUBMITTER, reference="FEE-PART", amount=part))
        for actor, why in (
            (RISK_PF, "'risk-pf-1' is risk_officer"),
            (Actor(id="sup-sme", role=Role.SUPERVISOR), "'sup-sme' supervises 'sme_risk'"),
            (customer(app), "is not in the staff directory"),
        ):
            refusal = await refused(handle, WAIVE, waiver(actor))
            assert ("a commitment fee is waived by the project_finance_risk supervisor, with a "
                    "reason;") in refusal and why in refusal, refusal
        left = (await until(handle, lambda s: s.availability_interest is not None
                            and s.availability_interest.paid == part)).availability_interest
        assert left is not None
        # from the command line: a reason is mandatory, then the supervisor's waiver ends it
        point_cli_at(monkeypatch, env.client, settings.data_dir)
        waive = ["drawdown", "waive-fee", handle.id, "--as", "sup-pf"]
        no_reason = await cli(*waive, "--reason", "x")
        assert no_reason.exit_code == 2 and "reason" in said(no_reason), said(no_reason)
        done = await cli(*waive, "--reason", "the project was cancelled by the regulator")
        assert done.exit_code == 0, said(done)
        assert "commitment fee waiver: accepted; journey at withdrawn" in said(done)
        result = await handle.result()
        assert result.outcome is Stage.WITHDRAWN
        ended = await until(handle, lambda s: s.fee_waiver is not None)
        waived = ended.fee_waiver
        assert waived is not None and waived.by == "sup-pf"
        assert waived.amount == left.fee_owed and 0 < waived.penalty < waived.amount
        assert waived.reason == "the project was cancelled by the regulator"
        assert waived.text() in said(done) and waived.text() in result.reason
        assert waived.text() in said(await cli("status", handle.id))
        assert any(d.verdict == "commitment fee waived" and d.actor.id == "sup-pf"
                   for d in ended.decisions)
        # paid stays paid; nothing is owed, past due or left to remind of
        after = ended.availability_interest
        assert after is not None and (after.paid, after.waived) == (part, waived.amount)
        assert (after.past_due, after.fee_owed, after.days_past_due) == (0, 0, 0)
        told = await until_sent(settings.db_url, handle.id, template="commitment_fee_waived")
        assert f"{waived.amount:,}, is waived" in told.body
