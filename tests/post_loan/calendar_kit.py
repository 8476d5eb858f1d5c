"""A loan whose next year's holiday the bank's calendar file gives, where the `holidays`
package's estimate has a working day: the day, and the file."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from activities.policy import china_calendar, load_calendar_file
from journey.policy.calendar import WorkingCalendar
from journey.repayment import add_months


def estimate(day: date) -> WorkingCalendar:
    """The package's calendar alone, as a journey paid out on `day` pins it without a file."""
    return china_calendar(day, 3, load_calendar_file(None))


def a_due_day_made_holiday(paid_out: date) -> tuple[int, date]:
    """The instalment (number) of a 12-month loan paid out on `paid_out` due next year on a
    working day of the package's calendar, the next day one too, and that day: the one the
    bank's file makes a holiday."""
    package = estimate(paid_out)
    for n in range(1, 12):
        day = add_months(paid_out, n)
        if day.year == paid_out.year + 1 and package.is_working_day(day) \
                and package.is_working_day(day + timedelta(days=1)):
            return n, day
    raise AssertionError(f"no due day next year for a loan paid out on {paid_out}")


def published(path: Path, package: WorkingCalendar, holiday: date, source: str) -> Path:
    """The bank's calendar file listing `holiday`'s year as `package` has it, and `holiday`
    off."""
    year = holiday.year
    path.write_text(json.dumps({"years": {str(year): {
        "source": source,
        "holidays": sorted({str(d) for d in package.holidays if d.year == year}
                           | {str(holiday)}),
        "makeup_workdays": [str(d) for d in package.makeup_workdays if d.year == year],
    }}}, ensure_ascii=False), encoding="utf-8")
    return path
