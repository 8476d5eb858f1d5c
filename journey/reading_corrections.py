"""A clerk's correction of what OCR read, typed against the paper: which fields of which
document may be corrected, and the reading a correction leaves.

Pure: the journey's validator tries a correction so that a bad one is refused before the
history, its handler applies it, and the completeness check then reads the corrected
reading. A corrected field is sure (confidence 1.0), its reader's note gone, and
`corrected` says what was read, what the paper says, who typed it and when.

A rescan of a corrected document (same kind; a statement of the same period and company) takes
its corrections (`carried`): they are what the paper says, and the rescan would otherwise
bring the same misreads back.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from pydantic import BaseModel, Field

from journey import credit_code
from journey.actors import Actor
from journey.documents import (
    UNIT_ASSUMED,
    UNIT_ASSUMED_SHARE,
    UNITS,
    DocumentKind,
    DocumentReading,
    FieldCorrection,
    ReadStatus,
)
from journey.policy.completeness import FIGURE_NAMES, same_name
from journey.policy.errors import DecisionRefused
from journey.repayment import money

# what else may be corrected: the name, code and registered capital (in yuan: OCR may misread
# a numeral's digit as another's look-alike) a licence prints, a statement's company, the unit it
# prints its figures in (元, 千元, 万元 ...) and the last day of its period
LICENCE_FIELDS = ("name", "credit_code", "registered_capital")
STATEMENT_FIELDS = ("company", "unit", "period_end")
# the figures a unit correction says it moved, those the statement has
KEY_FIGURES = ("total_assets", "total_liabilities", "total_equity", "revenue", "net_profit")


class ReadingCorrection(BaseModel):
    """What the paper says where OCR read otherwise: `document` its sha256 (or the first 8+
    characters `status` shows), `field` as `status` names it, `value` as printed."""

    actor: Actor
    document: str = Field(min_length=8, max_length=64, pattern=r"^[0-9a-f]+$")
    field: str = Field(min_length=1, max_length=40)
    # none when `as_read`
    value: str = Field(default="", max_length=200)
    reason: str = Field(default="", max_length=500)
    # a unit that leaves the statement's figures implausible for the loan, or a figure that
    # makes the statement contradict itself, taken all the same (journey/correction_checks.py):
    # the clerk checked it against the paper
    confirmed: bool = False
    # the clerk checked the field against the paper and it says what was read: nothing typed
    # (journey/figures_checked.py)
    as_read: bool = False

    def refuse_unless_one(self) -> None:
        """Refused unless it gives a value or is `as_read`, not both."""
        if self.as_read == bool(self.value.strip()):
            raise DecisionRefused("give the value as the paper prints it (--value), or "
                                  "--as-read when the paper says what was read: one of them")


def correctable(kind: DocumentKind) -> tuple[str, ...]:
    """The fields of a document of `kind` a clerk may correct."""
    if kind is DocumentKind.BUSINESS_LICENSE:
        return LICENCE_FIELDS
    return (*STATEMENT_FIELDS, *FIGURE_NAMES.get(kind, ()))


def document_of(readings: list[DocumentReading], document: str) -> DocumentReading:
    """The read document `document` names (its sha256 or a prefix of it)."""
    found = [r for r in readings if r.ref.sha256.startswith(document)]
    if len(found) != 1:
        known = ", ".join(f"{r.ref.sha256[:12]} ({r.ref.filename})" for r in readings)
        raise DecisionRefused(
            (f"no document of this journey is {document}" if not found else
             f"{document} names {len(found)} documents: give more of its sha256")
            + f" (its documents: {known or 'none read yet'})")
    reading = found[0]
    if reading.status is not ReadStatus.READ or (reading.license or reading.statement) is None:
        raise DecisionRefused(
            f"{reading.ref.filename} could not be read ({reading.status}): there is no reading "
            "to correct; ask the customer to rescan it")
    return reading


def corrected(reading: DocumentReading, fix: ReadingCorrection, at: datetime
              ) -> tuple[DocumentReading, str]:
    """The reading with `fix` applied, and in words what the field read before and what it
    reads now ("read 19,468,600.00, the paper says 2,206.35, taken as 22,063,500.00" on a
    statement in 万元); refused (with what may be corrected) when the field is not one of the
    document's or the value does not parse."""
    fields = correctable(reading.kind)
    if fix.field not in fields:
        raise DecisionRefused(
            f"{reading.ref.filename} is a {reading.kind}: its fields to correct are "
            f"{', '.join(fields)}, not {fix.field!r}")
    read = reading.license or reading.statement
    assert read is not None, "document_of gives only read documents"
    typed = fix.value.strip()
    changes = _changes(read, fix.field, typed)
    assumed = fix.field == "unit" and "unit" in read.problems  # 元 from the paper is news
    now = _shown(changes[fix.field], fix.field)
    was = _shown(None if assumed else getattr(read, fix.field), fix.field)
    earlier = in_force(reading, fix.field)
    if changes[fix.field] == getattr(read, fix.field) and not assumed:
        raise DecisionRefused(
            f"{reading.ref.filename} {fix.field} reads {was} already"
            + (f", as {earlier.by} corrected it" if earlier else "") + ": nothing to correct")
    said = (f"read {earlier.read}, corrected by {earlier.by} to {was}" if earlier
            else f"read {was}") + f", the paper says {typed}" + (
        f", taken as {now}" if now != typed else "")
    note = (f"{said}: corrected against the paper by {fix.actor.id} at {at:%Y-%m-%d %H:%M} "
            "UTC" + (f", overriding {earlier.by}'s correction" if earlier else "")
            + (f" ({fix.reason})" if fix.reason else ""))
    problems = {k: v for k, v in read.problems.items()
                if k != fix.field and not (k == "balances" and fix.field in _BALANCE)}
    confidence = {**read.confidence, fix.field: 1.0}
    if fix.field == "unit":
        problems, confidence = _unit_known(problems, confidence)
    fixed = read.model_copy(update={
        **changes, "problems": problems, "confidence": confidence,
        "corrected": {**read.corrected, fix.field: note},
        "corrections": {**read.corrections, fix.field: FieldCorrection(
            by=fix.actor.id, value=now, read=earlier.read if earlier else was)},
    })
    part = "license" if reading.license is not None else "statement"
    return reading.model_copy(update={part: fixed}), said


