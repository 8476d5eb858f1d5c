"""`loan-journey lpr record|correct|list`: fixings and corrections really in the journey
database, and what the commands refuse, with its reason and exit code (2: not a plausible
fixing; 3: refused by the record or the staff directory), each refusal kept for auditors."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import text
from typer.testing import CliRunner, Result

from activities.lpr import LprActivities
from activities.policy import china_calendar
from journey.lpr import LprFixing, LprFixingInput
from journey.lpr_record import publication_day
from journey.policy import WorkingCalendar
from journey.repayment import add_months
from journey.settings import Settings
from starter.bank_clock import bank_day
from starter.cli import app
from store.db import engine_for
from store.lpr import add_fixing
from store.refusals import refusals
from tests.cli_kit import said

TODAY = WorkingCalendar().day_of(datetime.now(UTC))  # the bank's day, as the command's


def published(months_back: int) -> date:
    """The publication day of the fixing `months_back` months before this one in force."""
    day = add_months(TODAY, -months_back)
    on = publication_day(day, china_calendar(day, 1))
    return on if on <= TODAY else published(months_back + 1)


LAST, BEFORE = published(0), published(1)
if BEFORE == LAST:  # this month's not out yet: published(0) is last month's
    BEFORE = published(2)


@pytest.fixture(autouse=True)
def database(db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("LOAN_JOURNEY_DATABASE_URL", db_url)
    return db_url


def lpr(*args: str) -> Result:
    return CliRunner().invoke(app, ["lpr", *args])


def record(day: date, one: str = "3.00", five: str = "3.50", *who: str) -> Result:
    return lpr("record", str(day), "--one-year", one, "--five-year", five,
               *(who or ("--as", "ops-wang")))


def correct(day: date, one: str, five: str, *who: str, reason: str = "typo") -> Result:
    return lpr("correct", str(day), "--one-year", one, "--five-year", five, "--reason", reason,
               *(who or ("--as", "sup-sme")))


def rows(database: str, sql: str) -> list[tuple[str, ...]]:
    """The rows as text: the same on SQLite and PostgreSQL."""
    with engine_for(database).connect() as c:
        return [tuple(map(str, r)) for r in c.execute(text(sql)).all()]


def test_a_fixing_is_a_row_of_the_journey_database(database: str) -> None:
    done = record(LAST, "3.05", "3.55")
    assert done.exit_code == 0, done.output
    assert "recorded" in said(done)
    assert rows(database, "select fixed_on, one_year, five_year, recorded_by from lpr_fixings"
                ) == [(str(LAST), "0.030500", "0.035500", "ops-wang")]  # exact, not a float
    read = LprActivities(Settings()).read_lpr_fixing(LprFixingInput(on=TODAY))
    assert read.fixing is not None and str(read.fixing.one_year) == "0.030500"


def test_the_same_fixing_again_is_taken_and_a_different_one_refused(database: str) -> None:
    assert record(LAST).exit_code == 0
    again = record(LAST)
    assert again.exit_code == 0 and "was already recorded, the same" in said(again)
    other = record(LAST, "3.10")
    assert other.exit_code == 3
    assert (f"the fixing of {LAST} is already recorded (1y 3.00%, 5y 3.50%, by ops-wang): a "
            "published fixing does not change; a supervisor corrects a typo with "
            "`loan-journey lpr correct`") in said(other)
    kept, = refusals(database)
    assert (kept.workflow_id, kept.action, kept.actor) == (
        "lpr-fixings", f"lpr record {LAST}", "ops-wang")
    assert rows(database, "select one_year from lpr_fixings") == [("0.030000",)]


def test_a_month_has_one_fixing(database: str) -> None:
    stray = LAST.replace(day=1)  # kept by an older version, which took any date
    assert add_fixing(database, LprFixing(fixed_on=stray, one_year=Decimal("0.0300"),
                                          five_year=Decimal("0.0300"), recorded_by="ops-li"))
    refused = record(LAST)
    assert refused.exit_code == 3
    assert f"the fixing of {LAST:%Y-%m} is recorded already, dated {stray}" in said(refused)
    assert [r.action for r in refusals(database)] == [f"lpr record {LAST}"]


NEXT = publication_day(add_months(TODAY, 1), china_calendar(TODAY, 2))  # after today
SATURDAY = next(d for d in (LAST + timedelta(days=n) for n in range(1, 8)) if d.weekday() == 5)


@pytest.mark.parametrize(("day", "one", "five", "why"), [
    (LAST, "0.031", "0.036", "--one-year 0.031% is below 1%, the bank's plausibility floor: "
                             "give percent, e.g. 3.10"),
    (LAST, "0", "3.50", "--one-year 0.00% is not positive"),
    (LAST, "-0.10", "3.50", "--one-year -0.10% is not positive"),
    (LAST, "3.0000000001", "3.50", "3.0000000001% has more than 4 decimal places"),
    (LAST, "3.00", "35", "--five-year 35.00% is above 10%"),
    (LAST, "3.60", "3.10", "the 5-year LPR 3.10% is below the 1-year 3.60%: check the "
                           "figures, or add --inverted-confirmed"),
    (date(2018, 1, 22), "3.00", "3.50", "is before 2019-08-20"),
    (SATURDAY, "3.00", "3.50", f"{SATURDAY} is not a publication day"),
    (NEXT, "3.00", "3.50", "after today"),
    (LAST, "three", "3.50", "'three' is not a rate in percent"),
])
def test_nonsense_is_refused_kept_and_nothing_recorded(day: date, one: str, five: str, why: str,
                                                       database: str) -> None:
    refused = record(day, one, five)
    assert refused.exit_code == 2 and why in said(refused)
    assert rows(database, "select * from lpr_fixings") == []
    kept, = refusals(database)
    assert (kept.workflow_id, kept.action, kept.actor, kept.role) == (
        "lpr-fixings", f"lpr record {day}", "ops-wang", "operations")
    assert why in " ".join(kept.reason.split())


def test_an_inverted_curve_is_recorded_once_confirmed(database: str) -> None:
    confirmed = record(LAST, "3.60", "3.10", "--as", "ops-wang", "--inverted-confirmed")
    assert confirmed.exit_code == 0, confirmed.output
    assert rows(database, "select one_year, five_year from lpr_fixings") == [
        ("0.036000", "0.031000")]


def test_only_operations_or_a_supervisor_records_a_fixing(database: str) -> None:
    refused = record(LAST, "3.00", "3.50", "--as", "rm-zhang", "--role", "relationship_manager")
    assert refused.exit_code == 3
    assert "this needs one of: operations, supervisor" in said(refused)
    assert [r.action for r in refusals(database)] == [f"lpr record {LAST}"]  # for auditors
    assert record(LAST, "3.00", "3.50", "--as", "sup-sme", "--role", "supervisor").exit_code == 0


def test_a_supervisor_who_did_not_record_it_corrects_a_fixing_no_loan_read(
        database: str) -> None:
    assert record(LAST, "3.10", "3.50").exit_code == 0
    assert record(BEFORE, "3.20", "3.60", "--as", "sup-sme", "--role", "supervisor"
                  ).exit_code == 0
    by_operations = correct(LAST, "3.00", "3.50", "--as", "ops-li", "--role", "operations")
    assert by_operations.exit_code == 3 and "this needs one of: supervisor" in said(by_operations)
    own = correct(BEFORE, "3.25", "3.60")
    assert own.exit_code == 3
    assert f"sup-sme recorded the fixing of {BEFORE}: another supervisor corrects it" in said(own)
    no_reason = correct(LAST, "3.00", "3.50", reason=" ")
    assert no_reason.exit_code == 2 and "give --reason" in said(no_reason)
    fraction = correct(LAST, "0.030", "0.035")
    assert fraction.exit_code == 2 and "not a fraction" in said(fraction)

    done = correct(LAST, "3.00", "3.50", reason="typed 3.10 for the published 3.00")
    assert done.exit_code == 0, done.output
    assert "corrected to 1y 3.00%, 5y 3.50%, was 1y 3.10%, 5y 3.50%" in said(done)
    assert rows(database, f"select one_year from lpr_fixings where fixed_on = '{LAST}'") == [
        ("0.030000",)]
    assert rows(database, "select one_year, five_year, corrected_by, reason "
                          "from lpr_fixing_corrections") == [
        ("0.031000", "0.035000", "sup-sme", "typed 3.10 for the published 3.00")]
    assert [r.action for r in refusals(database)] == [
        f"lpr correct {LAST}", f"lpr correct {BEFORE}", f"lpr correct {LAST}",
        f"lpr correct {LAST}"]

    # once a loan read it (an offer priced, a loan repriced on it), it is not corrected
    LprActivities(Settings()).read_lpr_fixing(LprFixingInput(on=TODAY))
    late = correct(LAST, "3.05", "3.50", "--as", "sup-corp")
    assert late.exit_code == 3
    assert (f"the fixing of {LAST} was read by - on {datetime.now(UTC):%Y-%m-%d}, which keeps "
            "the rate it was priced or repriced at: a correction would not reach it") in said(late)
    assert rows(database, "select count(*) from lpr_fixing_corrections") == [("1",)]
    missing = correct(published(3), "3.00", "3.50")
    assert missing.exit_code == 3 and "nothing to correct" in said(missing)


def test_list_shows_the_fixings_their_record_and_what_new_offers_are_priced_at() -> None:
    empty = said(lpr("list"))
    assert "no LPR fixing recorded: floating-rate loans keep the rate they were priced at" in empty
    assert "prices new offers at 1y LPR 3.10%, 5y LPR 3.60%" in empty  # the packaged policy's
    record(BEFORE, "3.10", "3.60")
    record(LAST, "3.10", "3.50")
    correct(LAST, "3.00", "3.50", reason="typo")
    listed = said(lpr("list"))
    assert listed.index(str(LAST)) < listed.index(str(BEFORE))  # newest first
    # recorded at on the bank's clock: its day, not UTC's, after 16:00 UTC; today's, not the
    # module's TODAY, which a run collected before midnight in Beijing read the day before
    assert f"3.00% │ 3.50% │ ops-wang │ {bank_day()}" in listed
    assert "was 1y 3.10%, 5y 3.50%: sup-sme" in listed
    assert (f"new offers are priced at the fixing of {LAST} (1y 3.00%, 5y 3.50%) plus their "
            "spreads") in listed
