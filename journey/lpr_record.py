"""The bank's record of LPR fixings: what it checks before a fixing is recorded or corrected.

The reformed LPR is published once a month, on the 20th, moved to the next working day when
the 20th is not one (the working calendar's), from 2019-08-20 on. A fixing is recorded in
percent to at most four decimal places. The bank's own plausibility check takes a rate from
1% to 10%: below it is most likely a fraction typed for a percent (0.031 for 3.10%), above it
a misplaced point. The 5-year LPR is not below the 1-year one unless the recorder confirms
that the published curve is inverted (`--inverted-confirmed`); a recorded inverted fixing
was therefore confirmed by whoever recorded it.

A published fixing does not change, so a date is recorded once and a month has one fixing;
a typo is corrected by a supervisor who did not record it (four eyes), with a reason, while
no loan has read the fixing (a journey's intake that pins it for its offer, an offer, a
repricing on it). Once one has, a
correction would not reach it, so it is refused: the loan keeps the fixing it used. The old
values, who corrected them and why are kept.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from pydantic import BaseModel, Field

from journey.lpr import LprFixing
from journey.policy.calendar import WorkingCalendar

# the bank's plausibility check of a fixing, as fractions: 1% to 10%
LOWEST_RATE, HIGHEST_RATE = Decimal("0.01"), Decimal("0.10")
PLACES = 4  # decimal places of a fixing in percent
REFORM = date(2019, 8, 20)  # the first fixing of the reformed LPR
PUBLISHED_ON = 20  # the day of the month a fixing is published, or the next working day


class LprCorrection(BaseModel):
    """A recorded fixing corrected: the values it had, who corrected them, when and why."""

    one_year: Decimal  # as recorded before the correction
    five_year: Decimal
    corrected_by: str
    reason: str
    corrected_at: datetime


class RecordedFixing(BaseModel):
    """A fixing as the bank's record keeps it: who recorded it and when, the first loan that
    read it (None: none yet, so a supervisor may still correct it), its corrections."""

    fixing: LprFixing
    recorded_at: datetime
    used_by: str | None = None
    used_at: datetime | None = None
    corrections: list[LprCorrection] = Field(default_factory=list)


def publication_day(day: date, calendar: WorkingCalendar) -> date:
    """The day the fixing of `day`'s month is published."""
    return calendar.next_working_day(day.replace(day=PUBLISHED_ON))


def last_publication(day: date, calendar: WorkingCalendar) -> date:
    """The latest publication day on or before `day`: the fixing then published is the one
    in force on `day` once the bank has recorded it."""
    this_month = publication_day(day, calendar)
    if day >= this_month:
        return this_month
    return publication_day(day.replace(day=1) - timedelta(days=1), calendar)


def percent(rate: Decimal) -> str:
    """A fraction in percent, to two places or as many as it has: "3.10%", "0.031%"."""
    value = rate * 100
    return f"{value:.2f}%" if value == round(value, 2) else f"{value.normalize():f}%"


def rates_refusal(fixing: LprFixing, inverted_confirmed: bool = False) -> str | None:
    """Why `fixing`'s rates are not a plausible LPR fixing, or None."""
    for name, rate in (("--one-year", fixing.one_year), ("--five-year", fixing.five_year)):
        if rate.normalize().as_tuple().exponent < -(PLACES + 2):  # type: ignore[operator]
            return (f"{name} {percent(rate)} has more than {PLACES} decimal places: give the "
                    "fixing as published, e.g. 3.10")
        if rate <= 0:
            return f"{name} {percent(rate)} is not positive: an LPR fixing is a positive rate"
        if rate < LOWEST_RATE:
            return (f"{name} {percent(rate)} is below {LOWEST_RATE:.0%}, the bank's plausibility "
                    "floor: give percent, e.g. 3.10 for 3.10%, not a fraction")
        if rate > HIGHEST_RATE:
            return (f"{name} {percent(rate)} is above {HIGHEST_RATE:.0%}, the bank's plausibility "
                    "ceiling: give percent, e.g. 3.10 for 3.10%")
    if fixing.five_year < fixing.one_year and not inverted_confirmed:
        return (f"the 5-year LPR {percent(fixing.five_year)} is below the 1-year "
                f"{percent(fixing.one_year)}: check the figures, or add --inverted-confirmed "
                "when the published curve is inverted")
    return None


def date_refusal(fixed_on: date, today: date, calendar: WorkingCalendar) -> str | None:
    """Why no fixing is dated `fixed_on` (on the bank's day `today`), or None."""
    if fixed_on < REFORM:
        return (f"{fixed_on} is before {REFORM}, the first fixing of the reformed LPR: "
                "check the date")
    published = publication_day(fixed_on, calendar)
    if fixed_on != published:
        return (f"{fixed_on} is not a publication day: the fixing of {fixed_on:%Y-%m} is "
                f"published on {published} (the {PUBLISHED_ON}th, or the next working day)")
    if fixed_on > today:
        return (f"the fixing of {fixed_on} is after today ({today}, the bank's day): record a "
                "fixing once it is published")
    return None


def record_conflict(fixing: LprFixing, recorded: LprFixing | None) -> str | None:
    """Why `fixing` cannot join the record, `recorded` being the fixing recorded in its month
    (if any); None also for the same fixing again: recording it is idempotent."""
    if recorded is None:
        return None
    if recorded.fixed_on != fixing.fixed_on:
        return (f"the fixing of {fixing.fixed_on:%Y-%m} is recorded already, dated "
                f"{recorded.fixed_on}: the LPR is published once a month; check the date")
    if (recorded.one_year, recorded.five_year) != (fixing.one_year, fixing.five_year):
        return (f"the fixing of {fixing.fixed_on} is already recorded ({recorded.describe()}, "
                f"by {recorded.recorded_by}): a published fixing does not change; a supervisor "
                "corrects a typo with `loan-journey lpr correct`")
    return None


def correction_refusal(recorded: RecordedFixing | None, corrected: LprFixing, by: str
                       ) -> str | None:
    """Why `by` may not correct the fixing of its date to `corrected`, or None."""
    day = corrected.fixed_on
    if recorded is None:
        return f"no fixing of {day} is recorded: nothing to correct (`loan-journey lpr list`)"
    if by == recorded.fixing.recorded_by:
        return (f"{by} recorded the fixing of {day}: another supervisor corrects it "
                "(four eyes)")
    if recorded.used_by is not None:
        return (f"the fixing of {day} was read by {recorded.used_by} on {recorded.used_at:%Y-%m-%d}"
                ", which keeps the rate it was priced or repriced at: a correction would not "
                "reach it, so the fixing is not corrected; tell treasury and the loan's "
                "officers instead (a journey's intake reads the fixing in force, pinning it for "
                "its offer, and that read stands even when the journey ends before its offer)")
    if (corrected.one_year, corrected.five_year) == (recorded.fixing.one_year,
                                                     recorded.fixing.five_year):
        return f"the fixing of {day} is recorded with these rates already: nothing to correct"
    return None
