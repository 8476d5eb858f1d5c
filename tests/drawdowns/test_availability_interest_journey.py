"""Interest paid quarterly while a project draws, on the time-skipping server with the real
SQLite outbox: the notice before the quarter's payment day, the interest paid with
`record_repayment`, a missed quarter past due, and the close charging only the rest."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from rich.console import Console
from temporalio.testing import WorkflowEnvironment

from journey.availability_interest import InterestPosition, Terms, accrued, last_period_end
from journey.classification import RiskClass
from journey.decisions import Repayment
from journey.drawdown_conditions import availability_interest
from journey.drawdowns import DrawdownState
from journey.loan_book import book_line
from journey.policy.calendar import WorkingCalendar
from journey.repayment import cents
from journey.stages import Stage
from starter.repayment_view import plan_table
from starter.status_view import status_view
from store.outbox import messages_for
from tests.drawdowns.kit import (
    CONTRACTOR,
    approve,
    ask,
    at_drawdowns,
    first_tranche,
    permit,
    request,
    skip_to,
    until,
)
from tests.workflows.journey_kit import SUBMITTER, Documents, customer, refused, until_sent
from workflows.loan_journey import LoanJourneyWorkflow

pytestmark = pytest.mark.usefixtures("server_today")
BANK = WorkingCalendar().tz  # the loan's days are the bank's


def on(day: object, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=BANK)  # type: ignore[arg-type]


async def drawn_t1(handle) -> InterestPosition:  # noqa: ANN001
    drawing = await until(handle, lambda s: s.availability_interest is not None
                          and s.availability_interest.drawn > 0)
    assert drawing.availability_interest is not None
    return drawing.availability_interest


async def test_a_quarter_is_noticed_paid_and_the_close_charges_only_the_rest(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    env, docs = time_skipping_env, Documents()
    async with at_drawdowns(env, tmp_path, docs) as (app, settings, handle):
        assert (await request(handle, first_tranche(app, docs))).state \
            is DrawdownState.AWAITING_DECISION
        assert (await approve(handle, "t1")).state is DrawdownState.BOOKED
        position = await drawn_t1(handle)
        assert position.drawn == Decimal("4500000.00")
        assert position.undrawn == Decimal("10500000.00")
        due_on, due, parts = position.next_due_on, position.next_due, position.next_parts
        assert due_on is not None and due > 0

        await skip_to(env, on(due_on))
        notice = await until_sent(settings.db_url, handle.id, template="interest_reminder")
        # interest and commitment fee apart
        assert f"{due} due on {due_on} ({parts.text()})" in notice.body
        paid = await handle.execute_update(
            LoanJourneyWorkflow.record_repayment,
            Repayment(actor=SUBMITTER, reference="INT-Q1", amount=due),  # operations record it
        )
        assert f"paid {due:,} in 1 payments" in paid.message  # as status says it
        await skip_to(env, on(due_on + timedelta(days=3)))
        after = await until(handle, lambda s: s.availability_interest is not None
                            and s.availability_interest.paid == due)
        assert after.availability_interest is not None
        assert after.availability_interest.past_due == 0
        assert not [m for m in messages_for(settings.db_url, handle.id)
                    if m.template == "interest_overdue"]

        # the rest of the tranches: drawdowns close, the plan is rebuilt
        await request(handle, ask(app, "t2", 6_000_000, [
            permit(docs, "construction_progress"), permit(docs, "insurance")], CONTRACTOR))
        await approve(handle, "t2")
        await request(handle, ask(app, "t3", 4_500_000, [
            permit(docs, "equipment_delivery"), permit(docs, "insurance")]))
        await approve(handle, "t3")
        done = await until(handle, lambda s: s.stage is Stage.POST_LOAN)
        commitment, offer = done.commitment, done.offer
        assert commitment is not None and offer is not None
        assert commitment.closed_at is not None and commitment.interest_from is not None
        closed = commitment.closed_at.astimezone(BANK).date()
        booked = [r for r in done.drawdowns if r.state is DrawdownState.BOOKED]
        terms = Terms(annual_rate=offer.annual_rate, commitment=commitment.total,
                      fee_rate=Decimal("0.0050"))  # the pinned policy's
        assert commitment.fee_rate == terms.fee_rate
        since = last_period_end(commitment.interest_from, closed)
        rest = accrued(booked, terms, since, closed, BANK)
        assert commitment.interest_accrued == rest.total == offer.schedule[0].accrued_before
        # nothing charged twice: the quarter's interest and the rest are all t1 earned
        whole = availability_interest(booked, offer.annual_rate, closed, BANK)
        assert parts.interest + rest.interest == whole
        assert parts.total == due and parts.fee > 0 and rest.fee > 0


async def test_a_missed_quarter_is_past_due_with_penalty_interest_until_paid(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    env, docs = time_skipping_env, Documents()
    async with at_drawdowns(env, tmp_path, docs) as (app, settings, handle):
        await request(handle, first_tranche(app, docs))
        await approve(handle, "t1")
        position = await drawn_t1(handle)
        due_on, due = position.next_due_on, position.next_due
        assert due_on is not None

        offer = (await until(handle, lambda s: s.offer is not None)).offer
        assert offer is not None
        # penalty interest at the post-loan rate (the loan's and a half), as any arrears
        penalty_rate = offer.annual_rate * Decimal("1.5")

        await skip_to(env, on(due_on + timedelta(days=3)))
        overdue = await until_sent(settings.db_url, handle.id, template="interest_overdue")
        # told the day after: a day's penalty interest on it
        assert f"{due + cents(due * penalty_rate / 360)} was due on {due_on}" in overdue.body
        late = await until(handle, lambda s: s.availability_interest is not None
                           and s.availability_interest.days_past_due == 3)
        assert late.availability_interest is not None
        penalty = cents(due * penalty_rate * 3 / 360)
        assert late.availability_interest.past_due == due + penalty and penalty > 0
        shown = Console(width=300, record=True)
        shown.print(status_view(late))
        assert f"{due + penalty:,} past due, 3 days" in shown.export_text()
        # the book counts the quarter past due as arrears, as status does
        line = book_line(late, "project_finance", None)
        assert line is not None and (line.arrears, line.days_past_due) == (due + penalty, 3)
        # nothing ahead of the plan while the project draws
        assert "withdraw the rest of its commitment first" in await refused(
            handle, LoanJourneyWorkflow.record_repayment,
            Repayment(actor=SUBMITTER, reference="SETTLE", amount=due, settles=True))
        # a repayment pays the interest due (and the running quarter's), not the principal
        beyond = await refused(handle, LoanJourneyWorkflow.record_repayment,
                               Repayment(actor=SUBMITTER, reference="ALL", amount=due * 100))
        assert f"what is due by then ({due + penalty:,})" in beyond
        assert beyond.endswith("the project is drawing: only its interest is paid until "
                               "drawdowns close, and the principal after")
        # and the customer does not record its own payment
        assert "operations record receipts" in await refused(
            handle, LoanJourneyWorkflow.record_repayment,
            Repayment(actor=customer(app), reference="INT-MINE", amount=due))

        # drawdowns close with the quarter unpaid: it stays past due, the plan's first
        # instalment, its days counting on from its payment day, classified as arrears
        await request(handle, ask(app, "t2", 6_000_000, [
            permit(docs, "construction_progress"), permit(docs, "insurance")], CONTRACTOR))
        await approve(handle, "t2")
        await request(handle, ask(app, "t3", 4_500_000, [
            permit(docs, "equipment_delivery"), permit(docs, "insurance")]))
        await approve(handle, "t3")
        done = await until(handle, lambda s: s.stage is Stage.POST_LOAN and s.today is not None
                           and s.risk_class is RiskClass.SPECIAL_MENTION)
        assert done.account is not None and done.today is not None
        quarter, first = done.account.instalments[:2]
        assert (quarter.number, quarter.due_on, quarter.principal_due) == (1, due_on, 0)
        assert done.days_past_due == (done.today - due_on).days == 3
        await skip_to(env, on(due_on + timedelta(days=10)))
        later = await until(handle, lambda s: s.days_past_due == 10)
        assert later.risk_class is RiskClass.SPECIAL_MENTION and later.arrears is not None
        # penalty interest runs on from the close (the quarter's asks its penalty to then)
        assert later.arrears == quarter.interest_due + cents(
            quarter.interest_due * penalty_rate * 7 / 360)
        # what it asked at the close: the quarter with its penalty to then
        closed = done.commitment.closed_at.astimezone(BANK).date()
        assert quarter.interest_due == due + cents(due * penalty_rate * (closed - due_on).days
                                                   / 360)
        # the plan's first instalment carries only the rest since the quarter ended
        assert first.due_on > closed and first.interest_fixed == done.commitment.interest_accrued
        assert 0 < first.interest_fixed < due
        caption = str(plan_table(done).caption)
        assert ("instalment 1: quarterly interest left unpaid while the project drew, past due "
                "since their dates") in caption, caption
        assert f"instalment 2 includes {first.interest_fixed:,} of interest" in caption, caption
        # not told past due twice
        assert len([m for m in messages_for(settings.db_url, handle.id)
                    if m.template in ("interest_overdue", "repayment_overdue")]) == 1
        # paid (with the penalty since the close), it is no longer past due
        await handle.execute_update(LoanJourneyWorkflow.record_repayment, Repayment(
            actor=SUBMITTER, reference="INT-Q1", amount=later.arrears))
        paid = await until(handle, lambda s: s.days_past_due == 0)
        assert paid.account is not None and paid.account.instalments[0].settled_on is not None
