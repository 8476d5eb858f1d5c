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
money booked in the period is. A loan not paid out by then has no such position.

A project still drawing on that day (its drawdowns open, or closed after it) has one by the
rules of its availability period (journey/availability_interest.py), as status shows it
drawing: its principal what was drawn and booked by the day (the ledger's money paid out to
it, so that a month-end's principal rolls forward across its drawdowns and its close), its
interest its quarters' (interest and commitment fee: due and unpaid, the quarter running
accrued, paid ahead beyond them) with the payments valued by the day, and the penalty
interest on a quarter past due."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta, timezone
from decimal import Decimal

from pydantic import BaseModel

from journey.availability_interest import (
    Terms,
    accrued,
    interest_account,
    last_period_end,
    quarterly_plan,
)
from journey.drawdown_conditions import earned
from journey.drawdowns import DrawdownState
from journey.loan_account import ZERO
from journey.loan_payments import nothing_to_settle, payoff_quote, settlement_quote
from journey.money_booked import (
    closed_on,
    drawn_up,
    loan_payments,
    paid_ahead,
    quarters_payments,
)
from journey.policy.calendar import WorkingCalendar
from journey.repayment import cents
from journey.status import JourneyStatus, plan_start


class Position(BaseModel):
    """What a loan owes at the end of `day`, by part."""

    workflow_id: str
    day: date
    principal: Decimal  # not repaid, due or not
    interest_due: Decimal  # of instalments due by `day`, unpaid
    accrued: Decimal  # earned in the periods running past `day`, not due by then
    penalty: Decimal  # penalty interest accrued to the end of `day`, unpaid
    # interest received in advance (预收利息): paid on instalments due after `day`, as the
    # money booked counts it (journey/money_booked.py `paid_ahead`)
    paid_ahead: Decimal

    @property
    def interest_earned(self) -> Decimal:
        """Interest earned by the end of `day` and not paid: due and accrued, less what was
        paid ahead of it (the accrual a month-end books)."""
        return self.interest_due + self.accrued - self.paid_ahead


def at_end_of(s: JourneyStatus, day: date, calendar: WorkingCalendar | None = None
              ) -> Position | None:
    """The position of the loan of status `s` at the end of `day` (the module's rule), or of
    the project drawing then, its quarters payable on `calendar`'s working days (the bank's,
    as the journey pinned it; without one, weekends only are not); None for a journey that
    was no running loan then (not paid out, or drawn up from no payments it can allocate),
    or a loan repaid by then."""
    if (drawing := _drawing_at_end_of(s, day, calendar or WorkingCalendar())) is not None:
        return drawing
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
        paid_ahead=paid_ahead(account, day))


def _drawing_at_end_of(s: JourneyStatus, day: date, calendar: WorkingCalendar
                       ) -> Position | None:
    """The position of the project of status `s` drawing at the end of `day` (the module's
    rule); None when it was not drawing then (not yet opened, or closed by then)."""
    c, offer, closed = s.commitment, s.offer, closed_on(s)
    if c is None or offer is None or closed is not None and closed <= day:
        return None
    zone = timezone(timedelta(hours=s.days_utc_offset))
    opened = c.interest_from
    if opened is None and not s.drawdowns or opened is not None and opened > day:
        return None
    after = day + timedelta(days=1)
    drawn = [r for r in s.drawdowns if r.state is DrawdownState.BOOKED and r.booked_at
             is not None and r.booked_at.astimezone(zone).date() <= day]
    principal = sum((r.request.amount for r in drawn), ZERO)
    if opened is None:  # before quarterly interest: all of it due with the first instalment
        return Position(workflow_id=s.workflow_id, day=day, principal=principal,
                        interest_due=ZERO, penalty=ZERO, paid_ahead=ZERO,
                        accrued=cents(sum(earned(drawn, offer.annual_rate, after, zone), ZERO)))
    terms = Terms(annual_rate=offer.annual_rate, commitment=c.total, fee_rate=c.fee_rate,
                  per_piece=not c.rounded_once)
    paid = [p for p in quarters_payments(s) if p.paid_on <= day]
    plan = quarterly_plan(drawn, terms, opened, after, _payment_day(s, calendar), zone)
    account = interest_account(plan, paid, after, s.penalty_rate)
    running = accrued(drawn, terms, last_period_end(opened, after), after, zone)
    return Position(
        workflow_id=s.workflow_id, day=day, principal=principal,
        interest_due=sum((q.interest_due - q.interest_paid for q in account.instalments
                          if q.due_on <= day and q.settled_on is None), ZERO),
        accrued=running.total + sum((q.interest_due for q in account.instalments
                                     if q.due_on > day), ZERO),
        penalty=account.penalty_owed,
        paid_ahead=account.credit + sum((q.interest_paid for q in account.instalments
                                         if q.due_on > day), ZERO))


def _payment_day(s: JourneyStatus, calendar: WorkingCalendar) -> Callable[[date], date]:
    """The day something is payable for the journey of status `s`: the next working day by
    `calendar` where its days are the bank's (as workflows/drawdown_interest.py moves a
    quarter's), else the day itself."""
    if s.offer is not None and s.offer.bank_days:
        return calendar.next_working_day
    return lambda d: d


def positions(statuses: list[JourneyStatus], day: date,
              calendar: WorkingCalendar | None = None) -> list[Position]:
    """Each loan's position at the end of `day` (a drawing project's quarters payable on
    `calendar`'s working days), each journey once, in the order read."""
    once = {s.workflow_id: s for s in statuses}
    return [p for s in once.values() if (p := at_end_of(s, day, calendar)) is not None]
