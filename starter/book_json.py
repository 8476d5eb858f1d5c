"""`book --json`: the loan book's figures as its tables show them, machine-readable: every
amount a string to the fen ("1234.50"), days as ISO dates, the ratio a string of four
decimals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from journey.loan_book import LoanBook, by_class, non_performing_ratio, owed_total
from journey.undrawn_commitments import commitments_total
from starter.money_received import MoneyReceived
from starter.pending_return import ReceivedMoney

CENT = Decimal("0.01")


def book_json(book: LoanBook, unbooked: list[ReceivedMoney], on: date,
              received: MoneyReceived | None) -> dict[str, Any]:
    """The book on `on`: its loans with their totals and classes, the undrawn commitments
    (their totals leave out what the loans count), the money not booked, and the money
    received in the period, reconciled (`received`, None with a class asked)."""
    ratio = non_performing_ratio(book.lines)
    data: dict[str, Any] = {
        "on": on, "loans": book.lines, "loan_totals": owed_total(book.lines),
        "by_class": by_class(book.lines),
        "non_performing_ratio": None if ratio is None else f"{ratio:.4f}",
        "commitments": [c.model_dump() | {"in_loans": c.lent} for c in book.commitments],
        "commitment_totals": commitments_total(book.commitments),
        "unbooked": unbooked,
        "unbooked_total": sum((m.amount for m in unbooked), Decimal(0)),
    }
    if received is not None:
        data["money_received"] = received.model_dump() | {
            "booked_total": received.kinds.total, "total": received.total}
    return plain(data)


def plain(value: Any) -> Any:
    """`value` with its models as dicts, amounts as strings to the fen, days as ISO text."""
    if hasattr(value, "model_dump"):
        return plain(value.model_dump())
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, Decimal):
        return str(value.quantize(CENT))
    if isinstance(value, date):  # a datetime too
        return value.isoformat()
    return value
