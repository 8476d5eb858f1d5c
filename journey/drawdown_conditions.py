"""Conditions precedent of a drawdown, checked and explained; the plan on what was drawn.

Documents. The OCR reads business licences and financial statements only. A supporting
document declared as one of those kinds must read as that kind. Permits, progress reports,
insurance policies, proof of capital and the like are stored by reference: the check is that
a document with the declared label was sent and that the store holds it (reading it through
the document activity proves that); what it says is for the risk officer to judge.

Figures. The projected DSCR is the newest income statement's operating profit for a year, over
the debt service of the first full year of amortisation, on everything drawn so far plus the
request, under the offer's rate and method. The statement and its year are the review's
(`annual_profit`, journey/post_loan_dscr.py): the newest on file by period end with at least
three months of the fiscal year, its year-to-date profit annualised; the basis names it, its
period and the year's figure. Before the marker in workflows/drawdowns.py the latest
statement's profit was taken as a year's, whatever its period.
"""

from __future__ import annotations

from datetime import UTC, date, tzinfo
from decimal import ROUND_FLOOR, Decimal

from pydantic import BaseModel, Field

from journey.documents import DocumentKind, DocumentReading, ReadStatus
from journey.drawdowns import (
    Check,
    ConditionResult,
    DrawdownPlan,
    DrawdownRecord,
    DrawdownRequest,
    DrawdownState,
    Tranche,
)
from journey.post_loan_dscr import annual_profit
from journey.repayment import (
    Frequency,
    Instalment,
    RepaymentMethod,
    add_months,
    build_schedule,
    cents,
    with_interest_before,
)

_OCR_KINDS = {k.value for k in DocumentKind
              if k not in (DocumentKind.UNKNOWN, DocumentKind.OTHER)}
PLACES = Decimal("0.01")
HALF_PLACE = Decimal("0.005")  # how far a DSCR rounded to PLACES may be above its value
SMALLER_STEP = Decimal("10000")  # a smaller drawdown offered in whole 10,000s
ZERO = Decimal("0.00")


class DocumentCheck(BaseModel):
    label: str
    sha256: str
    filename: str
    ok: bool
    problem: str | None = None


class DrawdownFacts(BaseModel):
    """What the checks on the figures read, computed when the request is checked."""

    dscr: Decimal | None = None
    dscr_basis: str = ""
    principal: Decimal | None = None  # what the DSCR is projected on: drawn plus the request
    defaults: list[str] = Field(default_factory=list)  # events of default, described
    documents: list[DocumentCheck] = Field(default_factory=list)


class RepaymentTerms(BaseModel):
    """The offer's terms the repayment plan is rebuilt with."""

    annual_rate: Decimal
    method: RepaymentMethod
    frequency: Frequency
    term_months: int  # the whole tenor, availability period included


def check_document(label: str, reading: DocumentReading | None, error: str | None
                   ) -> DocumentCheck:
    """One supporting document: `reading` from the document activity, or its `error`."""
    sha = reading.ref.sha256 if reading else ""
    name = reading.ref.filename if reading else ""
    if reading is None:
        return DocumentCheck(label=label, sha256=sha, filename=name, ok=False,
                             problem=error or "not read")
    if reading.status is ReadStatus.MISSING:
        return DocumentCheck(label=label, sha256=sha, filename=name, ok=False,
                             problem=reading.reason or "not in the store")
    if label in _OCR_KINDS and (reading.status is not ReadStatus.READ or reading.kind != label):
        seen = reading.kind.value if reading.status is ReadStatus.READ else "unreadable"
        why = f" ({reading.reason})" if reading.reason else ""
        return DocumentCheck(label=label, sha256=sha, filename=name, ok=False,
                             problem=f"declared {label} but read as {seen}{why}")
    return DocumentCheck(label=label, sha256=sha, filename=name, ok=True)


