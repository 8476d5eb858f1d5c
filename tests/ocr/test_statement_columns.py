"""Which column holds the current period, and the unit a column header prints, on real
rendered statements."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

import numpy as np
import pytest

import ocr
from journey.documents import FinancialStatement
from ocr.corpus._fonts import FACES
from ocr.corpus._statement_page import render_statement

FIELDS = {"balance_sheet": ("cash", "total_assets", "total_equity"),
          "income_statement": ("revenue", "operating_profit", "net_profit")}


def _read(kind: str, lang: str, layout: str, unit: str, seed: int,
          **columns: object) -> tuple[FinancialStatement, dict]:
    page, labels = render_statement(kind, lang, layout, "测试科技有限公司", date(2025, 12, 31),
                                    unit, FACES[seed % len(FACES)], random.Random(seed),
                                    **columns)  # type: ignore[arg-type]
    return ocr.extract_statement(np.asarray(page)[:, :, ::-1].copy()), labels


def _assert_current_figures(statement: FinancialStatement, labels: dict) -> None:
    for field in FIELDS[labels["kind"]]:
        assert getattr(statement, field) == Decimal(labels[field]), field


@pytest.mark.parametrize(("lang", "layout", "heads", "unit"), [
    ("zh", "ruled", ("期末余额（万元）", "年初余额（万元）"), "万元"),
    ("zh", "two_sided", ("期末余额(千元)", "年初余额(千元)"), "千元"),
    ("en", "ruled", ("Closing balance (in thousands)", "Opening balance (in thousands)"), "千元"),
])
def test_a_unit_in_the_column_headers_is_applied(lang: str, layout: str,
                                                  heads: tuple[str, str], unit: str) -> None:
    statement, labels = _read("balance_sheet", lang, layout, unit, 4, heads=heads,
                              unit_line=False)
    _assert_current_figures(statement, labels)
    assert "unit" not in statement.problems


def test_a_statement_with_no_unit_anywhere_is_read_as_yuan_and_says_so() -> None:
    statement, labels = _read("balance_sheet", "zh", "ruled", "元", 4, unit_line=False)
    _assert_current_figures(statement, labels)
    assert "assumed yuan" in statement.problems["unit"]
