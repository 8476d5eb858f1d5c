"""A running loan learns the arrangement of the years that have not begun.

A journey pins its working calendar at intake for the term and 3 years more; a year the State
Council had not yet published was the `holidays` package's estimate then. When the bank's
calendar file (journey/policy/bank_calendar.py) lists it later, the loan takes that year as
the workers now have it, and keeps the days of the years already begun as it pinned them (a
due date the customer has been told this year does not move). Each future instalment nobody
has paid anything of is re-dated from its plan's day (`ends_on`, journey/repayment.py
`on_working_days`) to the next working day of the calendar learned (顺延); its interest is
accrued over the plan's period, as any moved instalment's is.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from journey.loan_account import InstalmentState
from journey.policy.calendar import WorkingCalendar, build_calendar
from journey.repayment import Instalment


class Redated(BaseModel):
    """An instalment the calendar learned moved: its number, its due date before and now."""

    number: int
    was: date
    due_on: date

    def said(self) -> str:
        return f"instalment {self.number} is due on {self.due_on}, not {self.was}"


def pinned_until(pinned: WorkingCalendar, today: date) -> int:
    """The last year `pinned` covers: its last holiday's (`today`'s, without one)."""
    return max((d.year for d in pinned.holidays), default=today.year)


def learned(pinned: WorkingCalendar, now: WorkingCalendar, today: date) -> WorkingCalendar:
    """`pinned` with the years after `today`'s, up to the last it covers, as `now` has them;
    the days of `today`'s year and those before as pinned."""
    last = pinned_until(pinned, today)

    def kept(pinned_days: list[date], now_days: list[date]) -> list[date]:
        return ([d for d in pinned_days if not today.year < d.year <= last]
                + [d for d in now_days if today.year < d.year <= last])

    return build_calendar(kept(pinned.holidays, now.holidays),
                          kept(pinned.makeup_workdays, now.makeup_workdays),
                          day_start=pinned.day_start, day_end=pinned.day_end,
                          utc_offset_hours=pinned.utc_offset_hours)


def years_changed(pinned: WorkingCalendar, learnt: WorkingCalendar) -> list[int]:
    """The years whose holidays or make-up days differ between the two calendars."""
    def days(c: WorkingCalendar) -> set[tuple[str, date]]:
        return {("off", d) for d in c.holidays} | {("on", d) for d in c.makeup_workdays}

    return sorted({d.year for _, d in days(pinned) ^ days(learnt)})


def redated(plan: list[Instalment], account: list[InstalmentState], calendar: WorkingCalendar,
            today: date) -> tuple[list[Instalment], list[Redated]]:
    """`plan` with each instalment whose plan day is after `today` and of which nothing is
    paid (`account`) due on `calendar`'s next working day from its plan day, keeping that day
    as its period's end when it moves; and those whose due date that changed."""
    untouched = {s.number for s in account if s.interest_paid + s.principal_paid == 0}
    out, moved = [], []
    for i in plan:
        plan_day = i.ends_on
        due = calendar.next_working_day(plan_day)
        if plan_day <= today or i.number not in untouched or due == i.due_on:
            out.append(i)
            continue
        out.append(i.model_copy(update={"due_on": due,
                                        "period_end": plan_day if due != plan_day else None}))
        moved.append(Redated(number=i.number, was=i.due_on, due_on=due))
    return out, moved
