"""A post-loan review: the statements that count, the ratios and covenants tested on them,
and the loan's judgement."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from journey.classification import RiskClass, classify
from journey.documents import DocumentReading, FinancialStatement, ReadStatus
from journey.policy.completeness import other_company
from journey.policy.ratios import RATIO_NAMES, compute_ratios
from journey.post_loan_covenants import Covenant, CovenantCheck, check_covenants
from journey.post_loan_dscr import dscr
from journey.repayment import Instalment
from journey.review_contracts import ReviewFacts, ReviewResult


def covenants_on_file(
    covenants: list[Covenant], readings: list[DocumentReading], plan: list[Instalment],
    disbursed_on: date | None, to_the_end: bool = True,
) -> tuple[dict[str, Decimal | None], dict[str, str], list[CovenantCheck]]:
    """The ratios of the latest statements read, how DSCR was computed (`to_the_end` as in
    journey/post_loan_dscr.py), and `covenants` checked against them: a review's test, and
    before disbursement the loan's terms tested on the file it is decided on."""
    statements = statements_read(readings)
    ratios = compute_ratios(statements)
    values: dict[str, Decimal | None] = {name: ratios.get(name) for name in RATIO_NAMES}
    cover = dscr(statements, plan, disbursed_on, to_the_end)
    values["dscr"] = cover.value
    notes = {"dscr": cover.reason}
    return values, notes, check_covenants(covenants, values, notes)


def statements_read(readings: list[DocumentReading]) -> list[FinancialStatement]:
    """The statements of the readings read: what ratios and covenants are tested on."""
    return [r.statement for r in readings
            if r.status is ReadStatus.READ and r.statement is not None]


def statements_that_count(
    readings: list[DocumentReading], borrower: str | None, today: date,
    near_names_held: bool = True,
) -> tuple[list[DocumentReading], list[str]]:
    """The readings a review tests, and why each of the others is left out: a statement of
    another company than the borrower (when known), or of a period that has not ended."""
    kept, left_out = [], []
    for r in readings:
        st = r.statement
        if (company := other_company(st, borrower, near_names_held=near_names_held)) is not None:
            left_out.append(f"{r.ref.filename} ({company}), not the borrower's")
        elif st is not None and st.period_end is not None and st.period_end > today:
            left_out.append(f"{r.ref.filename}, its period ends {st.period_end}, after the "
                            "review")
        else:
            kept.append(r)
    return kept, left_out


def assess_review(
    facts: ReviewFacts, readings: list[DocumentReading], review_id: str, today: date,
    near_names_held: bool = True,
) -> ReviewResult:
    """Recompute the ratios from the latest statements, check the covenants, classify.

    Judgement rule: a covenant breach makes the loan at least special mention (关注); the
    days-past-due floor then applies (`classify`). The covenants are the loan's own, from
    its offer; DSCR as in journey/post_loan_dscr.py.
    """
    counted, left_out = statements_that_count(readings, facts.borrower, today, near_names_held)
    values, notes, checks = covenants_on_file(facts.covenants, counted, facts.plan,
                                              facts.disbursed_on)
    if left_out:
        notes["statements"] = "left out: " + "; ".join(left_out)
    assessed = RiskClass.SPECIAL_MENTION if any(c.breached for c in checks) else RiskClass.NORMAL
    return ReviewResult(
        review_id=review_id,
        journey_id=facts.journey_id,
        reviewed_on=today,
        ratios=values,
        notes=notes,
        checks=checks,
        days_past_due=facts.days_past_due,
        arrears=facts.arrears,
        assessed=assessed,
        risk_class=classify(facts.days_past_due, assessed),
        previous_class=facts.risk_class,
        statements=[r.ref.sha256 for r in counted
                    if r.status is ReadStatus.READ and r.statement is not None],
    )
