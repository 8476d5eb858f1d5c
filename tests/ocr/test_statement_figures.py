"""Statement figures: labels, the sections of a balance sheet, and the totals that confirm,
derive, repair or flag a figure (ocr._statement_checks), over fabricated rows and real pages."""

from __future__ import annotations

import dataclasses
import random
from datetime import date
from decimal import Decimal

import numpy as np

from journey.documents import DocumentKind, FinancialStatement
from journey.repayment import is_month_end
from ocr._layout import Row
from ocr._pipeline import read_page
from ocr._statement import parse_statement
from ocr._statement_checks import Figure, Line, check_totals, section_rules
from ocr._statement_labels import label_field, label_heading
from ocr._text import squash
from ocr.corpus._fonts import FACES
from ocr.corpus._statement_page import render_statement

BS = DocumentKind.BALANCE_SHEET
IS = DocumentKind.INCOME_STATEMENT


def fig(value: str, conf: float = 0.95, well_formed: bool = True) -> Figure:
    return Figure(Decimal(value), conf, well_formed)


def model(kind: DocumentKind, figures: dict[str, Figure]) -> FinancialStatement:
    """A statement as parse_statement leaves it before the checks: fields set as read."""
    m = FinancialStatement(kind=kind)
    for name, f in figures.items():
        if name in FinancialStatement.model_fields and name != "kind":
            setattr(m, name, f.value)
            m.confidence[name] = f.conf
    return m


def current_assets_section(cash: Figure | None) -> list[Line]:
    """流动资产： 货币资金 应收账款 存货 流动资产合计 (100 + 50 + 30 = 180)."""
    return [Line(0, None, "current_assets"), Line(0, "cash", figure=cash),
            Line(0, None, figure=fig("50")), Line(0, None, figure=fig("30")),
            Line(0, "current_assets", figure=fig("180"))]


def test_a_label_with_one_glyph_read_as_two_is_matched() -> None:
    assert label_field("所有者权益人台计") == "total_equity"  # 合 read as 人台
    assert label_field("流动资产合计") == "current_assets"
    assert label_field("其他流动资产") is None


def test_a_section_heading_is_told_from_the_subtotal() -> None:
    assert label_heading("流动资产：") == "current_assets"
    assert label_heading("所有者权益（或股东权益）：") == "total_equity"
    assert label_heading("Non-current assets:") == "noncurrent_assets"
    assert label_heading("流动资产合计") is None
    assert label_heading("货币资金") is None


def test_a_subtotal_is_the_sum_of_the_rows_back_to_its_heading() -> None:
    rules, rows = section_rules(current_assets_section(fig("100")))
    assert rules == [("current_assets", [(1, "line3"), (1, "line2"), (1, "cash")])]
    assert set(rows) == {"line2", "line3"}


def test_sections_of_a_two_sided_sheet_stay_on_their_side() -> None:
    left = current_assets_section(fig("100"))
    right = [Line(1, None, "current_liabilities"), Line(1, None, figure=fig("70")),
             Line(1, "current_liabilities", figure=fig("70"))]
    lines = [line for pair in zip(left, right + right[:2], strict=True) for line in pair]
    rules, _ = section_rules(lines)
    assert sorted(r[0] for r in rules) == ["current_assets", "current_liabilities"]
    assert all(len(parts) == 3 for total, parts in rules if total == "current_assets")


def test_a_section_whose_heading_is_lost_gives_no_rule() -> None:
    lines = current_assets_section(fig("100"))[1:]
    assert section_rules(lines) == ([], {})


def test_rows_of_which_are_left_out_and_rows_to_subtract_count_negative() -> None:
    lines = [Line(0, None, "total_equity"), Line(0, None, figure=fig("100")),
             Line(0, None, figure=fig("40"), sign=0), Line(0, None, figure=fig("10"), sign=-1),
             Line(0, "total_equity", figure=fig("90"))]
    rules, _ = section_rules(lines)
    assert rules == [("total_equity", [(-1, "line3"), (1, "line1")])]


def test_no_figure_is_derived_from_a_misread_total() -> None:
    """利润总额 read as 2,955.2 (digit groups wrong): 营业利润 is not derived from it."""
    figures = {"revenue": fig("18355.28"), "total_profit": fig("29552", 0.0, False),
               "nonop_income": fig("3.42", 0.0), "nonop_expense": fig("7.34"),
               "income_tax": fig("73.0", 0.51), "net_profit": fig("2216.40", 0.87)}
    m = model(IS, figures)
    check_totals(m, figures)
    assert m.operating_profit is None
    assert m.problems.get("net_profit") is None  # read cleanly: the misread total is to blame


