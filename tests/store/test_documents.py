from __future__ import annotations

from decimal import Decimal

from journey.documents import (
    DocumentKind,
    DocumentReading,
    DocumentRef,
    FinancialStatement,
    ReadStatus,
)
from store.documents import readings_for, record_reading

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
