"""Which column holds the current period, and the unit a column header prints, on real
rendered statements."""

from __future__ import annotations

import dataclasses
import json
import random
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

import ocr
from journey.documents import (
    LOW_CONFIDENCE,
    UNIT_ASSUMED,
    UNITS,
    DocumentKind,
    FinancialStatement,
)
from ocr._layout import Row
from ocr._numbers import parse_unit
from ocr._pipeline import read_page
from ocr._statement import parse_statement
from ocr._statement_labels import head_kind
from ocr._text import squash
from ocr.corpus._fonts import FACES
from ocr.corpus._statement_page import render_statement

DEMO = Path(__file__).resolve().parents[2] / "samples" / "demo"
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
    assert statement.unit == UNITS[unit]  # what a clerk's correction of the unit scales from


@pytest.mark.parametrize(("unit", "foot"), [
    ("万元", "金额单位：万元"),  # the unit line under the table
    ("千元", "注：本表金额单位为人民币千元。"),  # in the notes under it
])
def test_a_unit_printed_under_the_table_is_applied(unit: str, foot: str) -> None:
    statement, labels = _read("balance_sheet", "zh", "ruled", unit, 21, unit_line=False,
                              foot=foot)
    _assert_current_figures(statement, labels)
    assert "unit" not in statement.problems
    assert statement.unit == UNITS[unit]


def test_a_per_share_row_under_the_header_names_no_unit() -> None:
    """基本每股收益（元/股）, a row an income statement prints below its header, is yuan per share,
    not the statement's unit."""
    assert parse_unit("基本每股收益（元/股）") is None
    assert parse_unit("金额单位为人民币万元") == UNITS["万元"]


def test_the_unit_line_above_the_table_wins_over_one_under_it() -> None:
    statement, labels = _read("balance_sheet", "zh", "ruled", "万元", 21, foot="金额单位：千元")
    _assert_current_figures(statement, labels)
    assert statement.unit == UNITS["万元"]


def test_a_statement_with_no_unit_anywhere_is_read_as_yuan_and_says_so() -> None:
    statement, labels = _read("balance_sheet", "zh", "ruled", "元", 4, unit_line=False)
    _assert_current_figures(statement, labels)
    assert "assumed yuan" in statement.problems["unit"]
    assert statement.unit == 1
    for field in FIELDS["balance_sheet"]:  # its digits clear, its scale a guess
        assert statement.confidence[field] < LOW_CONFIDENCE
        assert statement.problems[field].endswith(UNIT_ASSUMED)


@pytest.mark.parametrize(("kind", "lang", "layout", "heads"), [
    ("balance_sheet", "zh", "ruled", ("期末余额", "上年年末余额")),
    ("balance_sheet", "zh", "two_sided", ("期末余额", "上年年末余额")),
    ("income_statement", "zh", "ruled", ("本年累计金额", "本月金额")),
    ("income_statement", "en", "open", ("Current period", "Prior period")),
])
def test_the_current_period_is_read_from_its_header_in_the_second_column(
        kind: str, lang: str, layout: str, heads: tuple[str, str]) -> None:
    statement, labels = _read(kind, lang, layout, "元", 7, heads=heads, current_first=False)
    _assert_current_figures(statement, labels)
    assert not set(FIELDS[kind]) & set(statement.problems)


def test_figures_under_no_readable_header_are_flagged_not_trusted() -> None:
    """Real page, its column headers lost (a seal, a fold): the first column is taken, with
    low confidence and a problem that says so."""
    page, labels = render_statement("balance_sheet", "zh", "ruled", "测试科技有限公司",
                                    date(2025, 12, 31), "元", FACES[0], random.Random(9))
    reading = read_page(np.asarray(page)[:, :, ::-1].copy())
    rows = [r for r in reading.rows if not any(head_kind(w.text) for w in r.words)]
    statement = parse_statement(rows, DocumentKind.BALANCE_SHEET, reading.page)
    _assert_current_figures(statement, labels)
    for field in FIELDS["balance_sheet"]:
        assert statement.confidence[field] < 0.6
        assert "column header" in statement.problems[field]


def test_a_figure_with_a_glyph_misread_as_a_letter_stays_in_its_column() -> None:
    """samples/demo company1 (two-sided, a seal over the left headers): the 期末余额 of 货币资金
    reads 104 ,38J .83. It is a figure, read again digits only, not a piece of the label that
    leaves the 年初余额 beside it as the row's only figure."""
    want = next(p for p in json.loads((DEMO / "labels.json").read_text())
                if p["file"] == "company1_balance_sheet.jpg")
    statement = ocr.extract_statement(DEMO / "company1_balance_sheet.jpg")
    assert statement.cash == Decimal(want["cash"])
    assert statement.confidence["cash"] < 0.6  # read only at the second try


def _row(rows: list[Row], label: str) -> Row:
    return next(r for r in rows if any(label in squash(w.text) for w in r.words))


def test_a_figure_with_a_rule_remnant_is_read_again() -> None:
    """Real page; the cash figure read with a table rule's remnant ('1,234.56 |', where | would
    pass for a 1) and the subtotal that could give it back lost: the box is read again."""
    page, labels = render_statement("balance_sheet", "zh", "ruled", "测试科技有限公司",
                                    date(2025, 12, 31), "元", FACES[0], random.Random(22))
    reading = read_page(np.asarray(page)[:, :, ::-1].copy())
    cash = _row(reading.rows, "货币资金")
    i = next(i for i, w in enumerate(cash.words) if w.text[:1].isdigit() and len(w.text) > 4)
    cash.words[i] = dataclasses.replace(cash.words[i], text=cash.words[i].text + " |")
    subtotal = _row(reading.rows, "流动资产合计")
    subtotal.words = [w for w in subtotal.words if not w.text[:1].isdigit()]
    statement = parse_statement(reading.rows, DocumentKind.BALANCE_SHEET, reading.page)
    assert statement.cash == Decimal(labels["cash"])
