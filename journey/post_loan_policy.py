"""Post-loan policy as data: reminder and review cadence, covenants, classification,
history bounds.

The file LOAN_JOURNEY_POST_LOAN_POLICY_FILE names (the packaged `journey/policies/post_loan.json`
without it) is read, checked and recorded once as a worker starts (starter/start_checks.py),
given by an activity when the offer is made (journeys offered before covenants were loan
terms: when post-loan management began) and pinned for the loan's life with the sha256 of
its text (carried over continue-as-new), like the lending policy. Fields added later
default to the behaviour before them, so a policy pinned in an older history still replays.
Pure: no I/O, no clock.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from journey.application import Product
from journey.classification import RiskClass
from journey.decisions import RiskGrade
from journey.policy.errors import PolicyError
from journey.post_loan_covenants import Covenant, CovenantTightening, tightened
from journey.repayment import add_months


class PrepaymentFee(BaseModel):
    """What repaying principal ahead of the plan costs (提前还款补偿金): `rate` of the
    principal repaid ahead, by an early settlement or a prepayment made within `months` of
    the plan's start (0: whenever it is made)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rate: Decimal = Field(default=Decimal("0"), ge=0, le=Decimal("0.1"))
    months: int = Field(default=0, ge=0, le=360)

    def rate_on(self, start: date, day: date) -> Decimal:
        """The fee's rate for principal repaid ahead on `day`, the plan begun on `start`."""
        if self.rate == 0 or (self.months and day >= add_months(start, self.months)):
            return Decimal(0)
        return self.rate


NO_FEE = PrepaymentFee()


# Months between reviews: a review schedule falls on the same months every year, so the
# cadence divides the year.
REVIEW_CADENCES = (1, 2, 3, 4, 6, 12)


def cadence_refusal(months: int) -> str | None:
    if months in REVIEW_CADENCES:
        return None
    return (f"reviews every {months} months do not fall on the same months every year: "
            f"give one of {', '.join(map(str, REVIEW_CADENCES))}")


class PostLoanPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field(min_length=1, max_length=64)
    reminder_days_before: int = Field(default=3, ge=0, le=60)
    reminder_hour_utc: int = Field(default=1, ge=0, le=23)  # 09:00 in Beijing
    reminder_channel: Literal["sms", "email"] = "sms"
    overdue_notice: bool = True
    first_review_after_days: int = Field(default=15, ge=1, le=366)
    review_every_months: int = Field(default=3, ge=1, le=12)
    watch_review_every_months: int = Field(default=1, ge=1, le=12)
    watch_from: RiskClass = RiskClass.SPECIAL_MENTION  # from this class on, the watch cadence
    risk_team: str | None = None  # None: the risk team the application was routed to
    # the covenants offered with a loan: the product's list, else `covenants`, each tightened
    # by the rules matching the borrower's risk grade (journey/post_loan_covenants.py)
    covenants: list[Covenant] = Field(default_factory=list)
    product_covenants: dict[Product, list[Covenant]] = Field(default_factory=dict)
    covenant_tightening: list[CovenantTightening] = Field(default_factory=list)
    # an upgrade waits for this many consecutive instalments paid on time since the last
    # downgrade (0: upgrade as soon as the reasons for the downgrade are gone)
    upgrade_after_on_time_instalments: int = Field(default=0, ge=0, le=36)
    # continue-as-new once the run's history passes this many events, or after this many
    # applied reviews, whichever comes first
    max_history_events: int = Field(default=8000, ge=100, le=50_000)
    continue_after_reviews: int = Field(default=1, ge=1, le=100)
    # ... or once a run has lasted this many days: a loan whose reviews are stopped (paused,
    # deleted, a server without schedules) applies none, and kept one run for years, its
    # history replayed whole on each cache miss (~3 s at 4,000 events, bench/RESULTS.md)
    continue_after_days: int = Field(default=365, ge=1, le=3650)
    # overdue principal and interest accrue penalty interest at the loan's rate raised by
    # this share (0.5: half as much again); 0: none, as for policies pinned before it
    penalty_markup: Decimal = Field(default=Decimal("0"), ge=0, le=1)
    # principal repaid ahead of the plan pays this fee; none, as for policies pinned before it
    prepayment_fee: PrepaymentFee = NO_FEE
    # a prepayment repays at least this much principal ahead of the plan, and leaves at least
    # this much to settle (journey/loan_payments.py); 0: any amount below what settles the
    # loan, as for policies pinned before it (an early settlement repays all, whatever it is)
    prepayment_minimum: Decimal = Field(default=Decimal("0"), ge=0)

    @field_validator("review_every_months", "watch_review_every_months")
    @classmethod
    def _divides_the_year(cls, months: int) -> int:
        if (refusal := cadence_refusal(months)) is not None:
            raise ValueError(refusal)
        return months

    def penalty_rate(self, annual_rate: Decimal) -> Decimal:
        """The yearly penalty rate of a loan at `annual_rate` (journey/arrears.py)."""
        return annual_rate * (1 + self.penalty_markup) if self.penalty_markup > 0 else Decimal(0)


