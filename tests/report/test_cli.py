"""`report` and `export` through typer, as an operator runs them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from journey.application import Product
from journey.stages import Stage
from starter.errors import BadInput
from starter.report import report_app
from store.ledger import book
from store.timing import record_events
from tests.report.report_fixture import Step, journey

runner = CliRunner()


def test_report_prints_tables_and_writes_the_map(report_db: str, tmp_path: Path) -> None:
    page = tmp_path / "map.html"
    result = runner.invoke(report_app, ["report", "--db", report_db, "--html", str(page)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "4 journeys, 38 events" in out
    assert "risk_review" in out and "withdrawn" in out and "Slowest journeys" in out
    words = " ".join(out.split())
    assert "Bottleneck: none: no journey was paid out" in words  # A-D: none paid out
    assert "open waits are counted to " in words and "completeness " in out  # not cut off
    assert "24 working h" in out  # risk review's SLA counts business hours
    assert page.stat().st_size > 1_000_000 and "journey map written" in out


def test_report_as_json_for_one_product(report_db: str) -> None:
    result = runner.invoke(
        report_app, ["report", "--db", report_db, "--json", "--product", "working_capital"]
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["journeys"] == 2 and body["product"] == "working_capital"
    assert [j["workflow_id"] for j in body["slowest"]] == ["A", "B"]


def test_report_for_a_period(report_db: str) -> None:
    period = ["--since", "2026-03-03", "--until", "2026-03-05", "--product", "project_finance"]
    result = runner.invoke(report_app, ["report", "--db", report_db, *period])
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert "2 journeys" in out  # C, and D on the 5th: a date --until gives is a whole day
    assert "journeys started from 2026-03-03 00:00 to 2026-03-05 inclusive (UTC+8)" in out
    before = runner.invoke(report_app, ["report", "--db", report_db, "--since", "2026-03-03",
                                        "--until", "2026-03-05T00:00", "--product",
                                        "project_finance"])  # fmt: skip
    said = " ".join(before.output.split())  # a time is that moment: D is left out
    assert "1 journey," in said and "to 2026-03-04 inclusive (UTC+8)" in said, said
    assert "no journey of product project_finance was paid out" in out
    backwards = runner.invoke(report_app, ["report", "--db", report_db, "--since",
                                           "2026-03-05", "--until", "2026-03-03"])  # fmt: skip
    assert backwards.exit_code == 2 and "is not after --since" in backwards.output


def test_a_period_is_on_the_bank_s_clock(report_db: str) -> None:
    """A bank's day begins at 16:00 UTC the day before: N, started at 3 March 20:00 UTC, is
    on the bank's 4 March with C (09:00 UTC, 17:00 in the bank); a time typed without an
    offset is the bank's, one with an offset keeps it."""
    night = datetime(2026, 3, 3, 20, 0, tzinfo=UTC)
    record_events(report_db, journey("N", Product.WORKING_CAPITAL, night,
                                     [Step(Stage.INTAKE, None)]))

    def journeys(*period: str) -> list[str]:
        result = runner.invoke(report_app, ["report", "--db", report_db, "--json", *period])
        assert result.exit_code == 0, result.output
        return sorted(j["workflow_id"] for j in json.loads(result.stdout)["slowest"])

    assert journeys("--since", "2026-03-04", "--until", "2026-03-04") == ["C", "N"]
    assert journeys("--since", "2026-03-03T17:00", "--until", "2026-03-03T17:01") == ["B"]
    assert journeys("--since", "2026-03-02T09:00+00:00", "--until", "2026-03-02T09:01Z") == [
        "A"]
    said = " ".join(runner.invoke(report_app, ["report", "--db", report_db]).output.split())
    assert "open waits are counted to " in said and "(UTC+8) (the report's time)" in said


