"""What `status` shows of each reading (starter/reading_view.py): every field a check names, with
how sure the reader was, the unsure marked; an illegible licence in words, not "None"."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from journey.actors import Actor, Role
from journey.application import LoanApplication
from journey.documents import (
    DocumentKind,
    DocumentReading,
    DocumentRef,
    ReadStatus,
    SupportingDocument,
)
from journey.reading_corrections import ReadingCorrection, corrected
from ocr import extract_statement
from starter.reading_view import reading_check, reading_text
from tests.journey.test_policy_completeness import NO_UNIT, licence, sheet

MISREAD = "digit groups look misread: compare with the original"


def test_a_figure_a_check_names_is_shown_with_its_confidence(
    make_app: Callable[..., LoanApplication],
) -> None:
    app = make_app()
    read = sheet(company=app.applicant_name, cash=Decimal("1234567.00"),
                 confidence={"company": 0.96, "total_assets": 0.91, "cash": 0.0},
                 problems={"cash": MISREAD, "unit": NO_UNIT})
    shown = reading_text(read, app.applicant_name)
    assert f"company {app.applicant_name} [0.96]" in shown
    assert "unit not printed (read as 元)" in shown
    assert "total assets 1,000.00 [0.91]" in shown
    assert "cash 1,234,567.00 [0.00 low: check against the paper]" in shown
    assert f"cash: {MISREAD}" in reading_check(read)


def test_a_company_name_misread_by_a_character_is_shown_unsure_not_another_company(
    make_app: Callable[..., LoanApplication],
) -> None:
    app = make_app(applicant_name="武汉明德能源有限责任公司")
    read = sheet(company="武汉明德能源有限响任公司", confidence={"company": 0.0})
    assert reading_text(read, app.applicant_name).startswith(
        "company 武汉明德能源有限响任公司 [0.00 low: check against the paper]: close to the "
        "borrower's name, unsure: check against the paper")


def test_an_illegible_licence_says_so_in_words(
    make_app: Callable[..., LoanApplication],
) -> None:
    app = make_app()
    assert reading_text(licence(app, name=None, credit_code=None), app.applicant_name) == (
        "the licence could not be read: rescan it")
    shown = reading_text(licence(app, name=None, confidence={"name": 0.0}), app.applicant_name)
    assert shown.startswith("name unread [0.00 low: check against the paper]; credit code ")
    assert "None" not in shown


def test_a_supporting_document_naming_another_company_and_not_the_borrower_is_flagged(
    make_app: Callable[..., LoanApplication],
) -> None:
    app = make_app(applicant_name="武汉金桥环保科技股份有限公司")

    def letter(text: str) -> DocumentReading:
        return DocumentReading(ref=DocumentRef(sha256="a" * 64, filename="letter.png", size=1),
                               status=ReadStatus.READ, kind=DocumentKind.OTHER,
                               supporting=SupportingDocument(text=text))

    theirs = reading_text(letter("说明函\n天津海川贸易有限公司关于现金流下降的说明"),
                          app.applicant_name)
    assert theirs.endswith("; names 天津海川贸易有限公司, not the borrower: check whose it is")
    # a contract naming the borrower, and a counterparty, is the borrower's
    contract = "购销合同 甲方：武汉金桥环保科技股份有限公司 乙方：天津海川贸易有限公司"
    ours = reading_text(letter(contract), app.applicant_name)
    assert "not the borrower" not in ours
    assert "not the borrower" not in reading_text(letter("说明函 现金流下降的原因"),
                                                  app.applicant_name)


def test_figures_of_a_statement_in_thousands_are_shown_in_yuan_and_as_the_paper_prints_them(
    make_app: Callable[..., LoanApplication],
) -> None:
    """The figures are shown in yuan, saying they were converted from the paper's unit; one a
    check or a correction names is shown as the paper prints it too, to compare."""
    page = Path(__file__).resolve().parents[2] / "samples/demo/company2_income_statement.jpg"
    read = DocumentReading(ref=DocumentRef(sha256="c" * 64, filename=page.name, size=1),
                           status=ReadStatus.READ, kind=DocumentKind.INCOME_STATEMENT,
                           statement=extract_statement(page))  # printed in 千元
    shown = reading_text(read, make_app().applicant_name)
    assert "figures in yuan, converted from the paper's 千元" in shown
    assert "revenue 1,035,275,420.00 [0.91]; " in shown and "(paper" not in shown
    clerk = Actor(id="ops-li", role=Role.OPERATIONS)
    fixed, _ = corrected(read, ReadingCorrection(
        actor=clerk, document="c" * 12, field="revenue", value="1,035,275.40"),
        datetime(2026, 12, 6, tzinfo=UTC))
    assert ("revenue 1,035,275,400.00 [corrected] (paper 1,035,275.40 千元)"
            in reading_text(fixed, make_app().applicant_name))