def test_a_missing_figure_is_derived_from_sure_figures() -> None:
    figures = {"total_profit": fig("3192.34"), "income_tax": fig("798.08")}
    m = model(IS, figures)
    m.confidence["net_profit"] = 0.0
    check_totals(m, figures)
    assert m.net_profit == Decimal("2394.26")
    assert m.confidence["net_profit"] == 0.5
    assert "derived" in m.problems["net_profit"]


def test_a_weak_reading_its_section_contradicts_is_replaced() -> None:
    lines = current_assets_section(fig("70", conf=0.76))  # 100 read as 70, unsure
    rules, rows = section_rules(lines)
    figures = {"cash": fig("70", 0.76), "current_assets": fig("180")} | rows
    m = model(BS, figures)
    check_totals(m, figures, rules)
    assert m.cash == Decimal(100)
    assert m.confidence["cash"] == 0.5
    assert "derived 100" in m.problems["cash"]


def test_a_reading_again_that_adds_up_is_kept() -> None:
    lines = current_assets_section(fig("70", conf=0.7))
    rules, rows = section_rules(lines)
    figures = {"cash": fig("70", 0.7), "current_assets": fig("180")} | rows
    m = model(BS, figures)
    asked: list[Figure] = []

    def reread(f: Figure) -> list[Decimal]:
        asked.append(f)
        return [Decimal(10), Decimal(100)]

    check_totals(m, figures, rules, reread)
    assert asked == [figures["cash"]]  # the suspect alone, once
    assert m.cash == Decimal(100)
    assert m.confidence["cash"] == 0.8
    assert "read again" in m.problems["cash"]


def test_a_clean_field_reading_among_clean_rows_is_read_again() -> None:
    """Every row read cleanly, the section does not add up, its subtotal confirmed by the
    total assets: the field among the rows (not every row) is read again, and a reading that
    makes the section add up is kept."""
    lines = current_assets_section(fig("70", conf=0.9))
    rules, rows = section_rules(lines)
    figures = {"cash": fig("70", 0.9), "current_assets": fig("180"),
               "noncurrent_assets": fig("20"), "total_assets": fig("200")} | rows
    m = model(BS, figures)
    asked: list[Figure] = []

    def reread(f: Figure) -> list[Decimal]:
        asked.append(f)
        return [Decimal(100)]

    check_totals(m, figures, rules, reread)
    assert asked == [figures["cash"]]
    assert m.cash == Decimal(100)
    assert m.confidence["cash"] == 0.8


def test_clean_readings_that_do_not_add_up_are_flagged_not_replaced() -> None:
    """Every row read cleanly, yet the section does not add up: nothing tells which row is
    misread, so none is replaced."""
    lines = current_assets_section(fig("70", conf=0.9))
    rules, rows = section_rules(lines)
    figures = {"cash": fig("70", 0.9), "current_assets": fig("180")} | rows
    m = model(BS, figures)
    check_totals(m, figures, rules, lambda f: [f.value])  # read again: the same
    assert m.cash == Decimal(70)
    assert m.confidence["cash"] <= 0.3
    assert "does not add up" in m.problems["cash"]


def test_a_part_larger_than_its_whole_is_flagged() -> None:
    figures = {"cash": fig("900", 0.7), "current_assets": fig("180"),
               "noncurrent_assets": fig("20"), "total_assets": fig("200")}
    m = model(BS, figures)
    check_totals(m, figures)
    assert "exceeds" in m.problems["cash"]
    assert m.confidence["cash"] <= 0.3
    assert "current_assets" not in m.problems  # confirmed by assets = current + non-current


def test_misread_digit_groups_a_holding_total_confirms_are_vouched_for() -> None:
    figures = {"total_assets": fig("75864916.63", 0.0, False),  # read 75,,864,916.63
               "total_liab_equity": fig("75864916.63", 0.36)}
    m = model(BS, figures)
    m.problems["total_assets"] = "digit groups look misread: compare with the original"
    check_totals(m, figures)
    assert m.confidence["total_assets"] == 0.8
    assert "adds up" in m.problems["total_assets"]