def in_force(reading: DocumentReading, field: str) -> FieldCorrection | None:
    """The clerk's correction of `field` in force on `reading`, or None when OCR's reading
    stands; one noted before corrections were kept is read from its note ("read 703,196.15,
    the paper says ...: corrected against the paper by ops-wang at ...")."""
    read = reading.license or reading.statement
    if read is None or field not in read.corrected:
        return None
    if field in read.corrections:
        return read.corrections[field]
    note = read.corrected[field]
    return FieldCorrection(by=note.partition(" by ")[2].partition(" at ")[0] or "a clerk",
                           value=_shown(getattr(read, field), field),
                           read=note.partition("read ")[2].partition(", the paper says")[0])


def figures_moved(before: DocumentReading, after: DocumentReading) -> str:
    """What a unit correction made of the statement's key figures, as it had them
    ("total assets 99,243,700.84 → 992,437,008,400.00, ...")."""
    was, now = before.statement, after.statement
    if was is None or now is None:
        return ""
    return ", ".join(f"{f.replace('_', ' ')} {money(v)} → {money(getattr(now, f))}"
                     for f in KEY_FIGURES if (v := getattr(was, f)) is not None)


def carried(reading: DocumentReading, earlier: list[DocumentReading]
            ) -> tuple[DocumentReading, str]:
    """`reading` with the corrections of the last corrected reading in `earlier` of the same
    document carried to it (each field noted "carried from <file>"), and in words what was
    carried for operations ("" when nothing was)."""
    new = reading.license or reading.statement
    if reading.status is not ReadStatus.READ or new is None:
        return reading, ""
    was = scanned_before(reading, earlier, "corrected")
    if was is None:
        return reading, ""
    old = was.license or was.statement
    assert old is not None, "_rescan_of gives only read documents"
    fields = [f for f in old.corrected if getattr(new, f) != getattr(old, f)
              or f == "unit" and "unit" in new.problems]  # 元 the paper says, read assumed
    if not fields:
        return reading, ""
    changes = (_changes(new, "unit", _shown(getattr(old, "unit", None), "unit"))
               if "unit" in fields else {})
    changes.update({f: getattr(old, f) for f in fields if f != "unit"})
    if "credit_code" in fields:
        changes["credit_code_valid"] = True
    if any(f in _BALANCE for f in fields):
        changes["balances"] = None
    problems = {k: v for k, v in new.problems.items() if k not in fields and not (
        k == "balances" and any(f in _BALANCE for f in fields))}
    confidence = {**new.confidence, **dict.fromkeys(fields, 1.0)}
    if "unit" in fields:
        problems, confidence = _unit_known(problems, confidence)
    fixed = new.model_copy(update={
        **changes, "problems": problems, "confidence": confidence,
        "corrected": {**new.corrected, **{
            f: f"carried from {was.ref.filename}: {old.corrected[f]}" for f in fields}},
        "corrections": {**new.corrections, **{
            f: old.corrections[f] for f in fields if f in old.corrections}},
    })
    part = "license" if reading.license is not None else "statement"
    said = (f"{reading.ref.filename} is a rescan of {was.ref.filename}, whose corrections it "
            f"takes: " + ", ".join(f"{f} {_shown(getattr(old, f), f)}" for f in fields)
            + "; if the rescan prints other figures (a restated statement), correct them again")
    return reading.model_copy(update={part: fixed}), said


