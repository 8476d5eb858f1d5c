"""A field that fails validation comes back with low confidence and a reason, never guessed."""

from __future__ import annotations

import dataclasses
import random
from datetime import date
from decimal import Decimal

import cv2
import numpy as np
import pytest

import ocr
from journey.documents import DocumentKind, FinancialStatement
from ocr.corpus._data import company
from ocr.corpus._fonts import FACES
from ocr.corpus._license_page import render_license
from ocr.corpus._statement_page import render_statement
from tests.ocr.conftest import jpeg


def _bgr(img) -> np.ndarray:  # type: ignore[no-untyped-def]
    return np.asarray(img)[:, :, ::-1].copy()


def test_misread_numeral_is_not_a_number() -> None:
    rng = random.Random(3)
    comp = company(rng)
    # every character reads right, but 万 before 亿 is no number
    page = render_license(comp, FACES[0], "single_column", rng, {"注册资本": "伍万伍亿元整"})
    licence = ocr.extract_license(_bgr(page))
    assert licence.registered_capital is None
    assert licence.confidence["registered_capital"] < 0.6
    assert "not a number" in licence.problems["registered_capital"]
    assert licence.name == comp.name  # the rest of the page is still read


def test_numeral_glyph_missing_from_the_model_is_repaired_and_said() -> None:
    """chi_sim (fast) has no 仟: it prints 什, which is put right, with a note."""
    rng = random.Random(3)
    comp = company(rng)
    page = render_license(comp, FACES[0], "single_column", rng, {"注册资本": "伍仟万元整"})
    licence = ocr.extract_license(_bgr(page))
    assert licence.registered_capital == Decimal(50_000_000)
    assert "repaired" in licence.problems["registered_capital"]


def test_wrong_check_character_is_reported_not_fixed_silently() -> None:
    rng = random.Random(4)
    comp = company(rng)
    bad = comp.credit_code[:17] + ("0" if comp.credit_code[17] != "0" else "1")
    page = render_license(comp, FACES[0], "single_column", rng, {"统一社会信用代码": bad})
    licence = ocr.extract_license(_bgr(page))
    if licence.credit_code_valid:  # repaired: must say so and cost confidence
        assert "repaired" in licence.problems["credit_code"]
        assert licence.confidence["credit_code"] < 1.0
    else:
        assert licence.confidence["credit_code"] < 0.6
        assert "GB 32100-2015" in licence.problems["credit_code"]


def test_balance_sheet_that_does_not_balance_says_so() -> None:
    rng = random.Random(9)
    page, labels = render_statement("balance_sheet", "zh", "ruled", "测试科技有限公司",
                                    date(2023, 12, 31), "元", FACES[0], rng)
    equity = Decimal(labels["total_equity"])
    rng = random.Random(9)
    page, _ = render_statement("balance_sheet", "zh", "ruled", "测试科技有限公司",
                               date(2023, 12, 31), "元", FACES[0], rng,
                               tamper={"total_equity": equity + 1000,
                                       "total_liab_equity": Decimal(labels["total_assets"]) + 1000})
    statement = ocr.extract_statement(_bgr(page))
    assert statement.kind is DocumentKind.BALANCE_SHEET
    assert statement.balances is False
    assert "balances" in statement.problems
    assert statement.confidence["total_equity"] <= 0.5


def test_a_balanced_sheet_balances() -> None:
    rng = random.Random(9)
    page, labels = render_statement("balance_sheet", "zh", "ruled", "测试科技有限公司",
                                    date(2023, 12, 31), "万元", FACES[0], rng)
    statement = ocr.extract_statement(_bgr(page))
    assert statement.balances is True
    assert statement.total_assets == Decimal(labels["total_assets"])
    assert statement.period_end == date(2023, 12, 31)


def test_english_income_statement_with_unit_line() -> None:
    rng = random.Random(12)
    page, labels = render_statement("income_statement", "en", "open", None,
                                    date(2022, 6, 30), "万元", FACES[0], rng)
    kind, statement = ocr.read_document(_bgr(page))
    assert kind is DocumentKind.INCOME_STATEMENT
    assert isinstance(statement, FinancialStatement)
    assert statement.revenue == Decimal(labels["revenue"])  # printed in 万元, returned in yuan
    assert statement.net_profit == Decimal(labels["net_profit"])
    assert statement.period_end == date(2022, 6, 30)
    assert statement.company is None


