"""The bank's working-calendar file: each year's arrangement as the State Council published it
(holidays and the weekend days worked in their place, 调休), with where it comes from.

A year the file lists replaces the `holidays` package's days of that year entirely; the years
it does not list stay the package's (an estimate, for a year not yet published). Pure: an
activity reads the file and hands its text to `parse_bank_calendar`.

    {"years": {"2027": {"source": "国务院办公厅 2026-11 notice",
                        "holidays": ["2027-01-01", "2027-02-06", ...],
                        "makeup_workdays": ["2027-02-20", ...]}}}
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from journey.policy.calendar import WorkingCalendar, build_calendar
from journey.policy.errors import PolicyError

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class CalendarFileError(PolicyError):
    """The bank's calendar file cannot be used: the message names the file, the year and the
    day, and what to fix."""


class PublishedYear(BaseModel):
    """One year's arrangement as the bank keeps it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str = Field(min_length=1)  # e.g. "国务院办公厅 2026-11 notice"
    holidays: list[date] = Field(min_length=1)
    makeup_workdays: list[date] = Field(default_factory=list)


class BankCalendar(BaseModel):
    """The years the bank's file lists (none: every year is the package's)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    years: dict[int, PublishedYear] = Field(default_factory=dict)

    def over(self, package: WorkingCalendar, span: Iterable[int]) -> WorkingCalendar:
        """`package`'s calendar with each year of `span` the file lists replaced by the file's
        days: none of the package's days of that year is kept."""
        if not self.years:
            return package
        listed = [self.years[y] for y in span if y in self.years]
        return build_calendar(
            [d for d in package.holidays if d.year not in self.years]
            + [d for year in listed for d in year.holidays],
            [d for d in package.makeup_workdays if d.year not in self.years]
            + [d for year in listed for d in year.makeup_workdays])


def parse_bank_calendar(text: str, name: str) -> BankCalendar:
    """The bank's calendar from the JSON `text` of the file `name`, checked: each day in its
    year, listed once, not both a holiday and a make-up day, every make-up day a Saturday or a
    Sunday. `CalendarFileError` naming the file, the year and the day otherwise."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as err:
        raise CalendarFileError(f"{name} is not JSON: {err}; fix the file") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("years"), dict):
        raise CalendarFileError(f'{name}: give {{"years": {{"2027": {{"source": ..., '
                                f'"holidays": [...], "makeup_workdays": [...]}}}}}}')
    for key in raw["years"]:
        if not (key.isdigit() and len(key) == 4):
            raise CalendarFileError(f"{name}: {key!r} is not a year: key each year's "
                                    "arrangement by its year, e.g. \"2027\"")
    try:  # strict: a day is "YYYY-MM-DD", not a number read as a timestamp
        calendar = BankCalendar.model_validate_json(text, strict=True)
    except ValidationError as err:
        raise CalendarFileError(f"{name}: " + "; ".join(_said(e) for e in err.errors())
                                ) from None
    for year, days in calendar.years.items():
        if problem := _year_problem(year, days):
            raise CalendarFileError(f"{name}: year {year}: {problem}")
    return calendar


def _said(error: object) -> str:
    """A pydantic error of the file as people read it: "year 2027, holidays item 3: ..."."""
    assert isinstance(error, dict)
    loc = [str(p) for p in error["loc"]][1:]  # without "years"
    where = f"year {loc[0]}" + (f", {loc[1]}" if len(loc) > 1 else "") + (
        f" item {int(loc[2]) + 1}" if len(loc) > 2 else "")
    fix = {"date_from_datetime_parsing": "correct the day",
           "date_parsing": "correct the day",
           "date_type": "give the day as a string, \"YYYY-MM-DD\"",
           "too_short": "list the year's holidays, or leave the year out for the package's",
           "missing": "add it",
           "extra_forbidden": "leave it out: a year has source, holidays, makeup_workdays"}
    return f"{where}: {error['msg']}; {fix.get(error['type'], 'fix it')}"


def _year_problem(year: int, days: PublishedYear) -> str | None:
    for kind, listed in (("holiday", days.holidays), ("make-up working day",
                                                       days.makeup_workdays)):
        seen: set[date] = set()
        for day in listed:
            if day.year != year:
                return (f"{day} is not in {year}: list the {kind} under {day.year}, where it "
                        "falls, or correct the date")
            if day in seen:
                return f"{day} is listed twice as a {kind}: list it once"
            seen.add(day)
    for day in sorted(set(days.holidays) & set(days.makeup_workdays)):
        return (f"{day} is both a holiday and a make-up working day: keep it in the list "
                "the notice gives it")
    for day in days.makeup_workdays:
        if day.weekday() < 5:
            return (f"{day} is a {_WEEKDAYS[day.weekday()]}, not a weekend day: a make-up "
                    "working day is a Saturday or Sunday worked; a weekday is a working day "
                    "already (leave it out, or correct the date)")
    return None
