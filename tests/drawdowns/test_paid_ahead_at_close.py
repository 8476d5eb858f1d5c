"""A project whose quarter was paid before it was due, then withdrawn the same day, on the
time-skipping server: what the close owes nothing for (interest for days after it, the
commitment fee on what it cancelled) is credited to the plan, not lost; and while it draws,
its payoff is quoted as the settlement after a withdrawal would take, and the book lists it
in cents."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from rich.console import Console
from temporalio.testing import WorkflowEnvironment

from journey.availability_interest import Terms, accrued, last_period_end
from journey.decisions import Repayment, Withdrawal
from journey.drawdowns import DrawdownState
from journey.loan_book import book_line
from journey.money_booked import ByKind
from journey.money_booked import booked as booked_in
from journey.policy.calendar import WorkingCalendar
from journey.repayment import money
from journey.stages import Stage
from journey.undrawn_commitments import commitment_line
from starter.book_sections import commitments_table
from starter.errors import BadInput
from starter.listings_view import book_table
from starter.loan_figures import paid_ahead_by, payoff_while_drawing, settlement
from starter.repayment_view import payoff_text, settlement_text
from tests.drawdowns.kit import approve, at_drawdowns, first_tranche, request, skip_to, until
from tests.drawdowns.test_availability_interest_journey import on
from tests.workflows.journey_kit import SUBMITTER, Documents, customer
from workflows.loan_journey import LoanJourneyWorkflow

pytestmark = pytest.mark.usefixtures("server_today")
BANK = WorkingCalendar().tz


async def test_a_quarter_paid_early_is_credited_when_the_project_closes(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    env, docs = time_skipping_env, Documents()
    async with at_drawdowns(env, tmp_path, docs) as (app, _, handle):
        await request(handle, first_tranche(app, docs))
        await approve(handle, "t1")
        drawing = await until(handle, lambda s: s.availability_interest is not None
                              and s.availability_interest.drawn > 0)
        assert drawing.availability_interest is not None
        # the quarter's interest and fee, paid some days into it, before it is due
        due_on, due = drawing.availability_interest.next_due_on, \
            drawing.availability_interest.next_due
        assert due_on is not None
        today = (await env.get_current_time()).astimezone(BANK).date()
        await skip_to(env, on(today + timedelta(days=max(1, (due_on - today).days // 2))))
        receipt = await handle.execute_update(LoanJourneyWorkflow.record_repayment, Repayment(
            actor=SUBMITTER, reference="PF1-Q1", amount=due))
        # drawing, it is quoted a payoff: what a withdrawal, then a settlement, would take
        quoted = await until(handle, lambda s: s.availability_interest is not None
                             and s.availability_interest.paid == due)
        assert quoted.availability_interest is not None
        payoff = quoted.availability_interest.payoff
        assert payoff is not None and payoff.principal == Decimal("4500000.00")
        assert payoff_while_drawing(quoted, payoff.on) == payoff
        # the receipt says what status says, not the quarters to come as if owed
        assert receipt.message == quoted.availability_interest.text()
        assert f"to settle today {payoff.total:,}" in receipt.message
        told = payoff_text(handle.id, payoff)
        assert "withdraw the rest of its commitment first" in told
        # what was paid ahead, by kind: the quarter it paid for, interest and commitment fee
        quarter = drawing.availability_interest.next_parts
        assert (payoff.paid_ahead - payoff.ahead_fee, payoff.ahead_fee) == (
            quarter.interest, quarter.fee) and quarter.fee > 0
        assert (f"less paid ahead {due:,} (interest {quarter.interest:,}, commitment fee "
                f"{quarter.fee:,})") in told, told
        # the book lists what it drew, in cents, its arrears and the empty classes too
        line = book_line(quoted, "project_finance", None)
        assert line is not None and (line.principal, line.days_past_due) == (payoff.principal, 0)
        shown = Console(width=300, record=True)
        shown.print(book_table([line], "loan book"))
        text = shown.export_text()
        row = next(r for r in text.splitlines() if handle.id in r)
        # what the project accrued since the quarter began and what settles it: its payoff's
        # (after the journey, its borrower and credit code, product and class, days past due)
        assert [c.strip() for c in row.split("│")][7:12] == [
            "0.00", "4,500,000.00", f"{payoff.interest + payoff.fee:,}", f"{payoff.total:,}",
            f"{due:,}"  # the quarter paid before it was due: paid ahead, given back
        ], text
        # its facility: what it drew and what it may still draw, the fee accrued, paid ahead
        facility = commitment_line(quoted)
        assert quoted.commitment is not None and facility is not None
        assert (facility.commitment, facility.drawn, facility.undrawn) == (
            quoted.commitment.total, Decimal("4500000.00"), quoted.commitment.available)
        assert (facility.fee_accrued, facility.paid_ahead) == (
            quoted.availability_interest.fee_accrued, payoff.paid_ahead)
        shown.print(commitments_table([facility]))
        facilities = shown.export_text().splitlines()
        total = next(r for r in facilities if "total, 1 facilities" in r)
        assert [c.strip() for c in total.split("│")][2:5] == [
            money(quoted.commitment.total), "4,500,000.00", money(quoted.commitment.available)]
        # its fee and paid ahead are in its loan line, counted in the loans' totals, not here
        row = next(r for r in facilities if handle.id in r)
        assert [c.strip() for c in row.split("│")][6:8] == [
            f"{facility.fee_accrued:,} in loans", f"{due:,} in loans"], row
        assert [c.strip() for c in total.split("│")][6:8] == ["0.00", "0.00"], total
        assert "损失 loss 0 (0.00)" in text and "(0)" not in text, text
        with pytest.raises(BadInput, match="quoted for today"):
            payoff_while_drawing(quoted, payoff.on + timedelta(days=1))
        await handle.execute_update(LoanJourneyWorkflow.withdraw, Withdrawal(
            actor=customer(app), reason="the sponsor funds the rest"))
        done = await until(handle, lambda s: s.stage is Stage.POST_LOAN and s.account
                           is not None and s.today is not None)
        commitment, offer, account = done.commitment, done.offer, done.account
        assert commitment is not None and offer is not None and account is not None
        assert commitment.interest_from is not None and commitment.closed_at is not None
        closed = commitment.closed_at.astimezone(BANK).date()
        booked = [r for r in done.drawdowns if r.state is DrawdownState.BOOKED]
        terms = Terms(annual_rate=offer.annual_rate, commitment=commitment.total,
                      fee_rate=commitment.fee_rate)
        # owed at the close: interest and fee to the close, which the payment covered
        rest = accrued(booked, terms, last_period_end(commitment.interest_from, closed),
                       closed, BANK)
        assert 0 < rest.total < due and commitment.interest_accrued == 0
        # the rest of the payment (days after the close, the fee on what it cancelled) is
        # paid ahead on the plan, and the payment is still in status's payments
        ahead = due - rest.total
        assert sum((i.interest_paid for i in account.instalments), Decimal(0)) == ahead
        assert [(p.reference, p.amount) for p in done.payments] == [("PF1-Q1", due)]
        # the money received: booked to its quarters, once, not again as what the close
        # credited to the plan (the account drawn up again from its payments is status's)
        while_drawing = booked_in(quoted, today, done.today)
        assert while_drawing is not None and while_drawing.kinds == ByKind(quarters=due)
        closed_loan = booked_in(done, today, done.today)
        assert closed_loan is not None and closed_loan.why == ""
        assert closed_loan.kinds == ByKind(quarters=due), closed_loan
        # settling today gives it back: the principal less what was paid ahead
        quote = settlement(done, done.today)
        assert quote.interest_back == ahead
        assert quote.owed == Decimal("4500000.00") - ahead + quote.fee_due
        assert (payoff.on, payoff.total) == (done.today, quote.owed)
        assert payoff.paid_ahead == due and (payoff.interest, payoff.fee) == (rest.interest,
                                                                               rest.fee)
        # quoted for a day after the instalments it paid have fallen due, the settlement
        # names the same paid ahead, as today's does, not folded into their interest
        later = max(i.due_on for i in account.instalments if i.interest_paid) + timedelta(days=1)
        forward = settlement(done, later)
        assert paid_ahead_by(done, forward) == ahead and forward.interest_back == 0
        told = settlement_text(handle.id, later, forward, matured=False,
                               paid_ahead=paid_ahead_by(done, forward))
        assert f"less interest paid ahead {ahead:,};" in told, told
