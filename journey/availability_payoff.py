"""Project finance: what a project's close, or its settlement while it draws, makes of the
money paid for its quarters (journey/availability_interest.py).

A quarter paid before it was due pays for days after an early close, and for the commitment
fee on the commitment the close cancels: the fee runs only while the commitment exists, to
the day it is cancelled, as the interest runs only on days the money is lent. That part is
credited to the repayment plan (`paid_ahead`), as a payment on the close day: it pays the
first instalment ahead, and a settlement gives it back as any interest paid ahead
(journey/payment_allocation.py). While a project draws, its payoff (`payoff`) is what that close and
a settlement the same day would take, so that a bank can quote it before the customer
withdraws the rest of the commitment. What it was paid ahead is named by kind: a payment
beyond the quarters ended pays for the quarter running, of interest and commitment fee in that
quarter's shares (on what is drawn that day); anything beyond that quarter is interest paid
ahead, as the plan takes it after the close.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, timedelta, tzinfo
from decimal import Decimal

from journey.availability_interest import (
    ZERO,
    Accrual,
    AtClose,
    Payoff,
    Terms,
    accrued,
    at_close,
    last_period_end,
    period_ends,
)
from journey.drawdowns import DrawdownRecord, DrawdownState
from journey.loan_account import Payment
from journey.repayment import cents

PAID_AHEAD = "paid ahead while drawing"  # the credit `paid_ahead` carries into the plan


def payoff(records: list[DrawdownRecord], terms: Terms, opened: date, on: date,
           payments: list[Payment], next_working_day: Callable[[date], date],
           zone: tzinfo = UTC, penalty_rate: Decimal = ZERO,
           settle_fee_rate: Decimal = ZERO) -> Payoff:
    """What settles the project on `on` while it draws: closing that day (`at_close`) and
    the plan's settlement the same day, so that it is what a withdrawal then `settlement`
    would quote: the prepayment fee at `settle_fee_rate` on the principal, and what the
    payments paid beyond the quarters (`Account.credit`: `rest` less what the close leaves
    of it, and the rest paid ahead) given back."""
    owed = at_close(records, terms, opened, on, payments, next_working_day, zone,
                    penalty_rate)
    rest = accrued(records, terms, last_period_end(opened, on), on, zone)
    drawn = sum((r.request.amount for r in records if r.state is DrawdownState.BOOKED), ZERO)
    ahead = owed.ahead + rest.total - owed.rest
    return Payoff(on=on, principal=drawn, past_due=sum((q.payment for q in owed.unpaid), ZERO),
                  interest=rest.interest, fee=rest.fee,
                  prepayment_fee=cents(drawn * settle_fee_rate), paid_ahead=ahead,
                  ahead_fee=fee_share(ahead, running_quarter(records, terms, opened, on, zone)))


def running_quarter(records: list[DrawdownRecord], terms: Terms, opened: date, on: date,
                    zone: tzinfo = UTC) -> Accrual:
    """The whole quarter running on `on`, from the last quarter's end to its 结息日, on what
    is drawn that day: what a payment beyond the quarters ended pays for."""
    end = next(e for e in period_ends(opened, on + timedelta(days=93)) if e > on)
    return accrued(records, terms, last_period_end(opened, on), end, zone)


def fee_share(ahead: Decimal, quarter: Accrual) -> Decimal:
    """The commitment fee in `ahead`, paid for `quarter`: the fee's share of what it pays of
    the quarter, in cents; none of what it pays beyond it."""
    if quarter.total <= 0:
        return ZERO
    return cents(min(ahead, quarter.total) * quarter.fee / quarter.total)


def paid_ahead(owed: AtClose, on: date, order: int) -> list[Payment]:
    """What the close owes nothing for, credited to the repayment plan as one payment on the
    close day `on` (paying its first instalment ahead, given back by a settlement as any
    interest paid ahead); none when nothing was paid beyond."""
    if owed.ahead <= 0:
        return []
    return [Payment(reference=PAID_AHEAD, amount=owed.ahead, paid_on=on, order=order)]
