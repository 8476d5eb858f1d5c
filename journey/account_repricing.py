"""The loan account of a floating-rate loan repriced.

Repricing (journey/lpr.py): on a repricing date the instalments whose period begins on or
after it are recomputed at the new rate on the principal then planned for them: equal
principal keeps their principal parts, equal instalments are re-amortised over them to a new
level payment; each keeps its rate per period (`period_rate`), which a later prepayment's
interest follows. Principal or interest they had been paid ahead beyond their new amounts is
applied again, as money paid that day. A repricing comes before the payments of its day.

A period begins on the previous instalment's due date (the day its period ends by the plan,
where a non-working day moved it: journey/repayment.py `on_working_days`), or the plan's start
when that is later: a project's quarters of interest left unpaid when its drawdowns closed
come before the plan's first instalment, due before its start
(journey/availability_interest.py).
"""

from __future__ import annotations

from datetime import date

from journey.loan_account import ZERO, Account
from journey.lpr import RateChange, RateHistory
from journey.payment_allocation import allocate
from journey.repayment import RepaymentMethod, annuity_payment, cents


def reprice_to(account: Account, changes: list[RateChange], day: date | None,
               rates: RateHistory | None, start: date | None) -> None:
    """Applies the repricings of `changes` on or before `day` (every one when None), and
    takes them off it."""
    while rates is not None and changes and (day is None or changes[0].on <= day):
        _reprice(account, changes.pop(0), rates, start)


def _reprice(account: Account, change: RateChange, rates: RateHistory, start: date | None
             ) -> None:
    """The plan repriced on `change.on` (the module's rule)."""
    first = start or date.min
    period_begins = [first, *(max(s.ends_on, first) for s in account.instalments[:-1])]
    later = [s for s, begins in zip(account.instalments, period_begins, strict=True)
             if begins >= change.on]
    rate = change.new_rate * rates.frequency.months / 12
    balance = sum((s.principal_planned for s in later), ZERO)
    amortising = [s for s in later if s.principal_planned > 0]
    level = annuity_payment(balance, rate, len(amortising)) if amortising else ZERO
    again = ZERO
    for state in later:
        interest = cents(balance * rate)
        part = state.principal_planned
        if rates.method is RepaymentMethod.EQUAL_INSTALMENT and part > 0:
            part = balance if state is amortising[-1] else min(balance, level - interest)
        balance -= part
        state.principal_due = part + state.principal_prepaid
        state.interest_due = state.interest_fixed + interest
        state.period_rate = rate
        excess = (max(state.interest_paid - state.interest_due, ZERO)
                  + max(state.principal_paid - state.principal_due, ZERO))
        state.interest_paid = min(state.interest_paid, state.interest_due)
        state.principal_paid = min(state.principal_paid, state.principal_due)
        again += excess
        if state.outstanding == 0:
            state.settled_on = state.settled_on or change.on
        elif state.settled_on is not None:
            state.settled_on = None  # it asks for more now
    if again > 0:
        allocate(account, again, change.on)


def repriced(account: Account, changes: list[RateChange], rates: RateHistory,
             start: date | None) -> Account:
    """The account as it stands once `changes`, repricings after its payments, are applied
    (the module's rule): what a quote dated after them sees."""
    quoted = account.model_copy(deep=True)
    reprice_to(quoted, [c for c in changes if c.changed], None, rates, start)
    return quoted