def test_unsure_figures_a_sum_of_figures_read_apart_confirms_are_taken_as_read() -> None:
    """负债合计 and 所有者权益合计 read well formed but unsure (a seal's red over them): 资产总计,
    read apart, is their sum, so a clerk would find on the paper what the sum says."""
    figures = {"total_assets": fig("1899577.25", 0.58),
               "total_liabilities": fig("737035.97", 0.0),
               "total_equity": fig("1162541.28", 0.19)}
    m = model(BS, figures)
    check_totals(m, figures)
    assert {f: m.confidence[f] for f in figures} == dict.fromkeys(figures, 0.8)
    assert m.problems == {}  # nothing to check: taken as read


def test_a_total_and_its_one_part_twin_vouch_for_nothing() -> None:
    """资产总计 and 负债和所有者权益总计 print the same figure: one misread in the font's
    digits could make both wrong alike, so agreeing leaves them unsure."""
    figures = {"total_assets": fig("1899577.25", 0.4),
               "total_liab_equity": fig("1899577.25", 0.3)}
    m = model(BS, figures)
    check_totals(m, figures)
    assert m.confidence["total_assets"] == 0.4


def test_a_sum_that_holds_by_a_figure_derived_from_it_vouches_for_nothing() -> None:
    """负债合计 not read: derived as 资产总计 less 所有者权益合计, so 资产总计 = 负债合计 +
    所有者权益合计 holds by its making, and the unsure 资产总计 stays to check."""
    figures = {"total_assets": fig("1899577.25", 0.3),
               "total_liab_equity": fig("1899577.25", 0.3),
               "total_equity": fig("1162541.28")}
    m = model(BS, figures)
    m.confidence["total_liabilities"] = 0.0
    check_totals(m, figures)
    assert m.total_liabilities == Decimal("737035.97")
    assert "derived" in m.problems["total_liabilities"]
    assert m.confidence["total_assets"] == 0.3


def test_two_rules_that_agree_correct_a_misread_total() -> None:
    figures = {"total_assets": fig("9087500"), "current_assets": fig("50000"),
               "noncurrent_assets": fig("40875"), "total_liabilities": fig("60000"),
               "total_equity": fig("30875")}
    m = model(BS, figures)
    check_totals(m, figures)
    assert m.total_assets == Decimal("90875")
    assert m.balances is True


def test_a_period_ends_on_the_last_day_of_a_month() -> None:
    assert is_month_end(date(2024, 2, 29))
    assert is_month_end(date(2023, 2, 28))
    assert not is_month_end(date(2021, 5, 30))  # 2021年6月30日 with the 6 read as 5


def _reading(seed: int) -> tuple[list[Row], object, dict]:
    rng = random.Random(seed)
    page, labels = render_statement("balance_sheet", "zh", "ruled", "测试科技有限公司",
                                    date(2023, 12, 31), "元", FACES[0], rng)
    reading = read_page(np.asarray(page)[:, :, ::-1].copy())
    return reading.rows, reading, labels


def _cash_row(rows: list[Row]) -> Row:
    return next(r for r in rows if any("货币资金" in squash(w.text) for w in r.words))


def test_an_unreadable_cash_figure_is_derived_from_its_section() -> None:
    """Real page; the cash row's figures are lost (as under a seal): the rows of 流动资产 and
    their subtotal, all read cleanly, give it back."""
    rows, reading, labels = _reading(21)
    row = _cash_row(rows)
    row.words = [w for w in row.words if "货币资金" in squash(w.text)]
    statement = parse_statement(rows, BS, reading.page)  # type: ignore[attr-defined]
    assert statement.cash == Decimal(labels["cash"])
    assert statement.confidence["cash"] == 0.5
    assert "derived" in statement.problems["cash"]


def test_a_misread_cash_figure_is_read_again() -> None:
    """Real page; the cash figure's first digit misread, unsurely: its box is read again and
    the reading that adds up with its section is kept."""
    rows, reading, labels = _reading(22)
    row = _cash_row(rows)
    first = next(i for i, w in enumerate(row.words) if w.text[:1].isdigit() and len(w.text) > 4)
    word = row.words[first]
    wrong = ("1" if word.text[0] != "1" else "7") + word.text[1:]
    row.words[first] = dataclasses.replace(word, text=wrong, conf=60.0)
    statement = parse_statement(rows, BS, reading.page)  # type: ignore[attr-defined]
    assert statement.cash == Decimal(labels["cash"])
    assert statement.confidence["cash"] == 0.8
    assert "read again" in statement.problems["cash"]
