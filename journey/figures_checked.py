"""The bank's OCR control: a field the credit decision uses that the reader was unsure of is
checked against the paper by a person before the risk review.

Such a field, read below LOW_CONFIDENCE or flagged with a problem, and neither corrected nor
checked, holds the case at documents on operations (workflows/reading_corrections.py). A clerk
corrects it (journey/reading_corrections.py), or checks it as read (`checked_as_read`): recorded
who, when, and the reader's note settled. A field not read at all that the completeness check
asks the customer for (a required figure, the period, the licence's name, code or term) is the
customer's to send again, not operations' to check.

Pure: the journey asks `to_check` of its loan file; its validator tries `checked_as_read`; a
rescan read takes `checks_carried`.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from journey.documents import (
    LOW_CONFIDENCE,
    BusinessLicense,
    DocumentKind,
    DocumentReading,
    FinancialStatement,
    ReadStatus,
)
from journey.policy.completeness import FIGURE_LABELS, REQUIRED_FIGURES
from journey.policy.errors import DecisionRefused
from journey.reading_corrections import scanned_before
from journey.repayment import money

# what a decision reads of a licence: its name, credit code and term ("term", as the reader
# keys it; its value is `valid_until`)
LICENCE_DECIDING = ("name", "credit_code", "term")
# what a decision reads of a statement besides its figures
STATEMENT_DECIDING = ("company", "period_end", "unit")
# the figures the checks read: the required ones, the ratios' (current ratio) and the DSCR's
# (operating profit), for the routing rules, the covenants and the drawdown conditions
DECIDING_FIGURES = {
    DocumentKind.BALANCE_SHEET: (*REQUIRED_FIGURES[DocumentKind.BALANCE_SHEET],
                                 "current_assets", "current_liabilities"),
    DocumentKind.INCOME_STATEMENT: (*REQUIRED_FIGURES[DocumentKind.INCOME_STATEMENT],
                                    "operating_profit"),
}
# unread fields the completeness check asks the customer to send again
_CUSTOMERS = ("name", "credit_code", "term", "period_end",
              *(f for kind in REQUIRED_FIGURES.values() for f in kind))
AS_READ = "checked against the paper: as read"


class FigureToCheck(BaseModel):
    """A field a decision uses that the reader was unsure of, unchecked."""

    document: str  # sha256
    filename: str
    kind: DocumentKind
    field: str
    shown: str  # as read ("737,035.97", "unread")
    why: str  # how unsure ("read at 0.00", the reader's note)

    def text(self) -> str:
        return f"{self.filename} {self.field.replace('_', ' ')} {self.shown} ({self.why})"

    def listed(self) -> str:
        """The field as a work list in a search attribute names it ("balance sheet
        3f2a1b4c5d6e total liabilities"): the document by its kind and the first 12 hex of its
        sha256, as `status` and `scans get` show it, never by its file name (the customer's
        text: it may carry a name or an ID number) nor with what was read (a figure)."""
        return (f"{self.kind.replace('_', ' ')} {self.document[:12]} "
                f"{self.field.replace('_', ' ')}")


def deciding(kind: DocumentKind) -> tuple[str, ...]:
    """The fields of a document of `kind` a decision uses."""
    if kind is DocumentKind.BUSINESS_LICENSE:
        return LICENCE_DECIDING
    return (*STATEMENT_DECIDING, *DECIDING_FIGURES.get(kind, ()))


def to_check(readings: list[DocumentReading]) -> list[FigureToCheck]:
    """The fields of `readings` (the loan file) a decision uses, read unsure and unchecked."""
    out = []
    for r in readings:
        read = r.license or r.statement
        if read is None:
            continue
        for name in deciding(r.kind):
            why = _unsure(read, name)
            if why:
                out.append(FigureToCheck(document=r.ref.sha256, filename=r.ref.filename,
                                         kind=r.kind, field=name, shown=shown(read, name), why=why))
    return out


def to_check_text(figures: list[FigureToCheck], *, listed: bool = False) -> str:
    """"2 figures to check against the paper: a.png total assets ...; ...", for `status`;
    `listed`, as the QueueWait search attribute says it for the work lists (`queue`), which no
    codec encrypts: "...: balance sheet 3f2a1b4c5d6e total assets; ..." (`FigureToCheck.listed`)."""
    return (f"{len(figures)} figure{'s' if len(figures) != 1 else ''} to check against the "
            f"paper: " + "; ".join(f.listed() if listed else f.text() for f in figures))


def checked_as_read(reading: DocumentReading, field: str, by: str, at: datetime,
                    reason: str = "") -> tuple[DocumentReading, str]:
    """`reading` with `field` checked against the paper as read by `by` (sure from now on, the
    reader's note on it settled but a unit's, the check noted in `checked`), and in words what
    was checked;
    refused when the field is none a decision uses, or needs no check."""
    read = reading.license or reading.statement
    assert read is not None, "document_of gives only read documents"
    fields = deciding(reading.kind)
    if field not in fields:
        raise DecisionRefused(
            f"{reading.ref.filename} is a {reading.kind}: the fields a decision uses are "
            f"{', '.join(fields)}, not {field!r}")
    if field in read.corrected or field in read.checked:
        raise DecisionRefused(
            f"{reading.ref.filename} {field} was checked already: "
            + (read.corrected.get(field) or read.checked[field]))
    why = _unsure(read, field)
    if not why:
        raise DecisionRefused(
            f"{reading.ref.filename} {field} was read sure ({shown(read, field)}): nothing to "
            "check; correct it if the paper says otherwise")
    said = f"{field} {shown(read, field)} ({why})"
    note = (f"{AS_READ} by {by} at {at:%Y-%m-%d %H:%M} UTC" + (f" ({reason})" if reason else ""))
    return _settled(reading, {field: note}), f"{reading.ref.filename} {said}"


def checks_carried(reading: DocumentReading, earlier: list[DocumentReading]
                   ) -> tuple[DocumentReading, str]:
    """`reading`, a rescan of a document whose last reading in `earlier` a clerk checked
    against the paper (fields checked as read, or corrected), with each check carried (noted
    "carried from <file>") where the rescan reads the field unsure at the value the clerk
    checked (a correction's: the rescan read what the paper says); and in words for operations
    what was carried and what reads otherwise, to check again ("" when no check was wanted).
    A correction the rescan reads otherwise is carried as a correction
    (journey/reading_corrections.py `carried`), before this."""
    new = reading.license or reading.statement
    if reading.status is not ReadStatus.READ or new is None:
        return reading, ""
    was = scanned_before(reading, earlier, "checked", "corrected")
    if was is None:
        return reading, ""
    old = was.license or was.statement
    assert old is not None, "scanned_before gives only read documents"
    vouched = {**old.corrected, **old.checked}  # a field is either, not both
    unsure = [f for f in vouched if f in deciding(reading.kind) and _unsure(new, f)]
    same = [f for f in unsure if _value(new, f) == _value(old, f)]
    if not unsure:
        return reading, ""
    fixed = _settled(reading, {f: f"carried from {was.ref.filename}: {vouched[f]}"
                               for f in same})
    other = [f"{f} {shown(new, f)} (checked at {shown(old, f)})" for f in unsure if f not in same]
    said = [*([f"takes its checks against the paper where it reads the same: "
               f"{', '.join(f'{f} {shown(new, f)}' for f in same)}"] if same else []),
            *([f"reads otherwise, to check against the paper again: {', '.join(other)}"]
              if other else [])]
    return fixed, f"{reading.ref.filename} is a rescan of {was.ref.filename}: {'; '.join(said)}"


def _settled(reading: DocumentReading, notes: dict[str, str]) -> DocumentReading:
    """`reading` with the fields of `notes` checked against the paper as read (each noted so
    in `checked`): sure from now on, the reader's note on each settled but a unit's."""
    read = reading.license or reading.statement
    assert read is not None, "only read documents are checked"
    fixed = read.model_copy(update={
        # the unit's note stays: the completeness check weighs the scale of a statement read
        # without one (a clerk who finds 元 printed corrects the unit to 元)
        "problems": {k: v for k, v in read.problems.items() if k not in notes or k == "unit"},
        "confidence": {**read.confidence, **dict.fromkeys(notes, 1.0)},
        "checked": {**read.checked, **notes},
    })
    part = "license" if reading.license is not None else "statement"
    return reading.model_copy(update={part: fixed})


def shown(read: BusinessLicense | FinancialStatement, field: str) -> str:
    """A field as read, for people."""
    if field == "term":
        value = getattr(read, "valid_until", None)
        return str(value) if value is not None else "长期 (no end)"
    if field == "unit":
        unit = getattr(read, "unit", None)
        return "元 (none printed)" if "unit" in read.problems else f"{unit or 1:,} yuan a unit"
    value = getattr(read, field)
    if value is None:
        return "unread"
    return money(value) if field in FIGURE_LABELS else str(value)


def _unsure(read: BusinessLicense | FinancialStatement, field: str) -> str:
    """How the reader was unsure of `field` ("read at 0.00", its note), or "" when it was
    sure, a person checked or corrected it, or it is the customer's to send again."""
    if field in read.corrected or field in read.checked:
        return ""
    value = _value(read, field)
    if field == "term" and value is None and "term" in read.problems:
        return ""  # printed, not legible: the customer sends a clearer copy
    if value is None and field in _CUSTOMERS and field != "term":
        return ""
    conf = read.confidence.get(field)
    if field in read.problems:
        return read.problems[field]
    if conf is not None and conf < LOW_CONFIDENCE:
        return f"read at {conf:.2f}"
    return ""


def _value(read: BusinessLicense | FinancialStatement, field: str) -> object:
    """What the reader read of `field` ("term": the licence's last day)."""
    return getattr(read, "valid_until" if field == "term" else field, None)
