"""Business time on the Chinese working calendar: weekends, holidays, make-up workdays."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest

from journey.policy import (
    WorkingCalendar,
    add_business_days,
    add_business_time,
    build_calendar,
    business_time_between,
)

CST = timezone(timedelta(hours=8))
# 2026 public holidays and make-up working days (国务院办公厅 notice, as in holidays 0.109)
HOLIDAYS_2026 = [
    date(2026, 1, 1), date(2026, 1, 2),
    date(2026, 2, 16), date(2026, 2, 17), date(2026, 2, 18), date(2026, 2, 19),
    date(2026, 2, 20), date(2026, 2, 23),
    date(2026, 4, 6), date(2026, 5, 1), date(2026, 5, 4), date(2026, 5, 5),
    date(2026, 6, 19), date(2026, 9, 25),
    date(2026, 10, 1), date(2026, 10, 2), date(2026, 10, 5), date(2026, 10, 6),
    date(2026, 10, 7),
]  # fmt: skip
MAKEUP_2026 = [
    date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28), date(2026, 5, 9),
    date(2026, 9, 20), date(2026, 10, 10),
]  # fmt: skip
CAL = build_calendar(HOLIDAYS_2026, MAKEUP_2026)


def cst(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=CST)


# (id, start in China time, working duration, expected end in China time)
ROWS = [
    ("within a day", cst(2026, 11, 23, 10), timedelta(hours=2), cst(2026, 11, 23, 12)),
    ("to the closing minute", cst(2026, 11, 23, 9), timedelta(hours=8, minutes=30),
     cst(2026, 11, 23, 17, 30)),
    ("before opening", cst(2026, 11, 23, 7), timedelta(hours=1), cst(2026, 11, 23, 10)),
    ("after closing", cst(2026, 11, 23, 20), timedelta(hours=1), cst(2026, 11, 24, 10)),
    ("across a weekend", cst(2026, 11, 27, 17), timedelta(hours=1), cst(2026, 11, 30, 9, 30)),
    ("from a Saturday", cst(2026, 11, 28, 11), timedelta(hours=1), cst(2026, 11, 30, 10)),
    ("across National Day", cst(2026, 9, 30, 16), timedelta(hours=2), cst(2026, 10, 8, 9, 30)),
    ("on a make-up Sunday", cst(2026, 9, 19, 10), timedelta(hours=1), cst(2026, 9, 20, 10)),
    ("into a make-up Saturday", cst(2026, 10, 9, 17), timedelta(hours=1),
     cst(2026, 10, 10, 9, 30)),
    ("across Spring Festival", cst(2026, 2, 13, 17), timedelta(hours=1),
     cst(2026, 2, 14, 9, 30)),
    ("Spring Festival week", cst(2026, 2, 14, 17), timedelta(hours=1),
     cst(2026, 2, 24, 9, 30)),
    ("24 working hours", cst(2026, 11, 23, 9), timedelta(hours=24), cst(2026, 11, 25, 16)),
]  # fmt: skip


@pytest.mark.parametrize(("start", "duration", "end"), [r[1:] for r in ROWS],
                         ids=[r[0] for r in ROWS])  # fmt: skip
def test_add_business_time(start: datetime, duration: timedelta, end: datetime) -> None:
    got = add_business_time(CAL, start.astimezone(UTC), duration)
    assert got == end
    assert got.tzinfo == UTC
    assert business_time_between(CAL, start, got) == duration


def test_zero_duration_is_the_start() -> None:
    start = datetime(2026, 10, 3, 4, tzinfo=UTC)
    assert add_business_time(CAL, start, timedelta(0)) == start


def test_naive_or_negative_is_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        add_business_time(CAL, datetime(2026, 1, 5, 9), timedelta(hours=1))
    with pytest.raises(ValueError, match="negative"):
        add_business_time(CAL, cst(2026, 1, 5, 9), timedelta(hours=-1))


def test_business_days_keep_the_time_of_day() -> None:
    assert add_business_days(CAL, cst(2026, 9, 29, 11), 3) == cst(2026, 10, 9, 11)


def test_working_days() -> None:
    assert not CAL.is_working_day(date(2026, 10, 1))
    assert not CAL.is_working_day(date(2026, 10, 4))  # a Sunday in the holiday week
    assert CAL.is_working_day(date(2026, 10, 10))  # make-up Saturday
    assert CAL.is_working_day(date(2026, 10, 8))
    assert not CAL.is_working_day(date(2026, 11, 28))


def test_build_calendar_sorts_and_deduplicates() -> None:
    cal = build_calendar([date(2026, 10, 2), date(2026, 10, 1), date(2026, 10, 1)], [],
                         day_end=time(18))  # fmt: skip
    assert cal.holidays == [date(2026, 10, 1), date(2026, 10, 2)]
    assert cal.day_length == timedelta(hours=9)
    with pytest.raises(ValueError, match="day_end"):
        WorkingCalendar(day_start=time(18), day_end=time(9))


def test_recipe_from_the_holidays_package() -> None:
    """How the calendar activity builds it (outside the workflow): holidays + make-up days."""
    holidays = pytest.importorskip("holidays")
    years = [2026, 2027]
    cn = holidays.China(years=years)
    makeup = [d for d in cn.weekend_workdays if d.year in years]
    cal = build_calendar(cn.keys(), makeup)
    assert set(HOLIDAYS_2026) <= set(cal.holidays)
    assert set(MAKEUP_2026) <= set(cal.makeup_workdays)
    assert add_business_time(cal, cst(2026, 9, 30, 16), timedelta(hours=2)) == cst(
        2026, 10, 8, 9, 30
    )


def test_calendar_survives_a_json_round_trip() -> None:
    again = WorkingCalendar.model_validate_json(CAL.model_dump_json())
    assert again == CAL
    assert not again.is_working_day(date(2026, 10, 1))
    assert again.is_working_day(date(2026, 10, 10))
    copied = CAL.model_copy()
    assert not copied.is_working_day(date(2026, 10, 1))
