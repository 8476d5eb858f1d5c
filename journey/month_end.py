"""A running loan's position at the end of a day, for a month-end: the principal not repaid,
the interest it has earned and not been paid (due and unpaid; accrued in the period running,
not due yet), the penalty interest accrued and unpaid, and the interest paid ahead, with the
payments valued by that day only, so that a month closed later (or a loan repaid since) still
shows the month's end as it stood, and the accrual that ties interest received to interest
earned is the book's, not a spreadsheet's.

The end of a day is the start of the next: the loan has run that day too, so its interest
and penalty interest are counted as a payment valued the next day would count them (the
days from the period's start, or the due date, to it: journey/payment_allocation.py,
journey/arrears.py), and an instalment due the next day has earned all its interest. The
account is drawn up again from the journey's payments (journey/money_booked.py), as the
money booked in the period is. A project still drawing on that day, or a loan not paid out
by then, has no such position (its quarters are journey/availability_interest.py's)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from pydantic import BaseModel

from journey.loan_account import ZERO
from journey.loan_payments import nothing_to_settle, payoff_quote, settlement_quote
from journey.money_booked import drawn_up, loan_payments
from journey.status import JourneyStatus, plan_start


class Position(BaseModel):
    """What a loan owes at the end of `day`, by part."""

    workflow_id: str
    day: date
    principal: Decimal  # not repaid, due or not
    interest_due: Decimal  # of instalments due by `day`, unpaid
    accrued: Decimal  # earned in the periods running past `day`, not due by then
    penalty: Decimal  # penalty interest accrued to the end of `day`, unpaid
    paid_ahead: Decimal  # interest paid on instalments due after `day`

    @property
    def interest_earned(self) -> Decimal:
        """Interest earned by the end of `day` and not paid: due and accrued, less what was
        paid ahead of it (the accrual a month-end books)."""
        return self.interest_due + self.accrued - self.paid_ahead


def at_end_of(s: JourneyStatus, day: date) -> Position | None:
    """The position of the loan of status `s` at the end of `day` (the module's rule); None
    for a journey that was no running loan then (not paid out, drawing, or drawn up from no
    payments it can allocate), or a loan repaid by then."""
    start = plan_start(s.offer, s.disbursement)
    own = loan_payments(s)
    if own is None or start is None or start > day:
        return None
    after = day + timedelta(days=1)
    account = drawn_up(s, own, day, after)
    if account.repaid:
        return None
    quote = (payoff_quote(account, after, s.penalty_rate)
             if nothing_to_settle(account, after) is not None
             else settlement_quote(account, after, start, s.penalty_rate, s.prepayment_fee))
    pairs = list(zip(account.instalments, quote.instalments, strict=True))
    return Position(
        workflow_id=s.workflow_id, day=day, principal=account.principal_owed,
        interest_due=sum((a.interest_due - a.interest_paid for a, _ in pairs
                          if a.due_on <= day and a.settled_on is None), ZERO),
        accrued=sum((q.interest_due for a, q in pairs if a.due_on > day), ZERO),
        penalty=quote.penalty_owed,
        paid_ahead=sum((a.interest_paid for a, _ in pairs if a.due_on > day), ZERO))


def positions(statuses: list[JourneyStatus], day: date) -> list[Position]:
    """Each loan's position at the end of `day`, each journey once, in the order read."""
    once = {s.workflow_id: s for s in statuses}
    return [p for s in once.values() if (p := at_end_of(s, day)) is not None]
