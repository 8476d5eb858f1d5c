"""The offer a credit decision leads to: rate, repayment method and frequency, covenants.

Pure functions of the application, the risk grade and the pinned post-loan policy; the offer
stage calls them once and keeps the result in the journey, so a later change here never
alters a running offer.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel

from journey.application import LoanApplication, Product
from journey.decisions import RiskGrade
from journey.post_loan_covenants import Covenant
from journey.post_loan_policy import PostLoanPolicy, loan_covenants
from journey.repayment import Frequency, Instalment, RepaymentMethod, build_schedule

# One-year loan prime rate as the base, plus a spread per grade step and per product.
BASE_RATE = Decimal("0.0310")
SPREAD_PER_GRADE = Decimal("0.0025")
PRODUCT_SPREAD = {
    Product.WORKING_CAPITAL: Decimal("0.0000"),
    Product.FIXED_ASSET: Decimal("0.0040"),
    Product.PROJECT_FINANCE: Decimal("0.0080"),
}


class Terms(BaseModel):
    annual_rate: Decimal
    method: RepaymentMethod
    frequency: Frequency
    schedule: list[Instalment]
    starts_on: date  # the day the schedule's first period begins
    covenants: list[Covenant] | None = None  # None: no post-loan policy to draw them from


def offer_terms(
    application: LoanApplication,
    grade: RiskGrade,
    start: date,
    post_loan: PostLoanPolicy | None = None,
) -> Terms:
    rate = application.annual_rate
    if rate is None:
        rate = BASE_RATE + SPREAD_PER_GRADE * (int(grade.value) - 1)
        rate += PRODUCT_SPREAD[application.product]
    short = application.term_months <= 12
    method = RepaymentMethod.EQUAL_INSTALMENT if short else RepaymentMethod.EQUAL_PRINCIPAL
    frequency = (
        Frequency.QUARTERLY
        if application.product is Product.PROJECT_FINANCE and application.term_months % 3 == 0
        else Frequency.MONTHLY
    )
    schedule = build_schedule(
        principal=application.amount,
        annual_rate=rate,
        term_months=application.term_months,
        method=method,
        frequency=frequency,
        start=start,
    )
    covenants = (
        None if post_loan is None else loan_covenants(post_loan, application.product, grade)
    )
    return Terms(
        annual_rate=rate, method=method, frequency=frequency, schedule=schedule, starts_on=start,
        covenants=covenants,
    )
