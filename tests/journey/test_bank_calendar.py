"""The bank's calendar file (LOAN_JOURNEY_CALENDAR_FILE): a year it lists is the file's, whole;
the others the `holidays` package's. A file that cannot be used is refused naming the file,
the year and the day, and what to fix; a worker does not start on it (exit 5)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from activities.policy import china_calendar, load_calendar_file
from journey.policy.bank_calendar import CalendarFileError
from journey.settings import Settings
from starter.errors import SetupError
from starter.start_checks import calendar_in_service, check_start

# an arrangement of 2027 as a bank would load it once published: Spring Festival 5 to 11
# February with two Saturdays worked, National Day 1 to 7 October with two weekend days worked
ARRANGEMENT_2027: dict[str, Any] = {
    "source": "国务院办公厅 2026-11 notice",
    "holidays": ["2027-01-01", "2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08",
                 "2027-02-09", "2027-02-10", "2027-02-11", "2027-04-05", "2027-05-01",
                 "2027-05-02", "2027-05-03", "2027-05-04", "2027-05-05", "2027-06-09",
                 "2027-09-15", "2027-10-01", "2027-10-02", "2027-10-03", "2027-10-04",
                 "2027-10-05", "2027-10-06", "2027-10-07"],
    "makeup_workdays": ["2027-02-20", "2027-05-08", "2027-09-26", "2027-10-09"],
}


def calendar_file(path: Path, years: dict[str, Any]) -> Path:
    path.write_text(json.dumps({"years": years}, ensure_ascii=False), encoding="utf-8")
    return path


def test_a_year_the_file_lists_is_the_file_s_and_the_others_the_package_s(
    tmp_path: Path,
) -> None:
    bank = load_calendar_file(calendar_file(tmp_path / "calendar.json",
                                            {"2027": ARRANGEMENT_2027}))
    assert bank.years[2027].source == "国务院办公厅 2026-11 notice"
    pinned = china_calendar(date(2026, 12, 7), 3, bank)
    package = china_calendar(date(2026, 12, 7), 3, load_calendar_file(None))

    def of(days: list[date], year: int) -> list[str]:
        return [str(d) for d in days if d.year == year]

    # 2027 is the file's, whole: its make-up Saturdays are worked, its 11 February is off
    assert of(pinned.holidays, 2027) == ARRANGEMENT_2027["holidays"]
    assert of(pinned.makeup_workdays, 2027) == ARRANGEMENT_2027["makeup_workdays"]
    assert pinned.is_working_day(date(2027, 2, 20)) and not package.is_working_day(
        date(2027, 2, 20))
    assert not pinned.is_working_day(date(2027, 2, 11)) and package.is_working_day(
        date(2027, 2, 11))
    assert pinned.next_working_day(date(2027, 2, 7)) == date(2027, 2, 12)  # 顺延 past it
    # the years it does not list are the package's, as before
    for year in (2025, 2026, 2028):
        assert of(pinned.holidays, year) == of(package.holidays, year)
        assert of(pinned.makeup_workdays, year) == of(package.makeup_workdays, year)


def test_without_a_file_every_year_is_the_package_s() -> None:
    assert load_calendar_file(None).years == {}
    # the command line's calendar (no `bank` given) reads the settings' file: none here
    assert china_calendar(date(2026, 12, 7), 2) == china_calendar(
        date(2026, 12, 7), 2, load_calendar_file(None))


def test_the_command_line_s_calendar_reads_the_file_the_settings_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    file = calendar_file(tmp_path / "calendar.json", {"2027": ARRANGEMENT_2027})
    monkeypatch.setenv("LOAN_JOURNEY_CALENDAR_FILE", str(file))
    assert china_calendar(date(2026, 12, 7), 2).is_working_day(date(2027, 2, 20))
    assert calendar_in_service(Settings()).years[2027].source == ARRANGEMENT_2027["source"]


def _with(**changes: Any) -> dict[str, Any]:
    return {**ARRANGEMENT_2027, **changes}


@pytest.mark.parametrize(("years", "says"), [
    ({"2027": _with(holidays=[*ARRANGEMENT_2027["holidays"], "2026-12-31"])},
     "year 2027: 2026-12-31 is not in 2027: list the holiday under 2026, where it falls, or "
     "correct the date"),
    ({"2027": _with(makeup_workdays=["2027-02-20", "2027-02-07"])},
     "year 2027: 2027-02-07 is both a holiday and a make-up working day: keep it in the list "
     "the notice gives it"),
    ({"2027": _with(makeup_workdays=["2027-02-22"])},
     "year 2027: 2027-02-22 is a Monday, not a weekend day: a make-up working day is a "
     "Saturday or Sunday worked"),
    ({"2027": _with(holidays=["2027-01-01", "2027-01-01"])},
     "year 2027: 2027-01-01 is listed twice as a holiday: list it once"),
    ({"2027": _with(holidays=["2027-01-01", "2027-02-30"])},
     "year 2027, holidays item 2: Input should be a valid date"),
    ({"2027": _with(source="")}, "year 2027, source: String should have at least 1 character"),
    ({"2027": _with(holidays=[])},
     "year 2027, holidays: List should have at least 1 item after validation, not 0; list "
     "the year's holidays, or leave the year out for the package's"),
    ({"2027": _with(makeup=["2027-02-20"])}, "year 2027, makeup: Extra inputs are not "
                                              "permitted; leave it out"),
    ({"27": ARRANGEMENT_2027}, "'27' is not a year: key each year's arrangement by its year"),
])
def test_a_file_that_cannot_be_used_is_refused_naming_the_year_and_the_day(
    tmp_path: Path, years: dict[str, Any], says: str,
) -> None:
    file = calendar_file(tmp_path / "calendar.json", years)
    with pytest.raises(CalendarFileError) as refused:
        load_calendar_file(file)
    assert str(refused.value).startswith(f"{file}: "), refused.value
    assert says in str(refused.value), refused.value


def test_a_file_that_is_no_json_or_cannot_be_read_is_refused(tmp_path: Path) -> None:
    file = tmp_path / "calendar.json"
    file.write_text('{"years": {"2027": ', encoding="utf-8")
    with pytest.raises(CalendarFileError, match=f"{file} is not JSON: "):
        load_calendar_file(file)
    with pytest.raises(CalendarFileError, match="missing.json cannot be read: No such file"):
        load_calendar_file(tmp_path / "missing.json")


def test_a_worker_does_not_start_on_a_bad_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    file = calendar_file(tmp_path / "calendar.json",
                         {"2027": _with(makeup_workdays=["2027-02-22"])})
    monkeypatch.setenv("LOAN_JOURNEY_CALENDAR_FILE", str(file))
    with pytest.raises(SetupError) as refused:
        check_start(Settings(data_dir=tmp_path / "data"))
    said = str(refused.value)
    assert refused.value.exit_code == 5
    assert said.startswith(f"LOAN_JOURNEY_CALENDAR_FILE cannot be used: {file}: year 2027: "
                           "2027-02-22 is a Monday"), said
    assert said.endswith("point it at a readable calendar file, or unset it for the "
                         "holidays package's calendar alone")
    # a good one starts it, and is the one its journeys pin
    calendar_file(file, {"2027": ARRANGEMENT_2027})
    policies = check_start(Settings(data_dir=tmp_path / "data"))
    assert policies is not None and policies.calendar.years[2027].makeup_workdays[0] == date(
        2027, 2, 20)