def evaluate_conditions(plan: DrawdownPlan, tranche: Tranche, request: DrawdownRequest,
                        facts: DrawdownFacts) -> list[ConditionResult]:
    """Every condition precedent of `tranche`, met or not, with the reason in words."""
    results = [_document(label, facts) for label in tranche.documents]
    results += [_check(check, facts, request) for check in tranche.checks]
    return results


def _document(label: str, facts: DrawdownFacts) -> ConditionResult:
    sent = [d for d in facts.documents if d.label == label]
    good = [d for d in sent if d.ok]
    if good:
        note = "" if label in _OCR_KINDS else " (stored by reference; content for the officer)"
        return ConditionResult(condition=f"document {label}", met=True,
                               explanation=f"{label}: {good[0].filename} received{note}")
    if sent:
        problems = "; ".join(f"{d.filename or d.sha256[:12]}: {d.problem}" for d in sent)
        return ConditionResult(condition=f"document {label}", met=False,
                               explanation=f"{label} not acceptable ({problems}): send it again")
    return ConditionResult(condition=f"document {label}", met=False,
                           explanation=f"{label} missing: attach it labelled {label!r}")


def _check(check: Check, facts: DrawdownFacts, request: DrawdownRequest) -> ConditionResult:
    if check.kind == "min_dscr":
        floor, name = check.floor, check.describe()
        if facts.dscr is None:
            return ConditionResult(condition=name, met=False,
                                   explanation=f"DSCR unknown ({facts.dscr_basis}): send the "
                                   "latest income statement")
        met = facts.dscr >= floor
        verb = "meets" if met else "is below"
        explanation = f"projected DSCR {facts.dscr} {verb} {floor} ({facts.dscr_basis})"
        if not met:
            explanation += _to_cover(facts, floor, request)
        return ConditionResult(condition=name, met=met, explanation=explanation)
    if facts.defaults:
        return ConditionResult(condition="no_event_of_default", met=False,
                               explanation="event of default: " + "; ".join(facts.defaults))
    return ConditionResult(condition="no_event_of_default", met=True,
                           explanation="no event of default: no arrears, no early warning")


def _to_cover(facts: DrawdownFacts, floor: Decimal, request: DrawdownRequest) -> str:
    """What a drawdown whose projected DSCR is below `floor` can do: send the borrower's newer
    income statement with it, which the DSCR is projected from; or ask for a
    `smaller_drawdown`."""
    advice = (": send the borrower's newer income statement with the request "
              "(income_statement=PATH), from which the DSCR is projected")
    smaller = smaller_drawdown(facts, floor, request)
    if smaller is None:
        return advice
    return f"{advice}, or ask for {smaller:,.2f} or less, which projects at least {floor}"


def smaller_drawdown(facts: DrawdownFacts, floor: Decimal, request: DrawdownRequest
                     ) -> Decimal | None:
    """The most a drawdown may ask for to project `floor`, when smaller than `request` would
    (the debt service is in proportion to the principal): on the DSCR's lowest value before
    its rounding, in whole 10,000s; None when none would."""
    if facts.dscr is None or facts.principal is None or facts.dscr <= 0:
        return None
    drawn = facts.principal - request.amount
    most = (facts.dscr - HALF_PLACE) * facts.principal / floor - drawn
    smaller = (most / SMALLER_STEP).to_integral_value(ROUND_FLOOR) * SMALLER_STEP
    return smaller if smaller > 0 else None


# -- the figures and the repayment plan ------------------------------------------------------


