"""A clerk's correction of a reading (journey/reading_corrections.py): what it changes, what
it refuses, and the completeness check on the corrected reading."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal

import numpy as np
import pytest

from journey.actors import Actor, Role
from journey.application import LoanApplication
from journey.correction_checks import contradiction
from journey.documents import (
    LOW_CONFIDENCE,
    UNIT_ASSUMED,
    UNIT_ASSUMED_SHARE,
    DocumentReading,
)
from journey.policy import DecisionRefused, Policy, check_completeness
from journey.policy.completeness import FIGURE_NAMES
from journey.reading_corrections import ReadingCorrection, carried, corrected, document_of
from ocr import extract_statement
from ocr.corpus._fonts import FACES
from ocr.corpus._statement_page import render_statement
from tests.journey.test_policy_completeness import NO_UNIT, TODAY, income, licence, sheet

CLERK = Actor(id="ops-li", role=Role.OPERATIONS)
AT = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


def fix(reading: DocumentReading, field: str, value: str, actor: Actor = CLERK
        ) -> ReadingCorrection:
    return ReadingCorrection(actor=actor, document=reading.ref.sha256[:12], field=field,
                             value=value)


def printed_in_wan() -> DocumentReading:
    """A balance sheet printed in 万元 with no unit line, read as yuan."""
    return sheet(problems={"unit": NO_UNIT}, total_assets=Decimal("1805.73"),
                 total_liabilities=Decimal("805.73"), total_equity=Decimal("1000"))


def test_a_unit_the_statement_did_not_print_scales_its_figures_and_clears_the_check(
    policy: Policy, make_app: Callable[..., LoanApplication]
) -> None:
    app = make_app()
    read = printed_in_wan()
    files = [licence(app), read, income()]
    assert [f.code for f in check_completeness(policy, app, files, TODAY).failures] == [
        "unit_unprinted"]
    fixed, old = corrected(read, fix(read, "unit", "万元"), AT)
    st = fixed.statement
    assert st is not None and old == "read no unit (taken as 元), the paper says 万元"
    assert (st.unit, st.total_assets, st.total_equity) == (
        Decimal(10_000), Decimal("18057300.00"), Decimal(10_000_000))
    assert "unit" not in st.problems and "the paper says 万元: corrected" in st.corrected["unit"]
    assert check_completeness(policy, app, [licence(app), fixed, income()], TODAY).complete
    # a figure typed afterwards is as the paper prints it, in 万元
    again, said = corrected(fixed, fix(fixed, "cash", "12.5"), AT)
    assert again.statement is not None and again.statement.cash == Decimal("125000.0")
    assert said == "read nothing, the paper says 12.5, taken as 125,000.00"


def read_without_unit(unit: str) -> tuple[DocumentReading, dict]:
    """A balance sheet printed in `unit` with no unit line, read by the real OCR, and its
    labels (in yuan)."""
    page, labels = render_statement("balance_sheet", "zh", "ruled", "测试科技有限公司",
                                    date(2025, 12, 31), unit, FACES[0], random.Random(4),
                                    unit_line=False)
    statement = extract_statement(np.asarray(page)[:, :, ::-1].copy())
    return sheet().model_copy(update={"statement": statement}), labels


@pytest.mark.parametrize("unit", ["万元", "元"])
def test_the_unit_from_the_paper_makes_the_figures_read_in_an_assumed_one_sure_again(
    unit: str
) -> None:
    """OCR doubts every figure of a statement that prints no unit; the clerk's unit, 元 too,
    gives them the confidence their digits were read with."""
    read, labels = read_without_unit(unit)
    st = read.statement
    assert st is not None and st.unit == 1
    figures = [f for f in FIGURE_NAMES[st.kind] if getattr(st, f) is not None]
    assert all(st.confidence[f] < LOW_CONFIDENCE and st.problems[f].endswith(UNIT_ASSUMED)
               for f in figures)
    fixed, said = corrected(read, fix(read, "unit", unit), AT)
    assert said == f"read no unit (taken as 元), the paper says {unit}"
    now = fixed.statement
    assert now is not None and "unit" not in now.problems
    for f in figures:
        assert getattr(now, f) == Decimal(labels[f]), f
        assert now.confidence[f] == st.confidence[f] / UNIT_ASSUMED_SHARE, f
        assert UNIT_ASSUMED not in now.problems.get(f, ""), f
    with pytest.raises(DecisionRefused, match="nothing to correct"):
        corrected(fixed, fix(fixed, "unit", unit), AT)
    # a rescan, read as doubtfully, takes the unit the clerk typed
    rescan = read.model_copy(update={"ref": read.ref.model_copy(update={"sha256": "f" * 64})})
    taken = carried(rescan, [fixed])[0].statement
    assert taken is not None and "unit" not in taken.problems
    assert all(taken.confidence[f] == now.confidence[f] for f in figures)


def test_a_rescan_of_the_same_statement_takes_its_corrections(
    policy: Policy, make_app: Callable[..., LoanApplication]
) -> None:
    app = make_app()
    read = printed_in_wan()
    fixed, _ = corrected(read, fix(read, "unit", "万元"), AT)
    fixed, _ = corrected(fixed, fix(fixed, "cash", "12.5"), AT)
    rescan = read.model_copy(update={"ref": read.ref.model_copy(update={
        "sha256": "f" * 64, "filename": "bs_rescan.png"})})
    taken, said = carried(rescan, [fixed])
    st = taken.statement
    assert st is not None and (st.unit, st.total_assets, st.cash) == (
        Decimal(10_000), Decimal("18057300.00"), Decimal("125000.0"))
    assert st.corrected["unit"].startswith(f"carried from {read.ref.filename}: read no unit")
    assert said.startswith(f"bs_rescan.png is a rescan of {read.ref.filename}, whose "
                           "corrections it takes: unit 万元, cash 125,000.00")
    assert check_completeness(policy, app, [licence(app), taken, income()], TODAY).complete
    # a statement of another period is another document: nothing carried
    assert read.statement is not None
    other = rescan.model_copy(update={"statement": read.statement.model_copy(
        update={"period_end": date(2024, 12, 31)})})
    assert carried(other, [fixed]) == (other, "")


def test_a_licence_name_typed_from_the_paper_is_checked_like_a_read_one(
    policy: Policy, make_app: Callable[..., LoanApplication]
) -> None:
    app = make_app()
    blank = licence(app, name=None)
    fixed, said = corrected(blank, fix(blank, "name", app.applicant_name), AT)
    assert said == f"read nothing, the paper says {app.applicant_name}"
    assert check_completeness(policy, app, [fixed, sheet(), income()], TODAY).complete


def test_a_registered_capital_ocr_left_unread_is_typed_from_the_paper(
    make_app: Callable[..., LoanApplication]
) -> None:
    """A numeral OCR could not read (or misread: 贰 as 玫) is typed from the paper."""
    read = licence(make_app(), registered_capital=None)
    fixed, said = corrected(read, fix(read, "registered_capital", "250,000,000"), AT)
    assert said == "read nothing, the paper says 250,000,000, taken as 250,000,000.00"
    assert fixed.license is not None
    assert fixed.license.registered_capital == Decimal(250_000_000)
    assert fixed.license.confidence["registered_capital"] == 1.0


@pytest.mark.parametrize(("field", "value", "says"), [
    ("revenue", "1", "its fields to correct are name, credit_code, registered_capital, not "
     "'revenue'"),
    ("registered_capital", "贰亿伍仟万元整", "type the capital in yuan, in digits"),
    ("credit_code", "91110000MA01C3D5X0", "fails the credit code's checksum"),
])
def test_a_correction_the_licence_cannot_take_is_refused(
    make_app: Callable[..., LoanApplication], field: str, value: str, says: str
) -> None:
    read = licence(make_app(), credit_code="91110000MA01C3D5X0")
    with pytest.raises(DecisionRefused, match=says):
        corrected(read, fix(read, field, value), AT)


def test_a_figure_that_is_no_amount_or_a_unit_that_is_none_is_refused() -> None:
    read = sheet()
    with pytest.raises(DecisionRefused, match="is not an amount"):
        corrected(read, fix(read, "total_assets", "1O0"), AT)
    with pytest.raises(DecisionRefused, match="not a unit a statement prints"):
        corrected(read, fix(read, "unit", "美元"), AT)
    with pytest.raises(DecisionRefused, match="is not a day: type the period's last day"):
        corrected(read, fix(read, "period_end", "31.12.2025"), AT)


def test_the_document_is_named_by_its_sha256_or_a_prefix() -> None:
    files = [sheet(), income()]
    assert document_of(files, files[1].ref.sha256[:8]) is files[1]
    with pytest.raises(DecisionRefused, match="no document of this journey is ffffffff"):
        document_of(files, "ffffffff")


def test_a_correction_of_a_corrected_field_says_what_it_overrides_and_the_same_is_refused(
) -> None:
    read = sheet(current_liabilities=Decimal("500"))
    wang = Actor(id="ops-wang", role=Role.OPERATIONS)
    first, _ = corrected(read, fix(read, "current_liabilities", "400.00", wang), AT)
    again, said = corrected(first, fix(first, "current_liabilities", "450.00"), AT)
    assert said == "read 500.00, corrected by ops-wang to 400.00, the paper says 450.00"
    st = again.statement
    assert st is not None and st.current_liabilities == Decimal("450.00")
    assert st.corrected["current_liabilities"].startswith(
        f"{said}: corrected against the paper by ops-li at 2026-11-23 09:30 UTC, overriding "
        "ops-wang's correction")
    # the earlier correction, and OCR's reading, are kept for the next one
    assert st.corrections["current_liabilities"].model_dump() == {
        "by": "ops-li", "value": "450.00", "read": "500.00"}
    with pytest.raises(DecisionRefused, match="reads 450.00 already, as ops-li corrected it: "
                                              "nothing to correct"):
        corrected(again, fix(again, "current_liabilities", "450"), AT)
    with pytest.raises(DecisionRefused, match="total_assets reads 1,000.00 already: nothing"):
        corrected(read, fix(read, "total_assets", "1,000.00"), AT)


@pytest.mark.parametrize(("field", "value", "says"), [
    ("cash", "900", "cash 900.00 above current assets 800.00, of which it is a part"),
    ("total_assets", "1,200", "total assets 1,200.00 ≠ total liabilities 600.00 + total equity "
                              "400.00, beyond the 1.00 the checks allow"),
])
def test_a_figure_that_makes_the_statement_contradict_itself_needs_confirming(
    field: str, value: str, says: str
) -> None:
    read = sheet(cash=Decimal("100"), current_assets=Decimal("800"))
    typed = fix(read, field, value)
    fixed, _ = corrected(read, typed, AT)
    refused = contradiction(read, fixed, typed, Decimal("1.00"))
    assert refused is not None and says in refused and "--confirm" in refused
    confirmed = typed.model_copy(update={"confirmed": True})
    assert contradiction(read, fixed, confirmed, Decimal("1.00")) is None
    # within the tolerance, or a contradiction the statement had before: nothing new
    near, _ = corrected(read, fix(read, "total_assets", "1,000.50"), AT)
    assert contradiction(read, near, fix(read, "total_assets", "1,000.50"), Decimal(1)) is None
    assert contradiction(fixed, fixed, typed, Decimal("1.00")) is None
