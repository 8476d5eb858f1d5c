"""The offer a credit decision leads to: rate, repayment method and frequency, covenants.

Pure functions of the application, the risk grade, the pinned policies and the LPR fixing in
force on the offer's day (read by the offer stage's activity); the offer stage calls them
once and keeps the result in the journey, so a later change here never alters a running
offer.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel

from journey.application import LoanApplication, Product
from journey.decisions import RiskGrade
from journey.lpr import LprFixing, priced_on
from journey.policy.calendar import WorkingCalendar
from journey.policy.pricing import PricingPolicy, RateBasis
from journey.post_loan_covenants import Covenant
from journey.post_loan_policy import PostLoanPolicy, loan_covenants
from journey.repayment import (
    Frequency,
    Instalment,
    RepaymentMethod,
    build_schedule,
    on_working_days,
)


class Terms(BaseModel):
    annual_rate: Decimal
    method: RepaymentMethod
    frequency: Frequency
    schedule: list[Instalment]
    starts_on: date  # the day the schedule's first period begins
    covenants: list[Covenant] | None = None  # None: no post-loan policy to draw them from
    rate_basis: RateBasis | None = None  # `agreed` when the application named the rate


def offer_terms(
    application: LoanApplication,
    grade: RiskGrade,
    start: date,
    post_loan: PostLoanPolicy | None = None,
    pricing: PricingPolicy | None = None,
    calendar: WorkingCalendar | None = None,
    fixing: LprFixing | None = None,
) -> Terms:
    """The terms offered; the rate is the application's when it names one (its spread over
    `fixing` when one is given: `agreed_on`), else the
    pricing policy's (without one, the policy every journey had before pricing was data)
    over `fixing`, the LPR fixing in force on the offer's day, when one is given, else over
    the policy's base rate; due dates on the `calendar`'s working days when one is given."""
    prices = pricing or PricingPolicy()
    rate = application.annual_rate
    if rate is None:
        basis = priced_on(prices.basis(application.term_months, int(grade.value) - 1,
                                       application.product), fixing)
        rate = basis.base_rate + basis.spread
    else:
        basis = agreed_on(prices, rate, application.term_months, fixing)
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
    if calendar is not None:
        schedule = on_working_days(schedule, calendar.next_working_day)
    covenants = (
        None if post_loan is None else loan_covenants(post_loan, application.product, grade)
    )
    return Terms(
        annual_rate=rate, method=method, frequency=frequency, schedule=schedule, starts_on=start,
        covenants=covenants, rate_basis=basis,
    )


def agreed_on(pricing: PricingPolicy, rate: Decimal, term_months: int,
              fixing: LprFixing | None) -> RateBasis:
    """The basis of `rate`, agreed in an application of `term_months`: its spread over the
    term's LPR in `fixing`, the fixing in force, when one is given, else over the policy's
    base rate; what `PricingPolicy.agreed_refusal` holds to the policy's floor and ceiling."""
    basis = priced_on(pricing.agreed_basis(rate, term_months), fixing)
    return basis.model_copy(update={"spread": rate - basis.base_rate})
