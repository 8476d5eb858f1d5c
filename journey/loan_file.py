"""The loan file: which of the documents received so far stand.

A later document of the same kind (and, for statements, the same period) supersedes an
earlier one, later by the batch it last came in: a document sent again stands again. An
unreadable document stands until the customer sends anything after it, so the file asks
for it again exactly once and a re-sent scan clears the request.

Given the borrower's name, a statement of another company (`other_company`, the rule the
completeness check and the reviews apply) never supersedes the borrower's own: it stands
only where the borrower has sent none of its kind and period, so that the completeness
check asks for the borrower's own; `not_the_borrowers` says so for operations.
"""

from __future__ import annotations

from datetime import date

from journey.documents import DocumentKind, DocumentReading, ReadStatus
from journey.policy.completeness import LABELS, other_company


def _slot(reading: DocumentReading) -> tuple[DocumentKind, date | None]:
    period = reading.statement.period_end if reading.statement is not None else None
    return reading.kind, period


def current(readings: list[DocumentReading], batch_of: dict[str, int],
            borrower: str | None = None) -> list[DocumentReading]:
    """The readings that stand, in the order received; `batch_of` maps sha256 to upload batch;
    with `borrower`, the borrower's statements before any other company's in their slot."""
    def order(r: DocumentReading) -> tuple[bool, int]:
        return other_company(r.statement, borrower) is None, batch_of.get(r.ref.sha256, 0)

    latest: dict[tuple[DocumentKind, date | None], DocumentReading] = {}
    for reading in sorted(readings, key=order):
        if reading.status is ReadStatus.READ:
            latest[_slot(reading)] = reading
    newest = max(batch_of.values(), default=0)
    standing = {r.ref.sha256 for r in latest.values()}
    return [
        r
        for r in readings
        if r.ref.sha256 in standing
        or (r.status is not ReadStatus.READ and batch_of.get(r.ref.sha256, 0) == newest)
    ]


def not_the_borrowers(readings: list[DocumentReading], standing: list[DocumentReading],
                      borrower: str) -> dict[str, str]:
    """Statements of another company than the borrower, by sha256: kept, counted nowhere,
    and what operations should do about each."""
    stands = {r.ref.sha256 for r in standing}
    marks = {}
    for r in readings:
        if r.statement is None or (company := other_company(r.statement, borrower)) is None:
            continue
        what = f"the {LABELS[r.kind]} of {r.statement.period_end or 'an illegible period'}"
        marks[r.ref.sha256] = (
            f"{r.ref.filename} is {what} of {company}, not of the borrower {borrower}: kept, "
            + ("counted nowhere until the borrower's own comes; ask the borrower for it"
               if r.ref.sha256 in stands else
               "counted nowhere; the borrower's own stands")
        )
    return marks
