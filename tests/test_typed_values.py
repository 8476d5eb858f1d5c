"""Amounts and days as operators type them (starter/typed_values.py)."""

from datetime import datetime
from decimal import Decimal

import pytest
import typer

from starter.typed_values import day, yuan


@pytest.mark.parametrize(("typed", "amount"), [
    ("254901.77", "254901.77"), ("254,901.77", "254901.77"), ("¥1,000,000", "1000000"),
    ("￥ 12,345.6 元", "12345.6"), ("-1,000.50", "-1000.50"), ("0.01", "0.01"),
])
def test_an_amount_is_read_as_printed(typed: str, amount: str) -> None:
    assert yuan(typed) == Decimal(amount)


@pytest.mark.parametrize("typed", ["254,90.77", "1,0000", "10000,00", "12a", "", "NaN", "1e"])
def test_an_amount_that_is_not_one_says_how_to_type_it(typed: str) -> None:
    with pytest.raises(typer.BadParameter, match="is not an amount in yuan"):
        yuan(typed)


def test_a_day_is_yyyy_mm_dd() -> None:
    assert day(" 2026-12-06") == datetime(2026, 12, 6)
    with pytest.raises(typer.BadParameter, match=r"'2026/12/06' is not a day: type it as "
                                                 r"YYYY-MM-DD \(2026-12-06\)"):
        day("2026/12/06")
