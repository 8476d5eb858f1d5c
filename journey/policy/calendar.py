"""A working calendar and business-time arithmetic, deterministic and free of I/O.

The holiday and make-up working-day dates come in as data (an activity reads them from the
`holidays` package); this module only counts. Working days are Monday to Friday that are not
holidays, plus the make-up working days (调休上班) that fall on a weekend. Working hours run
from `day_start` to `day_end` in a fixed UTC offset (China has no daylight saving time).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta, timezone

from pydantic import BaseModel, Field, PrivateAttr, model_validator

_MAX_DAYS = 366 * 20  # a business duration never spans more than this many calendar days


class WorkingCalendar(BaseModel):
    holidays: list[date] = Field(default_factory=list)
    makeup_workdays: list[date] = Field(default_factory=list)
    day_start: time = time(9, 0)
    day_end: time = time(17, 30)
    utc_offset_hours: int = Field(default=8, ge=-12, le=14)

    _off: frozenset[date] = PrivateAttr(default_factory=frozenset)
    _on: frozenset[date] = PrivateAttr(default_factory=frozenset)

    @model_validator(mode="after")
    def _check(self) -> WorkingCalendar:
        if self.day_end <= self.day_start:
            raise ValueError(f"day_end {self.day_end} must be after day_start {self.day_start}")
        self._off = frozenset(self.holidays)
        self._on = frozenset(self.makeup_workdays)
        return self

    @property
    def tz(self) -> timezone:
        return timezone(timedelta(hours=self.utc_offset_hours))

    @property
    def day_length(self) -> timedelta:
        return _at(date(2000, 1, 3), self.day_end) - _at(date(2000, 1, 3), self.day_start)

    def is_working_day(self, day: date) -> bool:
        if day in self._on:
            return True
        return day.weekday() < 5 and day not in self._off

    def next_working_day(self, day: date) -> date:
        """`day` itself when it is a working day, else the first working day after it."""
        for _ in range(_MAX_DAYS):
            if self.is_working_day(day):
                return day
            day += timedelta(days=1)
        raise ValueError(f"no working day in the {_MAX_DAYS} days from {day}")

    def day_of(self, moment: datetime) -> date:
        """The day `moment` falls on where the bank works (its UTC offset)."""
        _require_aware(moment)
        return moment.astimezone(self.tz).date()

    def moment_text(self, moment: datetime) -> str:
        """`moment` as the bank's clock shows it, for people: "2026-12-06 18:00 (UTC+8)"."""
        return moment_at(moment, self.utc_offset_hours)


def moment_at(moment: datetime, utc_offset_hours: int, *, seconds: bool = False) -> str:
    """`moment` on a clock `utc_offset_hours` from UTC, labelled: "2026-12-06 18:00 (UTC+8)"
    ("2026-12-06 18:00:07 (UTC+8)" with `seconds`)."""
    _require_aware(moment)
    zone = timezone(timedelta(hours=utc_offset_hours))
    shown = "%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M"
    return f"{moment.astimezone(zone).strftime(shown)} (UTC{utc_offset_hours:+d})"


def short_moment(moment: datetime, utc_offset_hours: int) -> str:
    """`moment` on a clock `utc_offset_hours` from UTC, unlabelled and without its year:
    "12-06 18:00", for a list that says its zone once, in its title."""
    _require_aware(moment)
    return f"{moment.astimezone(timezone(timedelta(hours=utc_offset_hours))):%m-%d %H:%M}"


def _at(day: date, t: time, tz: timezone | None = None) -> datetime:
    return datetime.combine(day, t, tzinfo=tz)


def build_calendar(
    holiday_dates: Iterable[date],
    makeup_dates: Iterable[date],
    **hours: object,
) -> WorkingCalendar:
    """A calendar from holiday and make-up working-day dates (sorted, duplicates dropped).

    Extra keyword arguments (day_start, day_end, utc_offset_hours) pass through.
    """
    return WorkingCalendar.model_validate(
        {
            "holidays": sorted(set(holiday_dates)),
            "makeup_workdays": sorted(set(makeup_dates)),
            **hours,
        }
    )


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{moment!r} has no time zone: pass an aware datetime (UTC)")


def add_business_time(cal: WorkingCalendar, start: datetime, duration: timedelta) -> datetime:
    """The moment `duration` of working time after `start`, in UTC.

    Only working hours on working days count. A start outside working hours counts from the
    next opening. A zero duration returns `start` itself.
    """
    _require_aware(start)
    if duration < timedelta(0):
        raise ValueError(f"duration {duration} is negative")
    if duration == timedelta(0):
        return start.astimezone(UTC)
    tz = cal.tz
    now = start.astimezone(tz)
    remaining = duration
    for _ in range(_MAX_DAYS):
        day = now.date()
        opens, closes = _at(day, cal.day_start, tz), _at(day, cal.day_end, tz)
        if cal.is_working_day(day) and now < closes:
            now = max(now, opens)
            available = closes - now
            if remaining <= available:
                return (now + remaining).astimezone(UTC)
            remaining -= available
        now = _at(day + timedelta(days=1), cal.day_start, tz)
    raise ValueError(f"{duration} of working time does not fit in {_MAX_DAYS} days")


def add_business_days(cal: WorkingCalendar, start: datetime, days: int) -> datetime:
    """`days` working days after `start`: the same working time on the n-th working day."""
    return add_business_time(cal, start, cal.day_length * days)


def business_time_between(cal: WorkingCalendar, start: datetime, end: datetime) -> timedelta:
    """The working time between two moments (zero when end is not after start)."""
    _require_aware(start)
    _require_aware(end)
    tz = cal.tz
    now, end = start.astimezone(tz), end.astimezone(tz)
    total = timedelta(0)
    while now < end:
        day = now.date()
        if cal.is_working_day(day):
            lo = max(now, _at(day, cal.day_start, tz))
            hi = min(end, _at(day, cal.day_end, tz))
            if hi > lo:
                total += hi - lo
        now = _at(day + timedelta(days=1), time(0), tz)
    return total