def parse_post_loan_policy(text: str) -> PostLoanPolicy:
    try:
        return PostLoanPolicy.model_validate_json(text)
    except ValidationError as exc:
        lines = [
            f"{'.'.join(str(p) for p in e['loc']) or '(top level)'}: {e['msg']}"
            for e in exc.errors(include_url=False)
        ]
        raise PolicyError("post-loan policy file is invalid; fix: " + "; ".join(lines)) from None


def loan_covenants(policy: PostLoanPolicy, product: Product, grade: RiskGrade) -> list[Covenant]:
    """The covenants offered with a loan of `product` to a borrower of `grade`."""
    own = policy.product_covenants.get(product)
    basis = f"post-loan policy {policy.version}, " + (
        f"{product.value} covenants" if own is not None else "default covenants"
    )
    return tightened(
        policy.covenants if own is None else own, policy.covenant_tightening, grade, basis
    )


def reminder_at(policy: PostLoanPolicy, due_on: date) -> datetime:
    day = due_on - timedelta(days=policy.reminder_days_before)
    return datetime.combine(day, time(policy.reminder_hour_utc), tzinfo=UTC)


def start_of(day: date, zone: tzinfo = UTC) -> datetime:
    """Midnight at the start of `day` in `zone`: the loan's days are the bank's (UTC for a
    loan paid out before its days were)."""
    return datetime.combine(day, time(0), tzinfo=zone)


def review_every(policy: PostLoanPolicy, risk_class: RiskClass) -> int:
    """Months between reviews for a loan of this class."""
    if risk_class.rank >= policy.watch_from.rank:
        return policy.watch_review_every_months
    return policy.review_every_months


def first_review_on(policy: PostLoanPolicy, disbursed_on: date) -> date:
    return disbursed_on + timedelta(days=policy.first_review_after_days)


class ReviewCalendar(BaseModel):
    """When scheduled reviews fire: on `day` of `months`, at `hour_utc`, from `start`."""

    start: date
    end: date
    day: int
    months: list[int]
    hour_utc: int


def review_calendar(
    policy: PostLoanPolicy, first: date, every_months: int, end: date
) -> ReviewCalendar:
    """The first review on `first`, then every `every_months` months on the same day (days
    past the 28th fall on the 28th, so that every month has the day); `every_months` is one
    of REVIEW_CADENCES."""
    if (refusal := cadence_refusal(every_months)) is not None:
        raise ValueError(refusal)
    months = sorted({add_months(first, k * every_months).month for k in range(12)})
    return ReviewCalendar(
        start=first, end=end, day=min(first.day, 28), months=months,
        hour_utc=policy.reminder_hour_utc,
    )
