"""Amounts and days as operators type them (starter/typed_values.py)."""

from datetime import datetime
from decimal import Decimal

import pytest
import typer
from typer.testing import CliRunner

from starter.cli import app
from starter.typed_values import day, yuan
from tests.cli_kit import said


@pytest.mark.parametrize(("typed", "amount"), [
    ("254901.77", "254901.77"), ("254,901.77", "254901.77"), ("¥1,000,000", "1000000"),
    ("￥ 12,345.6 元", "12345.6"), ("-1,000.50", "-1000.50"), ("0.01", "0.01"),
    ("100000元", "100000"), ("254,901.77元", "254901.77"), ("1.000", "1"),  # a whole fen
])
def test_an_amount_is_read_as_printed(typed: str, amount: str) -> None:
    assert yuan(typed) == Decimal(amount)


@pytest.mark.parametrize("typed", ["254,90.77", "1,0000", "10000,00", "12a", "", "NaN", "1e"])
def test_an_amount_that_is_not_one_says_how_to_type_it(typed: str) -> None:
    with pytest.raises(typer.BadParameter, match="is not an amount in yuan"):
        yuan(typed)


@pytest.mark.parametrize(("typed", "why"), [
    ("100000.005", "more than two decimals"), ("1,000.001", "more than two decimals"),
    ("1e5", "no exponent"), ("1E+5", "no exponent"), ("1_000_000", "no underscores"),
    ("１００,０００", "digits as 0-9, not full-width"), ("１００000", "not full-width"),
    ("Infinity", "digits and a point"), ("9" * 40, "too many digits"),
])
def test_what_python_reads_as_a_number_but_no_figure_prints_is_refused(typed: str,
                                                                        why: str) -> None:
    """Every money option reads its amount here: a third decimal that a quote rounded and a
    repayment refused, and what Decimal() takes besides digits, are refused alike."""
    with pytest.raises(typer.BadParameter, match=f"is not an amount in yuan: .*{why}"):
        yuan(typed)


def test_a_quote_refuses_a_third_decimal_as_the_repayment_does() -> None:
    """`prepayment --amount 100000.005` quoted "prepaying 100,000.01 ... repays 100,000.00",
    which `repay` refused; both now refuse it before asking the journey (exit 2)."""
    for args in (["prepayment", "loan-1", "--amount", "100000.005"],
                 ["repay", "loan-1", "--amount", "100000.005", "--reference", "R-1",
                  "--as", "ops-li", "--prepay"]):
        result = CliRunner().invoke(app, args, env={"COLUMNS": "300"})
        assert result.exit_code == 2, result.output
        assert "'100000.005' is not an amount in yuan: it has more than two decimals" in said(
            result)


def test_a_day_is_yyyy_mm_dd() -> None:
    assert day(" 2026-12-06") == datetime(2026, 12, 6)
    with pytest.raises(typer.BadParameter, match=r"'2026/12/06' is not a day: type it as "
                                                 r"YYYY-MM-DD \(2026-12-06\)"):
        day("2026/12/06")
