"""The loan book: disbursed loans by their five-tier class (贷款五级分类), worst first, and
the totals a risk team reports: loans and principal per class, the non-performing ratio
(不良贷款率: substandard, doubtful and loss principal over all principal), and what the whole
book owes the bank. A running loan's principal not yet repaid, arrears, interest accrued in
the current period, what settles it today and what was paid ahead are status's own figures
(journey/owed_figures.py); a project's while it draws, its quarters' and payoff's, its
next instalment the coming quarter's as status says it (journey/availability_interest.py);
and a project closed with nothing drawn that still owes its commitment fee is in the book
for that fee, classified by its days past due. A project that has drawn nothing lends
nothing: its facility is an undrawn commitment (journey/undrawn_commitments.py)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, Field

from journey.availability_interest import InterestPosition
from journey.classification import RiskClass, classify
from journey.loan_account import ZERO
from journey.owed_figures import OwedFigures
from journey.post_loan_warnings import open_numbers
from journey.repayment import money
from journey.signed_pipeline import PipelineLine
from journey.stages import Stage
from journey.status import JourneyStatus
from journey.undrawn_commitments import CommitmentLine, borrower_of


class BookLine(BaseModel):
    workflow_id: str
    # the borrower: its name and unified social credit code, as its journey has them ("" from
    # a status that does not say)
    borrower: str = ""
    credit_code: str = ""
    product: str
    risk_class: RiskClass
    days_past_due: int
    arrears: Decimal
    principal: Decimal  # not repaid yet
    # interest accrued in the current period, not yet due (a drawing project's commitment
    # fee too); and what settles the loan today, all of it; None where the journey does not
    # quote it (a project drawing since before quarterly interest: at its close only)
    accrued: Decimal | None
    to_settle: Decimal | None
    # paid ahead: interest paid on instalments not yet due, or a drawing project's payments
    # beyond its quarters (its payoff's); status's "paid ahead", of which a settlement gives
    # back what has not accrued (`to_settle` is net of it)
    paid_ahead: Decimal = ZERO
    next_instalment: str
    open_warnings: int
    # the reviews (贷后检查, journey/review_dates.py): the last one's day, by the journey; the
    # next one's time, by its review schedule (None: none listed, paused, deleted, or a server
    # without schedules); the day a review is due by, and whether reviews are late
    last_review: date | None = None
    next_review: datetime | None = None
    review_due: date | None = None
    reviews_late: bool = False


class LoanBook(BaseModel):
    """The loans, worst first, the facilities still drawing, whose availability ends first
    first (what a project drew is in both: lent, and drawn of its commitment), and the loans
    signed and not paid out yet, the largest first (journey/borrower_exposure.py)."""

    lines: list[BookLine]
    commitments: list[CommitmentLine]
    pipeline: list[PipelineLine] = Field(default_factory=list)


class ClassTotal(BaseModel):
    risk_class: RiskClass
    loans: int
    principal: Decimal


class BookTotal(BaseModel):
    arrears: Decimal
    principal: Decimal
    accrued: Decimal
    to_settle: Decimal
    paid_ahead: Decimal
    unquoted: int  # lines whose journey quotes nothing to settle: not in `to_settle`


def book_line(s: JourneyStatus, product: str, owed: OwedFigures | None
              ) -> BookLine | None:
    """A running loan's line, with `owed`, its figures on its day, a project's that is
    still drawing too (what it has drawn is lent: no principal due until its drawdowns
    close, its quarters' interest past due as arrears, its payoff what settles it), or that
    closed with nothing drawn and owes its commitment fee (`fee_line`); None for a journey
    that is not one (any more). Amounts in cents, none or not."""
    drawing, quarters = s.commitment, s.availability_interest
    if s.stage is Stage.DISBURSEMENT and quarters is not None and quarters.fees_only:
        return fee_line(s, product, quarters)
    if s.stage is Stage.DISBURSEMENT and drawing is not None and drawing.drawn > 0:
        payoff = quarters.payoff if quarters else None
        return BookLine(
            workflow_id=s.workflow_id, **borrower_of(s), product=product,
            risk_class=s.risk_class or RiskClass.NORMAL,
            days_past_due=quarters.days_past_due if quarters else 0,
            arrears=quarters.past_due if quarters else ZERO,
            principal=drawing.drawn,
            accrued=payoff.interest + payoff.fee if payoff else None,
            to_settle=payoff.total if payoff else None,
            paid_ahead=payoff.paid_ahead if payoff else ZERO,
            next_instalment=(quarters.next_due_text() if quarters
                             else "after its drawdowns close"),
            open_warnings=len(open_numbers(s.warnings)),
        )
    if (s.stage is not Stage.POST_LOAN or s.account is None or s.risk_class is None
            or owed is None):
        return None
    return BookLine(
        workflow_id=s.workflow_id,
        **borrower_of(s),
        product=product,
        risk_class=s.risk_class,
        days_past_due=s.days_past_due,
        arrears=owed.past_due,
        principal=owed.principal,
        accrued=owed.accrued,
        to_settle=owed.to_settle,
        paid_ahead=owed.paid_ahead,
        next_instalment=s.account.next_instalment(of_plan=True),
        open_warnings=len(open_numbers(s.warnings)),
    )


def fee_line(s: JourneyStatus, product: str, fees: InterestPosition) -> BookLine:
    """A project closed with nothing drawn that owes the commitment fee it accrued: nothing
    lent, the fee and its penalty interest owed, past due from its payment day; classified
    by its days past due (the floors, journey/classification.py), as no review grades it."""
    return BookLine(
        workflow_id=s.workflow_id, **borrower_of(s), product=product,
        risk_class=classify(fees.days_past_due, s.risk_class),
        days_past_due=fees.days_past_due, arrears=fees.past_due, principal=ZERO,
        accrued=ZERO, to_settle=fees.fee_owed,
        next_instalment=f"nothing drawn: commitment fee {money(fees.fee_owed)} owed",
        open_warnings=len(open_numbers(s.warnings)),
    )


def worst_first(lines: list[BookLine]) -> list[BookLine]:
    return sorted(lines, key=lambda b: (-b.risk_class.rank, -b.days_past_due, b.workflow_id))


def by_class(lines: list[BookLine]) -> list[ClassTotal]:
    """Every class, the empty ones too, best first."""
    return [
        ClassTotal(
            risk_class=c,
            loans=sum(1 for b in lines if b.risk_class is c),
            principal=sum((b.principal for b in lines if b.risk_class is c), ZERO),
        )
        for c in RiskClass
    ]


def owed_total(lines: list[BookLine]) -> BookTotal:
    """What the lines add up to: arrears, principal, interest accrued, what settles them
    today, which is what the book owes the bank (of the lines that quote it: `unquoted`), and
    the interest paid ahead that it gives back."""
    return BookTotal(
        arrears=sum((b.arrears for b in lines), ZERO),
        principal=sum((b.principal for b in lines), ZERO),
        accrued=sum((b.accrued for b in lines if b.accrued is not None), ZERO),
        to_settle=sum((b.to_settle for b in lines if b.to_settle is not None), ZERO),
        paid_ahead=sum((b.paid_ahead for b in lines), ZERO),
        unquoted=sum(1 for b in lines if b.to_settle is None),
    )


def non_performing_ratio(lines: list[BookLine]) -> Decimal | None:
    """Non-performing principal over all principal; None for an empty book."""
    total = sum((b.principal for b in lines), Decimal(0))
    if total == 0:
        return None
    bad = sum((b.principal for b in lines if b.risk_class.non_performing), Decimal(0))
    return bad / total
