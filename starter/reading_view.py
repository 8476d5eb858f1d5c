"""What `status` shows of each document: what the OCR read, and what to check by eye."""

from __future__ import annotations

from decimal import Decimal

from journey.documents import (
    LOW_CONFIDENCE,
    UNITS,
    BusinessLicense,
    DocumentReading,
    FinancialStatement,
)
from journey.policy.completeness import (
    FIGURE_LABELS,
    FIGURE_NAMES,
    REQUIRED_FIGURES,
    company_not_the_borrower,
    unsure_company,
)
from journey.repayment import money

SUPPORTING_SHOWN = 200  # the characters of a supporting document's text `status` shows


def reading_text(r: DocumentReading, borrower: str) -> str:
    """What the OCR read that the file is checked on, for people to compare with the page:
    every field the file is checked on and every field a check note names, each with how
    sure the reader was ([0.95]), unsure ones marked "low: check against the paper"."""
    if r.license:
        lic = r.license
        if not lic.name and not lic.credit_code:
            return "the licence could not be read: rescan it"
        names = ["name", "credit_code", "valid_until", *lic.problems, *lic.low_confidence()]
        return "; ".join(_field(lic, n) for n in dict.fromkeys(names) if n in LICENCE_LABELS)
    if r.statement:
        st = r.statement
        company = ("company unread: check against the paper" if not st.company
                   else f"company {st.company}" + _sure(st, "company")
                   + (": close to the borrower's name, unsure: check against the paper"
                      if unsure_company(st, borrower) else ""))
        named = [*REQUIRED_FIGURES.get(st.kind, ()), *st.problems, *st.low_confidence(),
                 *st.corrected, *st.checked]
        figures = [_field(st, n) + (_on_paper(st, n) if n in st.problems or n in st.corrected
                                    else "")
                   for n in dict.fromkeys(named) if n in FIGURE_NAMES.get(st.kind, ())]
        period = f"period {st.period_end or 'unread'}" + _sure(st, "period_end")
        return "; ".join(p for p in [company, period, _unit_text(st), *figures] if p)
    if r.supporting:  # the whole text is in --json
        text = " / ".join(r.supporting.text.splitlines())
        other = company_not_the_borrower(r.supporting.text, borrower)
        return f"supporting document: {text[:SUPPORTING_SHOWN]}" + (
            " …" if len(text) > SUPPORTING_SHOWN else "") + (
            f"; names {other}, not the borrower: check whose it is" if other else "")
    return r.reason or ""


LICENCE_LABELS = {"name": "name", "credit_code": "credit code", "valid_until": "term to"}


def _field(read: BusinessLicense | FinancialStatement, name: str) -> str:
    """One field as read, labelled, with how sure the reader was."""
    value = getattr(read, name)
    label = LICENCE_LABELS.get(name) or FIGURE_LABELS.get(name, name).split(" (")[0]
    if name == "valid_until" and value is None:
        return "term " + ("unread" if "term" in read.problems else "长期 (no end)")
    shown = "unread" if value is None else money(value) if isinstance(value, Decimal) else value
    return f"{label} {shown}{_sure(read, name)}"


def _sure(read: BusinessLicense | FinancialStatement, name: str) -> str:
    """How sure the reader was of a field: [corrected], [checked as read] (against the paper,
    by a clerk), [0.95], [0.00 low: check against the paper]; nothing when the reading does
    not say."""
    if name in read.corrected:
        return " [corrected]"
    if name in read.checked:
        return " [checked as read]"
    conf = read.confidence.get(name)
    if conf is None:
        return ""
    return f" [{conf:.2f}" + (" low: check against the paper]" if conf < LOW_CONFIDENCE else "]")


def _unit_text(st: FinancialStatement) -> str:
    """The unit the figures are shown in, yuan, and the one the paper printed them in when
    another: "figures in yuan, converted from the paper's 千元"."""
    sure = _sure(st, "unit")
    if "unit" in st.problems:
        return f"unit not printed (read as 元){sure}"
    if st.unit is None or st.unit == 1:
        return f"figures in yuan, as printed{sure}" if st.unit else ""
    return f"figures in yuan, converted from the paper's {_unit_name(st.unit)}{sure}"


def _on_paper(st: FinancialStatement, name: str) -> str:
    """A figure as the paper prints it, in its unit, for a clerk to compare with the paper
    (" (paper 1,035,275.42 千元)"); nothing for a statement printed in yuan."""
    value = getattr(st, name)
    if value is None or st.unit is None or st.unit == 1:
        return ""
    return f" (paper {value / st.unit:,} {_unit_name(st.unit)})"


def _unit_name(unit: Decimal) -> str:
    return next((name for name, u in UNITS.items() if u == unit), f"{unit:,} yuan")


def reading_check(r: DocumentReading) -> str:
    """What to check by eye: fields read with low confidence, the reader's notes, and what a
    clerk corrected or checked as read against the paper."""
    read = r.license or r.statement or r.supporting
    if read is None:
        return ""
    low = read.low_confidence()
    notes = [f"{field}: {problem}" for field, problem in read.problems.items()]
    fixed = [f"{field} {note}" for field, note in read.corrected.items()]
    checked = [f"{field} {note}" for field, note in read.checked.items()]
    return "; ".join(([f"low confidence: {', '.join(low)}"] if low else []) + notes + fixed
                     + checked)
