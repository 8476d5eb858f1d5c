"""`loan-journey lpr record|list`: fixings really in the journey database, and what the
command refuses, with its reason and exit code."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text
from typer.testing import CliRunner, Result

from activities.lpr import LprActivities
from journey.lpr import LprFixingInput
from journey.policy import WorkingCalendar
from journey.settings import Settings
from starter.cli import app
from store.db import engine_for
from store.refusals import refusals
from tests.cli_kit import said

TODAY = WorkingCalendar().day_of(datetime.now(UTC))  # the bank's day, as the command's


@pytest.fixture(autouse=True)
def database(db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("LOAN_JOURNEY_DATABASE_URL", db_url)
    return db_url


def lpr(*args: str) -> Result:
    return CliRunner().invoke(app, ["lpr", *args])


def record(day: date, one: str = "3.00", five: str = "3.50", *who: str) -> Result:
    return lpr("record", str(day), "--one-year", one, "--five-year", five,
               *(who or ("--as", "ops-wang")))


def test_a_fixing_is_a_row_of_the_journey_database(database: str) -> None:
    done = record(TODAY - timedelta(days=1), "3.05", "3.55")
    assert done.exit_code == 0, done.output
    assert "recorded" in said(done)
    with engine_for(database).connect() as c:
        rows = c.execute(text("select fixed_on, one_year, five_year, recorded_by "
                              "from lpr_fixings")).all()
    assert len(rows) == 1
    fixed_on, one, five, by = rows[0]
    assert str(fixed_on) == str(TODAY - timedelta(days=1)) and by == "ops-wang"
    assert (str(one), str(five)) == ("0.030500", "0.035500")  # exact, not through a float
    read = LprActivities(Settings()).read_lpr_fixing(LprFixingInput(on=TODAY))
    assert read.fixing is not None and str(read.fixing.one_year) == "0.030500"


def test_the_same_fixing_again_is_taken_and_a_different_one_refused() -> None:
    day = TODAY - timedelta(days=3)
    assert record(day).exit_code == 0
    again = record(day)
    assert again.exit_code == 0 and "was already recorded, the same" in said(again)
    other = record(day, "3.10")
    assert other.exit_code == 2
    assert (f"the fixing of {day} is already recorded (1y 3.00%, 5y 3.50%, by ops-wang): a "
            "published fixing does not change") in said(other)


@pytest.mark.parametrize(("one", "five", "day", "why"), [
    ("-0.10", "3.50", TODAY, "--one-year -0.10% is negative"),
    ("3.00", "35", TODAY, "--five-year 35.00% is above 20%: give the rate in percent"),
    ("3.00", "3.50", TODAY + timedelta(days=1), "is after today"),
])
def test_nonsense_is_refused_and_nothing_recorded(one: str, five: str, day: date, why: str,
                                                  database: str) -> None:
    refused = record(day, one, five)
    assert refused.exit_code == 2 and why in said(refused)
    assert "no LPR fixing recorded" in said(lpr("list"))


def test_only_operations_or_a_supervisor_records_a_fixing(database: str) -> None:
    refused = record(TODAY, "3.00", "3.50", "--as", "rm-zhang", "--role", "relationship_manager")
    assert refused.exit_code == 3
    assert "this needs one of: operations, supervisor" in said(refused)
    assert [r.action for r in refusals(database)] == [f"lpr record {TODAY}"]  # for auditors
    assert record(TODAY, "3.00", "3.50", "--as", "sup-sme", "--role", "supervisor").exit_code == 0


def test_list_shows_the_fixings_or_what_an_empty_record_means() -> None:
    empty = said(lpr("list"))
    assert "no LPR fixing recorded: floating-rate loans keep the rate they were priced at" in empty
    assert "1y LPR 3.10%, 5y LPR 3.60%" in empty  # the packaged policy's
    record(TODAY - timedelta(days=40), "3.10", "3.60")
    record(TODAY - timedelta(days=10), "3.00", "3.50")
    listed = said(lpr("list"))
    assert listed.index(str(TODAY - timedelta(days=10))) < listed.index(
        str(TODAY - timedelta(days=40)))  # newest first
    assert "3.00% │ 3.50% │ ops-wang" in listed
