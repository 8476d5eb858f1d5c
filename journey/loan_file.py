"""The loan file: which of the documents received so far stand.

A later document of the same kind (and, for statements, the same period) supersedes an
earlier one, later by the batch it last came in: a document sent again stands again. An
unreadable document stands until the customer sends anything after it, so the file asks
for it again exactly once and a re-sent scan clears the request.

Given the borrower's name, a statement of another company (`other_company`, the rule the
completeness check and the reviews apply) never supersedes the borrower's own: it stands
only where the borrower has sent none of its kind and period, so that the completeness
check asks for the borrower's own; `not_the_borrowers` says so for operations.

With `kept` (journeys since the marker `documents-kept`): a supporting document (a letter, a
contract: `other`) stands beside the others, superseded only by a later file of its name; a
licence of another company never supersedes the borrower's own, as a statement does not; and
an unreadable document stands until what replaces it comes: a file of its name (the scan
sent again), a licence or statement of the borrower's where the file had none read when it
came (a kind, or a statement's period), or a written answer to the question it was sent for;
anything else leaves it asked for, while the file is short: one it stands in that is complete
without it (every check passing) is not needed and never asked for (`check_completeness`'s
`settle`, since the marker `unreadable-not-needed`).

With `rescans` (since the marker `period-rescans`): a statement whose period could not be read
stands only until a later statement of its kind, the borrower's with its period read, comes:
that is the rescan the customer was asked for, whatever period it prints.

`near_names_held` (since the marker `near-names-held`, the default): a statement naming a
company within a character or two of the borrower is the borrower's, however confidently
misread (`unsure_company`).
"""

from __future__ import annotations

from datetime import date

from journey.documents import DocumentKind, DocumentReading, ReadStatus
from journey.policy.completeness import LABELS, other_company, same_name

CHECKLIST_KINDS = (DocumentKind.BUSINESS_LICENSE, DocumentKind.BALANCE_SHEET,
                   DocumentKind.INCOME_STATEMENT)


def _slot(reading: DocumentReading, kept: bool) -> tuple[DocumentKind, date | str | None]:
    if kept and reading.kind is DocumentKind.OTHER:
        return reading.kind, reading.ref.filename
    period = reading.statement.period_end if reading.statement is not None else None
    return reading.kind, period


def _company(r: DocumentReading, borrower: str | None, kept: bool,
             near_names_held: bool = True) -> str | None:
    """The other company a statement (with `kept`, a licence too) is of, or None."""
    if kept and r.license is not None and r.license.name and borrower is not None:
        return None if same_name(r.license.name, borrower) else r.license.name
    return other_company(r.statement, borrower, near_names_held=near_names_held)


def current(readings: list[DocumentReading], batch_of: dict[str, int],
            borrower: str | None = None, *, kept: bool = False,
            answered: list[tuple[int, int]] | None = None,
            rescans: bool = False, near_names_held: bool = True) -> list[DocumentReading]:
    """The readings that stand, in the order received; `batch_of` maps sha256 to upload batch;
    with `borrower`, the borrower's statements (with `kept`, licences) before any other
    company's in their slot; `answered`: the batches (after, up to) a written answer met a
    question in, whose unreadable documents it answers (with `kept`); with `rescans`, a
    statement of an illegible period gives way to a later one of its kind (`rescanned`)."""
    def batch(r: DocumentReading) -> int:
        return batch_of.get(r.ref.sha256, 0)

    def order(r: DocumentReading) -> tuple[bool, int]:
        return _company(r, borrower, kept, near_names_held) is None, batch(r)

    latest: dict[tuple[DocumentKind, date | str | None], DocumentReading] = {}
    for reading in sorted(readings, key=order):
        if reading.status is ReadStatus.READ:
            latest[_slot(reading, kept)] = reading
    newest = max(batch_of.values(), default=0)
    standing = {r.ref.sha256 for r in latest.values()
                if not (rescans and rescanned(r, readings, batch_of, borrower, kept,
                                              near_names_held))}

    def replaced(r: DocumentReading) -> bool:
        """Whether what came after the unreadable `r` replaces it: anything (before `kept`);
        since, a file of its name, a checklist document of a slot the file had nothing read
        in when `r` came (so the one `r` may have been), or a written answer to the question
        it came for."""
        came = batch(r)
        if not kept:
            return came != newest
        held = {_slot(o, kept) for o in readings if o.status is ReadStatus.READ
                and batch(o) <= came}
        return any(after < came <= up_to for after, up_to in answered or []) or any(
            batch(o) > came and (o.ref.filename == r.ref.filename or (
                o.status is ReadStatus.READ and o.kind in CHECKLIST_KINDS
                and _company(o, borrower, kept, near_names_held) is None
                and _slot(o, kept) not in held))
            for o in readings)

    return [r for r in readings
            if r.ref.sha256 in standing or (r.status is not ReadStatus.READ and not replaced(r))]


def rescanned(r: DocumentReading, readings: list[DocumentReading], batch_of: dict[str, int],
              borrower: str | None, kept: bool, near_names_held: bool = True) -> bool:
    """Whether `r`, a statement read without its period, was rescanned: a statement of its
    kind with its period read, not another company's, came in a later batch."""
    if r.statement is None or r.statement.period_end is not None:
        return False
    came = batch_of.get(r.ref.sha256, 0)
    return any(o.kind is r.kind and o.statement is not None
               and o.statement.period_end is not None
               and batch_of.get(o.ref.sha256, 0) > came
               and _company(o, borrower, kept, near_names_held) is None
               for o in readings if o.status is ReadStatus.READ)


def replaced_by(r: DocumentReading, standing: list[DocumentReading], batch_of: dict[str, int],
                *, kept: bool = False) -> DocumentReading | None:
    """The reading of the loan file (`standing`) that replaced `r`, one read that no longer
    stands: the latest of its slot (a later scan, the borrower's own), else for a statement of
    an illegible period the later one of its kind that rescanned it; None when none did."""
    slot, came = _slot(r, kept), batch_of.get(r.ref.sha256, 0)
    return next((o for o in reversed(standing) if _slot(o, kept) == slot), None) or next(
        (o for o in standing if o.kind is r.kind and o.statement is not None and slot[1] is None
         and batch_of.get(o.ref.sha256, 0) > came), None)


def not_the_borrowers(readings: list[DocumentReading], standing: list[DocumentReading],
                      borrower: str, *, kept: bool = False,
                      near_names_held: bool = True) -> dict[str, str]:
    """Statements (with `kept`, licences) of another company than the borrower, by sha256:
    kept, counted nowhere, and what operations should do about each."""
    stands = {r.ref.sha256 for r in standing}
    marks = {}
    for r in readings:
        if (company := _company(r, borrower, kept, near_names_held)) is None:
            continue
        what = (f"the {LABELS[r.kind]}" if r.statement is None else
                f"the {LABELS[r.kind]} of {r.statement.period_end or 'an illegible period'}")
        marks[r.ref.sha256] = (
            f"{r.ref.filename} is {what} of {company}, not of the borrower {borrower}: kept, "
            + ("counted nowhere until the borrower's own comes; ask the borrower for it"
               if r.ref.sha256 in stands else
               "counted nowhere; the borrower's own stands")
        )
    return marks
