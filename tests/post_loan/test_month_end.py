"""A month-end's loans (journey/month_end.py, starter/month_end.py): each loan's principal and
the interest it earned and was not paid at the end of a day, with the payments valued by that
day only, so that a month closed after a later payment still shows its end as it stood; the
end of a day counted as a payment the next day counts it (its interest and penalty interest
to then); and the principal rolled forward across a period: what was owed at the start, plus
what the ledger paid out, less what the payments repaid, is what is owed at the end."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from rich.console import Console
from temporalio.testing import WorkflowEnvironment

from journey.month_end import at_end_of
from journey.post_loan_policy import start_of
from journey.repayment import add_months, cents
from starter.book_json import book_json
from starter.book_sections import month_end_table
from starter.money_paid_out import money_paid_out
from starter.money_received import Period, money_received
from starter.month_end import month_end, totals
from starter.quotes import QuoteFixings
from starter.work_lists import book_of
from tests.post_loan.loan_kit import disbursed_loan, pay, skip_to, until
from tests.workflows.journey_kit import Documents
from workflows.loan_journey import LoanJourneyWorkflow


async def test_a_month_end_shows_the_loans_as_they_stood_and_rolls_them_forward(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    env = time_skipping_env
    async with disbursed_loan(env, tmp_path, Documents()) as (app, settings, handle, running):
        first, second = running.offer.schedule[:2]
        late = first.due_on + timedelta(days=10)  # the first instalment paid 10 days late
        await skip_to(env, start_of(late) + timedelta(hours=2))
        await handle.execute_update(LoanJourneyWorkflow.record_repayment,
                                    pay("ME-1", first.payment, paid_on=late))
        now = await until(handle, lambda s: len(s.payments) == 1)
    rate, amount = now.penalty_rate, app.amount
    assert rate > 0 and now.disbursement is not None
    payout = now.disbursement.value_on
    assert payout is not None and at_end_of(now, payout - timedelta(days=1)) is None
    # the plan value dated at the payout keeps each period as it runs (marker
    # plan-periods-kept): a due date a non-working day moved ends its period on the plan's day
    for n, i in enumerate(now.offer.schedule, start=1):
        planned = add_months(payout, n)
        assert (i.ends_on, i.period_end) == (planned, None if i.due_on == planned else planned)

    # at the end of the payout day: a day's interest of the first period, nothing paid
    days = (first.due_on - payout).days
    day_one = at_end_of(now, payout)
    assert day_one is not None
    assert (day_one.principal, day_one.accrued, day_one.interest_due, day_one.penalty) == (
        amount, cents(first.interest / days), 0, 0)
    # the day before the first due date: the whole period has run, all its interest earned
    whole = at_end_of(now, first.due_on - timedelta(days=1))
    assert whole is not None and whole.accrued == first.interest == whole.interest_earned

    # five days past due, before the payment valued ten days late (recorded since): the
    # instalment unpaid, six days of penalty interest on it (to the next day), and six days
    # of the second period accrued
    then = first.due_on + timedelta(days=5)
    owed = at_end_of(now, then)
    assert owed is not None
    assert (owed.principal, owed.interest_due, owed.paid_ahead) == (amount, first.interest, 0)
    assert owed.penalty == cents(first.payment * rate * 6 / 360)
    # (the second period as the plan runs it: a holiday moving its due date lengthens it not)
    assert owed.accrued == cents(second.interest * 6 / (second.ends_on - first.ends_on).days)
    assert owed.interest_earned == owed.interest_due + owed.accrued

    # across the period from the due date's next day to the payment's: the principal at the
    # start, less what the late payment repaid (after its penalty interest and interest), is
    # the principal at the end, to the fen
    period = Period(first=first.due_on + timedelta(days=1), last=late)
    received = money_received([now], settings, period)
    paid_out = money_paid_out([now], settings, period)
    end = month_end([now], period, received, paid_out)
    assert end.not_reconciled == [] and paid_out.bookings == []
    (start,), (close,) = end.opening, end.closing
    penalty = cents(first.payment * rate * 10 / 360)
    assert start.principal == amount
    assert close.principal == amount - (first.principal - penalty)
    assert received.kinds.principal == first.principal - penalty
    assert received.kinds.penalty == penalty and received.kinds.interest == first.interest
    assert totals(end.closing).principal == close.principal

    shown = Console(width=250, record=True)
    shown.print(month_end_table(end))
    text = shown.export_text()
    total = next(r for r in text.splitlines() if "total, 1 loans" in r)
    assert [c.strip() for c in total.split("│")][4] == f"{close.principal:,.2f}", text
    assert "is its principal at the end" in text

    data = book_json(book_of([("working_capital", now)], None, QuoteFixings()), [], late,
                     received, paid_out, end)
    got = data["month_end"]
    assert got["closing_totals"]["principal"] == f"{close.principal:.2f}"
    assert got["opening"][0]["interest_earned"] == f"{start.interest_earned:.2f}"
    assert json.loads(json.dumps(data)) == data  # plain JSON
    assert Decimal(got["closing"][0]["penalty"]) == close.penalty
