"""What `status` shows of each reading (starter/reading_view.py): every field a check names, with
how sure the reader was, the unsure marked; an illegible licence in words, not "None"."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from journey.application import LoanApplication
from journey.documents import (
    DocumentKind,
    DocumentReading,
    DocumentRef,
    ReadStatus,
    SupportingDocument,
)
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
    assert "total assets 1,000 [0.91]" in shown
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
