"""The repricings a quote sees: a settlement or prepayment quoted for a day after one of a
floating-rate loan's repricing dates (journey/lpr.py) that the journey has not reached yet
is quoted as the loan will stand then, repriced to the fixing in force on that date among
those recorded when it is quoted; a date with none in force leaves the rate as it stands,
as the journey would. Pure: the command line reads the fixings and passes them in (the
journey's status query does no I/O)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from journey.lpr import LprFixing, RateChange, fixing_in_force, rate_change, repricings_left
from journey.policy.pricing import RateBasis


def repricings_ahead(basis: RateBasis, rate_now: Decimal, start: date, term_months: int,
                     done: list[RateChange], ends_on: date, fixings: list[LprFixing],
                     day: date) -> list[RateChange]:
    """The repricings of a loan priced on `basis`, paid out on `start` and now at
    `rate_now`, due on or before `day` and not `done` yet, while its plan (ending on
    `ends_on`) has instalments after them, each to the fixing in force on its date."""
    changes: list[RateChange] = []
    for on in repricings_left(start, term_months, done, ends_on):
        if on > day:
            break
        changes.append(rate_change(basis, rate_now, on, fixing_in_force(fixings, on)))
        rate_now = changes[-1].new_rate
    return changes