@pytest.mark.parametrize("fmt", ["csv", "xes"])
def test_export(report_db: str, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"log.{fmt}"
    result = runner.invoke(
        report_app, ["export", "--db", report_db, "--format", fmt, "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert f"19 events written to {out} ({fmt})" in result.output
    assert out.stat().st_size > 0


def test_a_missing_database_is_a_bad_input(tmp_path: Path) -> None:
    result = runner.invoke(report_app, ["report", "--db", f"sqlite:///{tmp_path}/none.db"])
    assert isinstance(result.exception, BadInput)
    assert "no journey database" in str(result.exception)
    assert not (tmp_path / "none.db").exists()


def test_a_bad_format_is_refused(report_db: str, tmp_path: Path) -> None:
    result = runner.invoke(
        report_app, ["export", "--db", report_db, "--format", "pdf", "--out", str(tmp_path / "x")]
    )
    assert result.exit_code == 2 and "pdf" in result.output


def test_a_report_of_one_team_or_person(report_db: str) -> None:
    """A and C waited on risk teams, then on the credit committee: A's decided by
    officer-1, C's still open, so nobody's yet (unassigned)."""
    def whom(*held: str) -> tuple[int, list[tuple[str, str, int]]]:
        result = runner.invoke(report_app, ["report", "--db", report_db, "--json", *held])
        assert result.exit_code == 0, result.output
        body = json.loads(result.stdout)
        return body["journeys"], [(h["team"], h["person"], h["cases"])
                                  for h in body["waiting_on_whom"]]

    assert whom("--team", "risk-a") == (1, [("risk-a", "all", 1), ("risk-a", "officer-1", 1)])
    assert whom("--team", "credit-committee", "--person", "unassigned") == (1, [
        ("credit-committee", "all", 1), ("credit-committee", "unassigned", 1)])


def test_a_report_of_one_product_gives_its_sla_override(report_db: str) -> None:
    """The default policy gives approval 20 working days, and working capital 15 by an
    override: a report of working capital alone shows the 15 its journeys run under."""
    result = runner.invoke(
        report_app, ["report", "--db", report_db, "--product", "working_capital"]
    )
    assert result.exit_code == 0, result.output
    approval = next(line for line in result.output.splitlines() if line.startswith("│ approval"))
    assert "15 working d" in approval and "20 working d" not in approval, result.output


def test_db_says_its_password_shows_in_ps_and_is_never_echoed() -> None:
    """A URL on the command line is every user's to read (`ps`, the shell's history): the
    help says to use the settings, and an error does not print it again into a log."""
    assert "`ps`" in " ".join(runner.invoke(report_app, ["report", "--help"]).output.split())
    result = runner.invoke(report_app, ["report", "--db", "postgresql://u:s3cret@db:54x/j"])
    assert isinstance(result.exception, BadInput)
    assert "--db is not a SQLAlchemy URL" in str(result.exception)
    assert "s3cret" not in str(result.exception) + result.output


def test_a_report_says_what_its_journeys_were_lent(report_db: str) -> None:
    """The money beside the counts: the ledger's bookings to the report's journeys (whenever
    made: a project's drawdowns too), not to a journey outside it."""
    book(report_db, "lent-A", "A", Decimal("3000000.00"), "Borrower A", "payout")
    book(report_db, "lent-C-1", "C", Decimal("1250000.50"), "Contractor C", "drawdown 1")
    book(report_db, "lent-C-2", "C", Decimal("750000.00"), "Contractor C", "drawdown 2")
    book(report_db, "lent-Z", "Z", Decimal("999.00"), "Not in the report", "payout")
    result = runner.invoke(report_app, ["report", "--db", report_db])
    assert result.exit_code == 0, result.output
    words = " ".join(result.output.split())
    assert ("4 journeys, 38 events (all products); lent 5,000,000.50 to 2 journeys of them, "
            "0 paid out") in words, words
    one = runner.invoke(report_app, ["report", "--db", report_db, "--json", "--product",
                                     "project_finance"])  # fmt: skip
    assert one.exit_code == 0, one.output
    body = json.loads(one.stdout)
    assert (body["lent"], body["lent_to"]) == ("2000000.50", 1)