def scanned_before(rescan: DocumentReading, earlier: list[DocumentReading], *noted: str
                   ) -> DocumentReading | None:
    """The last reading in `earlier` that `rescan` is a scan of again (`_rescan_of`) with
    fields a clerk `noted` ("corrected", "checked": either), or None."""
    return next((r for r in reversed(earlier) if _rescan_of(r, rescan)
                 and any(getattr(r.license or r.statement, n) for n in noted)), None)


def _rescan_of(earlier: DocumentReading, rescan: DocumentReading) -> bool:
    """Whether `rescan` is the read `earlier` again: same kind; for a statement the same
    period and company (the rescan's company unread, or the company corrected, counts)."""
    old, new = earlier.statement, rescan.statement
    if earlier.kind is not rescan.kind or (earlier.license or old) is None:
        return False
    if old is None or new is None:
        return earlier.license is not None and rescan.license is not None
    return old.period_end == new.period_end and (
        not new.company or "company" in old.corrected
        or same_name(new.company, old.company or ""))


_BALANCE = ("total_assets", "total_liabilities", "total_equity", "unit")


def _unit_known(problems: dict[str, str], confidence: dict[str, float]
                ) -> tuple[dict[str, str], dict[str, float]]:
    """The problems and confidence of a statement's figures once its unit is taken from the
    paper: a figure OCR doubted for the unit it assumed (UNIT_ASSUMED) is as sure as its
    digits were read, its other notes kept."""
    doubted = {f: why.removesuffix(UNIT_ASSUMED).removesuffix("; ")
               for f, why in problems.items() if why.endswith(UNIT_ASSUMED)}
    kept = {f: doubted.get(f, why) for f, why in problems.items()}
    return ({f: why for f, why in kept.items() if why},
            {**confidence, **{f: confidence[f] / UNIT_ASSUMED_SHARE for f in doubted
                              if f in confidence}})


def _changes(read: object, field: str, value: str) -> dict[str, object]:
    if field == "unit":
        unit = UNITS.get(value)
        if unit is None:
            raise DecisionRefused(f"{value!r} is not a unit a statement prints: one of "
                                  f"{', '.join(UNITS)}")
        was = getattr(read, "unit", None) or Decimal(1)
        scaled = {f: v * unit / was for kind in FIGURE_NAMES.values() for f in kind
                  if (v := getattr(read, f)) is not None}
        return {"unit": unit, **scaled, "balances": None}
    if field in ("name", "credit_code", "company"):
        if field == "credit_code":
            code = value.upper()
            if not credit_code.is_valid(code):
                raise DecisionRefused(f"{value} fails the credit code's checksum: check each "
                                      "of its 18 characters on the paper")
            return {"credit_code": code, "credit_code_valid": True}
        return {field: value}
    if field == "period_end":
        try:
            return {field: date.fromisoformat(value)}
        except ValueError:
            raise DecisionRefused(f"{value!r} is not a day: type the period's last day as "
                                  "the paper prints it, as YYYY-MM-DD (2025-12-31)") from None
    try:
        amount = Decimal(value.replace(",", ""))
    except InvalidOperation:
        amount = Decimal("NaN")
    if not amount.is_finite():
        if field == "registered_capital":
            raise DecisionRefused(f"{value!r} is not an amount: type the capital in yuan, in "
                                  "digits (250,000,000 for 贰亿伍仟万元整)")
        raise DecisionRefused(f"{value!r} is not an amount: type the figure as the paper prints "
                              "it, e.g. 22,063,500.00")
    # the figure as printed, in the statement's unit; a balance sheet is checked again
    amount *= getattr(read, "unit", None) or Decimal(1)
    return {field: amount, **({"balances": None} if field in _BALANCE else {})}


def _shown(value: object, field: str) -> str:
    if field == "unit":
        if value is None:
            return "no unit (taken as 元)"
        return next((name for name, u in UNITS.items() if u == value), str(value))
    if value is None:
        return "nothing"
    return money(value) if isinstance(value, Decimal) else str(value)