def test_scope_items_keep_their_semicolons() -> None:
    """chi_sim has no ；: on this blurred AR PL UMing page it prints two of the three as commas,
    which their dots tell apart."""
    rng = random.Random(8)
    scope = "技术服务；机械设备租赁；技术咨询；货物进出口。"
    comp = dataclasses.replace(company(rng), business_scope=scope)
    page = _bgr(render_license(comp, FACES[4], "single_column", rng))
    licence = ocr.extract_license(jpeg(cv2.GaussianBlur(page, (3, 3), 0), 60))
    assert licence.business_scope == scope


@pytest.mark.parametrize(("seed", "face", "layout", "blurred"), [
    (2, 2, "two_column_border", False),  # a neighbour's broken stroke was taken for a dot
    (3, 4, "two_column_border", True),  # a comma lost: its items were joined by ；
])
def test_scope_items_printed_with_commas_keep_their_commas(seed: int, face: int, layout: str,
                                                          blurred: bool) -> None:
    """An older licence lists its scope's items with ，: the reading shows what the paper does,
    never a ； the paper does not print."""
    rng = random.Random(seed)
    comp = company(rng)
    scope = comp.business_scope.replace("；", "，")
    comp = dataclasses.replace(comp, business_scope=scope)
    page = _bgr(render_license(comp, FACES[face], layout, rng))
    licence = ocr.extract_license(jpeg(cv2.GaussianBlur(page, (3, 3), 0), 60) if blurred else page)
    assert licence.business_scope == scope and scope.count("，") >= 2


def test_a_period_end_that_is_no_month_end_is_flagged() -> None:
    rng = random.Random(9)
    page, _ = render_statement("balance_sheet", "zh", "ruled", "测试科技有限公司",
                               date(2023, 6, 29), "元", FACES[0], rng)
    statement = ocr.extract_statement(_bgr(page))
    assert statement.period_end == date(2023, 6, 29)  # as printed, but not trusted
    assert statement.confidence["period_end"] <= 0.3
    assert "last day of a month" in statement.problems["period_end"]


def test_cash_that_does_not_add_up_with_its_section_is_flagged() -> None:
    """货币资金 printed 1,000 too high: the current assets no longer add up, and with every row
    read cleanly nothing says which row is wrong: cash is kept as printed, and flagged."""
    rng = random.Random(9)
    _, labels = render_statement("balance_sheet", "zh", "ruled", "测试科技有限公司",
                                 date(2023, 12, 31), "元", FACES[0], rng)
    cash = Decimal(labels["cash"]) + 1000
    rng = random.Random(9)
    page, _ = render_statement("balance_sheet", "zh", "ruled", "测试科技有限公司",
                               date(2023, 12, 31), "元", FACES[0], rng, tamper={"cash": cash})
    statement = ocr.extract_statement(_bgr(page))
    assert statement.cash == cash
    assert statement.confidence["cash"] <= 0.3
    assert "does not add up" in statement.problems["cash"]
    assert statement.balances is True
    assert "current_assets" not in statement.problems  # current + non-current = total assets


def test_the_end_of_a_licences_term_is_read() -> None:
    """营业期限: an end date is kept, to refuse a company whose term has ended; 长期 has none."""
    rng = random.Random(5)
    comp = company(rng)
    ended = render_license(comp, FACES[0], "single_column", rng,
                           {"营业期限": "2010年05月01日至2020年12月31日"})
    licence = ocr.extract_license(_bgr(ended))
    assert licence.valid_until == date(2020, 12, 31)
    assert "term" not in licence.problems
    open_ended = render_license(comp, FACES[0], "single_column", rng,
                               {"营业期限": "2010年05月01日至长期"})
    licence = ocr.extract_license(_bgr(open_ended))
    assert licence.valid_until is None and "term" not in licence.problems
