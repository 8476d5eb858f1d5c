from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from journey.actors import Actor, Role
from journey.documents import (
    BusinessLicense,
    DocumentKind,
    DocumentReading,
    DocumentRef,
    FinancialStatement,
    ReadStatus,
)
from journey.reading_corrections import ReadingCorrection, corrected
from store.documents import licences_printing, readings_for, record_reading

REF = DocumentRef(sha256="ab" * 32, filename="bs.png", size=1234)


def test_a_reading_is_stored_and_a_reread_replaces_it(db_url: str) -> None:
    unreadable = DocumentReading(ref=REF, status=ReadStatus.UNREADABLE, reason="blurred")
    record_reading(db_url, "loan-1", unreadable)
    assert readings_for(db_url, "loan-1") == [unreadable]

    sheet = FinancialStatement(
        kind=DocumentKind.BALANCE_SHEET,
        total_assets=Decimal("1000.00"),
        total_liabilities=Decimal("600.00"),
        total_equity=Decimal("400.00"),
        balances=True,
        confidence={"total_assets": 0.93},
    )
    read = DocumentReading(
        ref=REF, status=ReadStatus.READ, kind=DocumentKind.BALANCE_SHEET, statement=sheet
    )
    record_reading(db_url, "loan-1", read)
    assert readings_for(db_url, "loan-1") == [read]
    assert readings_for(db_url, "loan-2") == []


CODE = "91440300D9GFW1PK8D"
PAPER = "天津金桥信息技术有限公司"  # what the licence prints
MISREAD = f"{PAPER}了股份有限公司（非上市）"  # a phone photo's reading of it


def licence(name: str, confidence: float, problem: str | None = None) -> DocumentReading:
    return DocumentReading(
        ref=DocumentRef(sha256="cd" * 32, filename="licence.jpg", size=4321),
        status=ReadStatus.READ, kind=DocumentKind.BUSINESS_LICENSE,
        license=BusinessLicense(name=name, credit_code=CODE, credit_code_valid=True,
                                confidence={"name": confidence, "credit_code": 0.97},
                                problems={"name": problem} if problem else {}))


def test_a_licence_holds_its_code_under_a_sure_or_corrected_name_only(db_url: str) -> None:
    """A name read unsure, or flagged as no registered name, is no evidence of whose the code
    is; corrected by a clerk, the licence holds it under the name the paper prints."""
    flagged = licence(MISREAD, 0.3, f"{MISREAD!r} does not look like a registered name: "
                      "check it")
    record_reading(db_url, "loan-photo", flagged)
    assert licences_printing(db_url, CODE) == []
    record_reading(db_url, "loan-unsure", licence(PAPER, 0.5))
    assert licences_printing(db_url, CODE) == []

    fix = ReadingCorrection(actor=Actor(id="ops-wang", role=Role.OPERATIONS),
                            document="cd" * 6, field="name", value=PAPER)
    fixed, _ = corrected(flagged, fix, datetime(2026, 12, 6, 9, 30, tzinfo=UTC))
    record_reading(db_url, "loan-photo", fixed)
    [(journey, held)] = licences_printing(db_url, CODE)
    assert (journey, held.name) == ("loan-photo", PAPER)
    record_reading(db_url, "loan-scan", licence(PAPER, 0.95))
    assert [wf for wf, _ in licences_printing(db_url, CODE)] == ["loan-photo", "loan-scan"]
