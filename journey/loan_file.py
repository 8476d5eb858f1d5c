"""The loan file: which of the documents received so far stand.

A later document of the same kind (and, for statements, the same period) supersedes an
earlier one, later by the batch it last came in: a document sent again stands again. An
unreadable document stands until the customer sends anything after it, so the file asks
for it again exactly once and a re-sent scan clears the request.
"""

from __future__ import annotations

from datetime import date

from journey.documents import DocumentKind, DocumentReading, ReadStatus


def _slot(reading: DocumentReading) -> tuple[DocumentKind, date | None]:
    period = reading.statement.period_end if reading.statement is not None else None
    return reading.kind, period


def current(readings: list[DocumentReading], batch_of: dict[str, int]) -> list[DocumentReading]:
    """The readings that stand, in the order received; `batch_of` maps sha256 to upload batch."""
    latest: dict[tuple[DocumentKind, date | None], DocumentReading] = {}
    for reading in sorted(readings, key=lambda r: batch_of.get(r.ref.sha256, 0)):
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