def repayment_plan(plan: DrawdownPlan, terms: RepaymentTerms, drawn: Decimal, start: date,
                   unused_months: int = 0, accrued: Decimal = ZERO) -> list[Instalment]:
    """The plan on what was drawn, from `start` (drawdowns closed) over the tenor left: the
    tenor less the availability period, plus the whole periods of it that closing early left
    unused (`unused_months`), so that the loan ends with its tenor, not sooner; interest only
    during the grace months. `accrued`, the interest the drawdowns earned before `start`, is
    due with the first instalment."""
    unused = unused_months // terms.frequency.months * terms.frequency.months
    term = _term(plan, terms, unused)
    grace = plan.grace_months if plan.grace_months < term else 0
    schedule = build_schedule(principal=drawn, annual_rate=terms.annual_rate, term_months=term,
                              method=terms.method, frequency=_frequency(plan, terms, unused),
                              start=start, grace_months=grace)
    return with_interest_before(schedule, accrued)


def unused_months(closed: date, available_until: date) -> int:
    """Whole months of the availability period left when drawdowns closed on `closed`."""
    months = 0
    while add_months(closed, months + 1) <= available_until:
        months += 1
    return months


def availability_interest(records: list[DrawdownRecord], annual_rate: Decimal, closed: date,
                          zone: tzinfo = UTC, since: date = date.min) -> Decimal:
    """What the booked drawdowns earned from each booking day (or `since`, when later) to
    `closed`, by days over 360 as all interest to the day (journey/arrears.py), each
    drawdown's figure in cents. The days by the journey's clock in `zone`, the loan's, as
    `closed` and every due date are (the ledger's agrees to the second)."""
    return sum((cents(e) for e in earned(records, annual_rate, closed, zone, since)), ZERO)


def earned(records: list[DrawdownRecord], annual_rate: Decimal, closed: date,
           zone: tzinfo = UTC, since: date = date.min) -> list[Decimal]:
    """What each booked drawdown earned (`availability_interest`), exact: not yet in cents,
    so that a figure made of several is rounded once."""
    return [r.request.amount * annual_rate
            * max(0, (closed - max(since, r.settled_at.astimezone(zone).date())).days) / 360
            for r in records if r.state is DrawdownState.BOOKED and r.settled_at]


def _term(plan: DrawdownPlan, terms: RepaymentTerms, unused: int = 0) -> int:
    return max(1, terms.term_months - plan.availability_months + unused)


def _frequency(plan: DrawdownPlan, terms: RepaymentTerms, unused: int = 0) -> Frequency:
    """The offer's frequency, or monthly when the term left or the grace does not divide."""
    months = terms.frequency.months
    if _term(plan, terms, unused) % months or plan.grace_months % months:
        return Frequency.MONTHLY
    return terms.frequency


def projected_dscr(readings: list[DocumentReading], plan: DrawdownPlan, terms: RepaymentTerms,
                   principal: Decimal, today: date, annualised: bool = True
                   ) -> tuple[Decimal | None, str]:
    """DSCR and how it was computed (see the module docstring); not `annualised`, on the
    latest statement's profit as it stands (before the marker)."""
    incomes = [r for r in readings if r.status is ReadStatus.READ and r.statement
               and r.statement.kind is DocumentKind.INCOME_STATEMENT]
    if annualised:
        found = annual_profit([r.statement for r in incomes if r.statement])
        if isinstance(found, str):
            return None, found
        profit = found.annualised
        said = f"the newest income statement, {incomes[found.index].ref.filename}: {found.text()}"
    else:
        latest = max((r.statement for r in incomes if r.statement),
                     key=lambda s: s.period_end or date.min, default=None)
        if latest is None or latest.operating_profit is None:
            return None, "no income statement with an operating profit on file"
        profit, said = latest.operating_profit, f"operating profit {latest.operating_profit:,.2f}"
    schedule = repayment_plan(plan, terms, principal, today)
    amortising = [i for i in schedule if i.principal > 0]
    per_year = 12 // _frequency(plan, terms).months
    service = sum((i.payment for i in amortising[:per_year]), Decimal("0.00"))
    if service <= 0:
        return None, "no debt service to cover"
    basis = f"{said} / first amortising year's debt service {service:,.2f} on {principal:,.2f}"
    return (profit / service).quantize(PLACES), basis
