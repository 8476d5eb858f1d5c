"""`book --json`: the loan book's figures as its tables show them, machine-readable: every
amount a string to the fen ("1234.50"), days as ISO dates, the ratio a string of four
decimals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from journey.borrower_exposure import by_borrower
from journey.loan_book import LoanBook, by_class, non_performing_ratio, owed_total
from journey.signed_pipeline import pipeline_total
from journey.undrawn_commitments import commitments_total
from starter.money_paid_out import MoneyPaidOut
from starter.money_received import MoneyReceived
from starter.month_end import MonthEnd, totals
from starter.pending_return import ReceivedMoney

CENT = Decimal("0.01")


def book_json(book: LoanBook, unbooked: list[ReceivedMoney], on: date,
              received: MoneyReceived | None, paid_out: MoneyPaidOut | None = None,
              month_end: MonthEnd | None = None) -> dict[str, Any]:
    """The book on `on`: its loans with their borrowers, review dates, totals and classes,
    how many have reviews late, the undrawn commitments (their totals leave out what the loans
    count), the loans signed and not paid out, the book by borrower (the whole book's: with a
    class asked, its loans'), the money not booked, and the money received in the period,
    reconciled (`received`, None with a class asked), and the money paid out in it, tied to
    the ledger (`paid_out`), and the loans at its start and end (`month_end`; both None with
    a class asked)."""
    ratio = non_performing_ratio(book.lines)
    data: dict[str, Any] = {
        "on": on, "loans": book.lines, "loan_totals": owed_total(book.lines),
        "by_class": by_class(book.lines),
        "non_performing_ratio": None if ratio is None else f"{ratio:.4f}",
        "reviews_late": sum(1 for b in book.lines if b.reviews_late),
        "commitments": [c.model_dump() | {"in_loans": c.lent} for c in book.commitments],
        "commitment_totals": commitments_total(book.commitments),
        "signed_not_paid_out": book.pipeline,
        "signed_not_paid_out_total": pipeline_total(book.pipeline),
        "by_borrower": [e.model_dump() | {"exposure": e.exposure} for e in by_borrower(book)],
        "unbooked": unbooked,
        "unbooked_total": sum((m.amount for m in unbooked), Decimal(0)),
    }
    if received is not None:
        data["money_received"] = received.model_dump() | {
            "booked_total": received.kinds.total, "total": received.total}
    if paid_out is not None:
        data["money_paid_out"] = paid_out.model_dump(  # a booking read, never a duplicate
            exclude={"bookings": {"__all__": {"was_duplicate"}}}) | {"total": paid_out.total}
    if month_end is not None:
        data["month_end"] = month_end.model_dump() | {
            "opening": [p.model_dump() | {"interest_earned": p.interest_earned}
                        for p in month_end.opening],
            "closing": [p.model_dump() | {"interest_earned": p.interest_earned}
                        for p in month_end.closing],
            "opening_totals": totals(month_end.opening),
            "closing_totals": totals(month_end.closing)}
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
