"""Project finance: interest during the availability period, paid quarterly (按季结息).

Interest on what is drawn accrues daily from each drawdown's booking day, by days over 360
(`availability_interest`, journey/drawdown_conditions.py), and is settled on the bank's
quarterly interest dates (结息日): the 20th of March, June, September and December. A
quarter's interest runs to its 结息日 inclusive and is payable the next day, the 21st, moved
to the next working day by the pinned calendar as the post-loan due dates are.

Each quarter is an instalment of interest only, so that payments, arrears, days past due,
reminders and overdue notices follow the post-loan account's rules (journey/post_loan.py).
When drawdowns close, the interest accrued since the last quarter ended, with whatever
quarterly interest is still unpaid, is due with the first instalment of the repayment plan:
nothing is charged twice.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, timedelta, tzinfo
from decimal import Decimal

from pydantic import BaseModel, Field

from journey.drawdown_conditions import availability_interest
from journey.drawdowns import Commitment, DrawdownRecord, DrawdownState
from journey.post_loan import Account, Payment, apply_payments
from journey.repayment import Instalment

ZERO = Decimal("0.00")
INTEREST_DAY = 20  # 结息日: the 20th of the last month of each quarter
QUARTER_ENDS = (3, 6, 9, 12)


class InterestPosition(BaseModel):
    """What status shows of a project's interest while it draws."""

    drawn: Decimal
    undrawn: Decimal
    accrued: Decimal  # since the last quarter ended, not yet charged
    accrued_since: date
    next_due_on: date | None = None  # the next quarterly payment day
    next_due: Decimal = ZERO  # what is due then, on what is drawn today
    paid: Decimal = ZERO
    past_due: Decimal = ZERO
    days_past_due: int = 0
    payments: list[Payment] = Field(default_factory=list)


def period_ends(opened: date, until: date) -> list[date]:
    """The days each quarter's interest stops at (the day after each 结息日), after `opened`
    and on or before `until`."""
    ends, year = [], opened.year
    while True:
        for month in QUARTER_ENDS:
            end = date(year, month, INTEREST_DAY) + timedelta(days=1)
            if end > until:
                return ends
            if end > opened:
                ends.append(end)
        year += 1


def quarterly_plan(records: list[DrawdownRecord], annual_rate: Decimal, opened: date,
                   until: date, next_working_day: Callable[[date], date], zone: tzinfo = UTC
                   ) -> list[Instalment]:
    """One instalment of interest for each quarter ending by `until`: what the drawdowns
    booked so far earn in it, due the day after its 结息日 (or the next working day)."""
    drawn = sum((r.request.amount for r in records if r.state is DrawdownState.BOOKED), ZERO)
    ends = period_ends(opened, until)
    return [
        Instalment(number=n, due_on=next_working_day(end), principal=ZERO, interest=interest,
                   payment=interest, balance_after=drawn)
        for n, (start, end) in enumerate(zip([opened, *ends], ends, strict=False), start=1)
        for interest in [availability_interest(records, annual_rate, end, zone, since=start)]
    ]


def interest_account(plan: list[Instalment], payments: list[Payment], as_of: date) -> Account:
    """The quarterly interest with the payments applied, as the post-loan account does."""
    return apply_payments(plan, payments, as_of=as_of)


def last_period_end(opened: date, day: date) -> date:
    """Where the interest not yet charged on `day` began accruing."""
    return ([opened, *period_ends(opened, day)])[-1]


def interest_at_close(records: list[DrawdownRecord], annual_rate: Decimal, opened: date,
                      closed: date, payments: list[Payment],
                      next_working_day: Callable[[date], date], zone: tzinfo = UTC) -> Decimal:
    """What the first instalment carries when drawdowns close on `closed`: the interest
    accrued since the last quarter ended, and the quarterly interest still unpaid (less what
    was paid beyond it)."""
    plan = quarterly_plan(records, annual_rate, opened, closed, next_working_day, zone)
    account = interest_account(plan, payments, closed)
    since = last_period_end(opened, closed)
    rest = availability_interest(records, annual_rate, closed, zone, since=since)
    return max(ZERO, rest + account.owed - account.credit)


def interest_position(commitment: Commitment, records: list[DrawdownRecord],
                      annual_rate: Decimal, plan: list[Instalment], payments: list[Payment],
                      today: date, zone: tzinfo = UTC) -> InterestPosition:
    """Drawn and undrawn, the interest accrued since the last quarter ended, the next
    quarter's payment day and amount (on what is drawn today), what was paid and what is
    past due."""
    opened = commitment.interest_from or today
    account = interest_account(plan, payments, today)
    since = last_period_end(opened, today)
    upcoming = next((i for i in account.instalments if i.due_on >= today and i.open_on(today)),
                    None)
    return InterestPosition(
        drawn=commitment.drawn, undrawn=commitment.available,
        accrued=availability_interest(records, annual_rate, today, zone, since=since),
        accrued_since=since,
        next_due_on=upcoming.due_on if upcoming else None,
        next_due=upcoming.outstanding if upcoming else ZERO,
        paid=sum((p.amount for p in payments), ZERO),
        past_due=account.arrears(today), days_past_due=account.days_past_due(today),
        payments=payments,
    )
