"""What is past due on the loan account: its penalty interest, and the days past due that
floor its risk class.

Penalty interest: from the day after its due date until it is paid, what an instalment
leaves unpaid of its principal and interest accrues penalty interest at the penalty rate
(the loan's rate raised by the policy's markup), by days over 360; a payment pays an
instalment's penalty first, then its interest, then its principal, as loan contracts order
it. With no markup (policies pinned before it) nothing accrues.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from journey.classification import FLOORS, RiskClass, floor_by_days_past_due
from journey.loan_account import Account
from journey.repayment import cents


def accrue_penalty(account: Account, to: date, rate: Decimal) -> None:
    """Penalty interest on what each instalment leaves unpaid past its due date, to `to`."""
    if rate <= 0:
        return
    for state in account.instalments:
        if state.settled_on is not None or state.due_on >= to:
            continue
        since = state.penalty_to or state.due_on
        if to > since:
            state.penalty_due += cents(state.unpaid * rate * (to - since).days / 360)
            state.penalty_to = to


def threshold_days(first_overdue: date) -> list[date]:
    """The days on which the days-past-due floor of an instalment due then changes class."""
    return [first_overdue + timedelta(days=days + 1) for days, _ in reversed(FLOORS)]


def dpd_class(account: Account, as_of: date) -> RiskClass:
    return floor_by_days_past_due(account.days_past_due(as_of))
