"""One year of the bank's working calendar as the workers pin it, and where it comes from: the
bank's calendar file (LOAN_JOURNEY_CALENDAR_FILE) for a year it lists, else the `holidays`
package's figures (an estimate, for a year the State Council has not yet published)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from importlib.metadata import version

from activities.policy import china_calendar, load_calendar_file
from journey.settings import Settings


@dataclass(frozen=True)
class CalendarYear:
    year: int
    source: str  # where the year's days come from, for people
    from_file: bool  # the bank's file lists the year
    holidays: list[date]
    makeup_workdays: list[date]


def calendar_year(settings: Settings, year: int) -> CalendarYear:
    """The holidays and make-up working days of `year` in the calendar a worker with
    `settings` pins (`china_calendar`), and where they come from. CalendarFileError when the
    bank's file cannot be used."""
    bank = load_calendar_file(settings.calendar_file)
    calendar = china_calendar(date(year, 1, 1), 1, bank)
    published = bank.years.get(year)
    package = (f"the holidays package {version('holidays')} (an estimate, for a year not yet "
               "published)")
    if published is not None:
        source = f"the bank's calendar file {settings.calendar_file} ({published.source})"
    elif settings.calendar_file is None:
        source = f"{package}: LOAN_JOURNEY_CALENDAR_FILE is not set"
    else:
        source = f"{package}: the bank's calendar file {settings.calendar_file} does not list it"
    return CalendarYear(year=year, source=source, from_file=published is not None,
                        holidays=[d for d in calendar.holidays if d.year == year],
                        makeup_workdays=[d for d in calendar.makeup_workdays if d.year == year])
