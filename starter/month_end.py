"""The loans' position at the start and the end of a period, for `book`'s month-end
(journey/month_end.py): at the end of the day before it and of its last day, each loan's
principal and the interest it had earned and not been paid, with the totals; and the
principal rolled forward loan by loan, what it owed at the start plus what the ledger paid
out to it in the period less the principal its payments in the period repaid, which is what it
owes at the end, to the fen, or the loan is named. A project drawing on either day is in it
too, its principal what it had drawn (journey/month_end.py), so that across its drawdowns and
its close the principal rolls forward by the ledger's money paid out to it, and the total by
all the money paid out in the period."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from pydantic import BaseModel

from activities.policy import china_calendar
from journey.loan_account import ZERO
from journey.month_end import Position, positions
from journey.repayment import money
from journey.status import JourneyStatus
from starter.money_paid_out import MoneyPaidOut
from starter.money_received import MoneyReceived, Period


class Totals(BaseModel):
    principal: Decimal = ZERO
    interest_due: Decimal = ZERO
    accrued: Decimal = ZERO
    penalty: Decimal = ZERO
    paid_ahead: Decimal = ZERO
    interest_earned: Decimal = ZERO


class MonthEnd(BaseModel):
    period: Period
    opening: list[Position]  # at the end of the day before the period
    closing: list[Position]  # at the end of its last day
    not_reconciled: list[str]


def totals(lines: list[Position]) -> Totals:
    """The sums of `lines`, part by part: each the sum of the rows, to the fen."""
    return Totals(**{k: sum((getattr(p, k) for p in lines), ZERO) for k in Totals.model_fields})


def month_end(statuses: list[JourneyStatus], period: Period, received: MoneyReceived,
              paid_out: MoneyPaidOut) -> MonthEnd:
    """The positions of the loans of `statuses` at the start and end of `period`, and the
    principal of each rolled forward by what `paid_out` lent it and `received` repaid."""
    calendar = china_calendar(period.last, 1)  # the bank's, as the workers pin it
    opening = positions(statuses, period.first - timedelta(days=1), calendar)
    closing = positions(statuses, period.last, calendar)
    start = {p.workflow_id: p.principal for p in opening}
    end = {p.workflow_id: p.principal for p in closing}
    lent: dict[str, Decimal] = {}
    for b in paid_out.bookings:
        lent[b.workflow_id] = lent.get(b.workflow_id, ZERO) + b.amount
    repaid = {b.workflow_id: b.kinds.principal for b in received.booked if not b.why}
    unallocated = {b.workflow_id for b in received.booked if b.why}
    ids = [w for w in dict.fromkeys([*start, *end, *lent, *repaid])
           if w not in unallocated]
    return MonthEnd(period=period, opening=opening, closing=closing, not_reconciled=[
        f"{w}: principal {money(start.get(w, ZERO))} at the start, paid out "
        f"{money(lent.get(w, ZERO))}, repaid {money(repaid.get(w, ZERO))}, leaves "
        f"{money(rolled)}, but it owes {money(end.get(w, ZERO))} at the end: check "
        f"`loan-journey status {w}`"
        for w in ids
        if (rolled := start.get(w, ZERO) + lent.get(w, ZERO) - repaid.get(w, ZERO))
        != end.get(w, ZERO)])
