"""A project at a month-end (journey/month_end.py, starter/month_end.py), on the time-skipping
server: drawing on a period's start or end day, it has its line, its principal what it had
drawn and booked, its interest its quarters' as status shows them drawing; and its principal
rolls forward by the ledger's money paid out to it, across its drawdowns and its close, so
that the roll-forward's total ties to the money paid out in the period."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from rich.console import Console
from temporalio.testing import WorkflowEnvironment

from journey.decisions import Repayment, Withdrawal
from journey.month_end import at_end_of
from journey.stages import Stage
from starter.book_sections import month_end_table
from starter.money_paid_out import money_paid_out
from starter.money_received import Period, money_received
from starter.month_end import MonthEnd, month_end, totals
from tests.drawdowns.kit import approve, at_drawdowns, first_tranche, request, skip_to, until
from tests.drawdowns.test_availability_interest_journey import on
from tests.drawdowns.test_paid_ahead_at_close import BANK
from tests.workflows.journey_kit import SUBMITTER, Documents, customer
from workflows.loan_journey import LoanJourneyWorkflow

pytestmark = pytest.mark.usefixtures("server_today")
DRAWN = Decimal("4500000.00")


async def test_a_drawing_project_has_its_month_end_line_and_rolls_forward(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    env, docs = time_skipping_env, Documents()
    async with at_drawdowns(env, tmp_path, docs) as (app, settings, handle):
        await request(handle, first_tranche(app, docs))
        await approve(handle, "t1")
        drawing = await until(handle, lambda s: s.availability_interest is not None
                              and s.availability_interest.drawn > 0)
        booked_at = drawing.drawdowns[0].booked_at
        assert booked_at is not None and drawing.availability_interest is not None
        drew = booked_at.astimezone(BANK).date()
        due_on = drawing.availability_interest.next_due_on
        assert due_on is not None
        mid = drew + timedelta(days=max(1, (due_on - drew).days // 2))
        await skip_to(env, on(mid))
        # the quarter paid before it is due (the update runs the journey to the day)
        due = drawing.availability_interest.next_due
        await handle.execute_update(LoanJourneyWorkflow.record_repayment, Repayment(
            actor=SUBMITTER, reference="PF-ME-Q1", amount=due))
        paid = await until(handle, lambda s: s.availability_interest is not None
                           and s.availability_interest.paid == due)
        position = paid.availability_interest
        assert position is not None and position.payoff is not None
        assert position.payoff.on == mid and position.accrued > 0
        # at the end of the day before: the drawn principal, and the interest and commitment
        # fee status shows accrued today (the end of a day counts that day), as its payoff
        before = at_end_of(paid, mid - timedelta(days=1))
        assert before is not None
        assert (before.principal, before.accrued, before.interest_due, before.paid_ahead,
                before.penalty) == (DRAWN, position.accrued + position.fee_accrued, 0, 0, 0)
        assert before.accrued == position.payoff.interest + position.payoff.fee
        # at the end of the day paid: the quarter paid ahead of it
        ahead = at_end_of(paid, mid)
        assert ahead is not None and (ahead.principal, ahead.paid_ahead) == (DRAWN, due)
        assert ahead.interest_earned == ahead.accrued - due < before.interest_earned
        await handle.execute_update(LoanJourneyWorkflow.withdraw, Withdrawal(
            actor=customer(app), reason="the sponsor funds the rest"))
        done = await until(handle, lambda s: s.stage is Stage.POST_LOAN and s.account
                           is not None and s.today is not None)
    assert done.today is not None

    def rolled(first, last) -> tuple[MonthEnd, Decimal]:  # noqa: ANN001
        period = Period(first=first, last=last)
        received = money_received([done], settings, period)
        paid_out = money_paid_out([done], settings, period)
        assert paid_out.not_reconciled == [] and received.kinds.principal == 0
        return month_end([done], period, received, paid_out), paid_out.total

    # drawing through the period: its line at the end, what the ledger paid out to it
    drawing_end, lent = rolled(drew, mid - timedelta(days=1))
    assert lent == DRAWN and drawing_end.opening == [] and drawing_end.not_reconciled == []
    assert [(p.workflow_id, p.principal) for p in drawing_end.closing] == [(handle.id, DRAWN)]
    assert totals(drawing_end.closing).principal == lent
    shown = Console(width=250, record=True)
    shown.print(month_end_table(drawing_end))
    assert handle.id in shown.export_text()
    # closed in the period: drawing at its start, a loan at its end, nothing paid out
    closing, lent = rolled(mid, done.today)
    assert lent == 0 and closing.not_reconciled == []
    (start,), (end,) = closing.opening, closing.closing
    assert (start.principal, end.principal) == (DRAWN, DRAWN)
    assert start == before
