"""The loan book: disbursed loans by their five-tier class (贷款五级分类), worst first, and
the totals a risk team reports: loans and principal per class, and the non-performing ratio
(不良贷款率: substandard, doubtful and loss principal over all principal). A running loan's
principal not yet repaid and arrears are status's own figures (journey/owed_figures.py)."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel

from journey.classification import RiskClass
from journey.owed_figures import OwedFigures
from journey.post_loan import ZERO
from journey.post_loan_warnings import open_numbers
from journey.stages import Stage
from journey.status import JourneyStatus


class BookLine(BaseModel):
    workflow_id: str
    product: str
    risk_class: RiskClass
    days_past_due: int
    arrears: Decimal
    principal: Decimal  # not repaid yet
    next_instalment: str
    open_warnings: int


class ClassTotal(BaseModel):
    risk_class: RiskClass
    loans: int
    principal: Decimal


def book_line(s: JourneyStatus, product: str, owed: OwedFigures | None
              ) -> BookLine | None:
    """A running loan's line, with `owed`, its figures on its day, a project's that is
    still drawing too (what it has drawn is lent: no principal due until its drawdowns
    close, its quarters' interest past due as arrears); None for a journey that is not one
    (any more). Amounts in cents, none or not."""
    drawing, quarters = s.commitment, s.availability_interest
    if s.stage is Stage.DISBURSEMENT and drawing is not None and drawing.drawn > 0:
        return BookLine(
            workflow_id=s.workflow_id, product=product,
            risk_class=s.risk_class or RiskClass.NORMAL,
            days_past_due=quarters.days_past_due if quarters else 0,
            arrears=quarters.past_due if quarters else ZERO,
            principal=drawing.drawn, next_instalment="after its drawdowns close",
            open_warnings=len(open_numbers(s.warnings)),
        )
    if (s.stage is not Stage.POST_LOAN or s.account is None or s.risk_class is None
            or owed is None):
        return None
    return BookLine(
        workflow_id=s.workflow_id,
        product=product,
        risk_class=s.risk_class,
        days_past_due=s.days_past_due,
        arrears=owed.past_due,
        principal=owed.principal,
        next_instalment=s.account.next_instalment(of_plan=True),
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


def non_performing_ratio(lines: list[BookLine]) -> Decimal | None:
    """Non-performing principal over all principal; None for an empty book."""
    total = sum((b.principal for b in lines), Decimal(0))
    if total == 0:
        return None
    bad = sum((b.principal for b in lines if b.risk_class.non_performing), Decimal(0))
    return bad / total
