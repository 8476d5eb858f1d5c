"""What a journey is, was and returns: its input, its query answer and its result."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, Field

from journey.actors import Actor
from journey.application import Channel, LoanApplication, Product
from journey.availability_interest import InterestPosition
from journey.class_judgement import ClassProposal
from journey.classification import RiskClass
from journey.decisions import DecisionRecord
from journey.documents import DocumentReading, DocumentRef
from journey.drawdowns import Commitment, DrawdownPlan, DrawdownRecord
from journey.entrusted_payment import EntrustedPayout
from journey.fee_waiver import WaivedFee
from journey.loan_account import Account
from journey.lpr import RateChange
from journey.policy import Completeness, Route
from journey.policy.calendar import WorkingCalendar
from journey.policy.pricing import RateBasis
from journey.post_loan_covenants import Covenant, CovenantCheck
from journey.post_loan_policy import NO_FEE, PrepaymentFee
from journey.post_loan_state import PostLoanCarry
from journey.post_loan_warnings import EarlyWarning
from journey.queue_wait import QueueWait
from journey.repayment import (
    Frequency,
    Instalment,
    RepaymentMethod,
    build_schedule,
    on_working_days,
)
from journey.review_contracts import ReviewResult
from journey.stages import Party, Stage
from journey.timeline import TimingEvent


class JourneyInput(BaseModel):
    application: LoanApplication
    resume: PostLoanCarry | None = None  # set when post-loan management continues as new


class StageVisit(BaseModel):
    stage: Stage
    attempt: int
    waits_on: Party
    entered_at: datetime
    exited_at: datetime | None = None
    outcome: Stage | None = None


class Offer(BaseModel):
    annual_rate: Decimal
    term_months: int
    method: RepaymentMethod
    frequency: Frequency
    schedule: list[Instalment]
    # the day the schedule's first period begins; None: offered before it was kept
    starts_on: date | None = None
    expires_at: datetime | None = None
    drawdown_plan: DrawdownPlan | None = None  # project finance: tranches by milestone
    # financial covenants of the loan terms; None: offered before covenants were loan
    # terms, and the pinned post-loan policy's default list applies
    covenants: list[Covenant] | None = None
    # how the rate was set (base rate and spread; `agreed` when the application named it);
    # None: offered before the basis was kept. A basis priced by the policy floats: the loan
    # is repriced to the LPR on each anniversary of its payout (journey/lpr.py)
    rate_basis: RateBasis | None = None
    # the plan's days are the bank's (the pinned calendar's UTC offset) and its due dates
    # working days; False: offered before that, on UTC days, due on any day
    bank_days: bool = False

    @property
    def period_rate(self) -> Decimal:
        """The plan's interest rate per repayment period."""
        return self.annual_rate * self.frequency.months / 12

    def value_dated(
        self, principal: Decimal, day: date, calendar: WorkingCalendar | None = None,
        periods_kept: bool = False,
    ) -> Offer:
        """The signed plan run from the day the money was paid out: the same rate, term,
        method and frequency, the first instalment one period after `day`; due dates on the
        `calendar`'s working days when the offer's are (`bank_days`), each moved one keeping
        the day its period ends by the plan when `periods_kept` (journey/repayment.py)."""
        schedule = build_schedule(principal, self.annual_rate, self.term_months, self.method,
                                  self.frequency, day)
        if self.bank_days and calendar is not None:
            schedule = on_working_days(schedule, calendar.next_working_day, periods_kept)
        return self.model_copy(update={"schedule": schedule, "starts_on": day})


class Disbursement(BaseModel):
    booking_id: str
    amount: Decimal
    payee: str
    booked_at: datetime
    # the bank's day the money moved, from which interest runs: the next bank day for a payout
    # booked on a non-working day; None: paid out before value dates were kept (its booked day)
    value_on: date | None = None
    # the account it went into and its bank: a payout to the borrower's settlement account
    # (None: paid out before accounts were kept, or to counterparties: `entrusted` names them)
    account: str | None = None
    bank: str | None = None


def plan_start(offer: Offer | None, disbursement: Disbursement | None) -> date | None:
    """The day the repayment plan's first period begins, from which its interest accrues;
    for an offer made before that day was kept, the disbursement's stands in."""
    if offer is not None and offer.starts_on is not None:
        return offer.starts_on
    return disbursement.booked_at.date() if disbursement is not None else None


class JourneyStatus(BaseModel):
    workflow_id: str
    application_id: str
    customer: str | None = None  # the applicant's credit code: who may act as the customer
    relationship_manager: str | None = None  # the case's own: may record the customer's score
    submitted_by: Actor | None = None  # whoever submitted it: left out of its four-eyes acts
    reviewed_by: str | None = None  # its risk reviewer: may not vote on it (four eyes)
    voted: list[str] = Field(default_factory=list)  # who voted at its approval, this round
    product: Product | None = None
    applicant: str | None = None
    amount: Decimal | None = None
    term_months: int | None = None
    stage: Stage
    attempt: int
    waits_on: Party
    waiting_for: list[str] = Field(default_factory=list)
    # what a decider's request for information still waits for (journey/info_request.py)
    awaited: list[str] = Field(default_factory=list)
    asked: str | None = None  # that request's question, in the decider's words, while it is open
    team: str | None = None
    assigned_to: str | None = None
    sla_state: str = "ok"
    # the SLA of the wait on the team, where the journey says it (an entrusted payout's
    # instruction): since when, and its warning and due points
    wait: QueueWait | None = None
    policy_version: str | None = None
    policy_sha256: str | None = None  # of the pinned policy's text (None: pinned before kept)
    # the post-loan policy pinned with the offer (covenants, reviews, classification) and
    # the sha256 of its text (None: pinned before it was kept)
    post_loan_policy_version: str | None = None
    post_loan_policy_sha256: str | None = None
    route: Route | None = None
    completeness: Completeness | None = None
    readings: list[DocumentReading] = Field(default_factory=list)
    standing: list[str] | None = None  # sha256 of the readings the loan file stands on
    # documents taken and not read yet: a running loan's newer statements until its next
    # review reads them, or supplements until the documents stage does
    received: list[DocumentRef] = Field(default_factory=list)
    # statements of another company than the borrower, by sha256: kept, and what to do
    not_the_borrowers: dict[str, str] = Field(default_factory=dict)
    decisions: list[DecisionRecord] = Field(default_factory=list)
    timeline: list[StageVisit] = Field(default_factory=list)
    events: list[TimingEvent] = Field(default_factory=list)
    offer: Offer | None = None
    disbursement: Disbursement | None = None
    outcome_reason: str | None = None  # internal (the deciders' notes): for staff only
    bank_utc_offset: int | None = None  # the pinned calendar's: where the bank's days begin
    # until the payout, once graded: the loan's covenants tested on the file's statements
    covenants_on_file: list[CovenantCheck] = Field(default_factory=list)
    # once graded, until the payout: what approvers should weigh that no rule refuses (a
    # rate agreed below the policy's price for the grade, a licence ending within the term)
    cautions: list[str] = Field(default_factory=list)
    # the borrower's new applications told since the exposure was read, and whose votes they
    # may set aside when it is read again as the approval settles ("" when none)
    exposure_told: str = ""
    # post-loan management
    account: Account | None = None
    today: date | None = None  # the loan's day the account is drawn up to (penalty accrued)
    days_past_due: int = 0
    days_utc_offset: int = 0  # where the loan's days begin: the bank's, or UTC (older loans)
    max_days_past_due: int = 0
    arrears: Decimal | None = None
    penalty_rate: Decimal = Decimal(0)  # a year, on what is past due (journey/arrears.py)
    prepayment_fee: PrepaymentFee = NO_FEE  # on principal repaid ahead of the plan
    prepayment_minimum: Decimal = Decimal(0)  # principal a prepayment repays at least
    risk_class: RiskClass | None = None
    risk_class_reason: str = ""
    class_proposal: ClassProposal | None = None  # proposed on judgement, to be confirmed
    warnings: list[EarlyWarning] = Field(default_factory=list)
    payments: list[PaymentRecord] = Field(default_factory=list)  # in the order recorded
    last_review: ReviewResult | None = None
    # the team whose early warnings these are and who may stop or restart its reviews
    risk_team: str | None = None
    reviews_stopped: str | None = None  # paused or deleted, since when and by whom
    rate_changes: list[RateChange] = Field(default_factory=list)  # LPR repricings, oldest first
    run: int = 1  # runs of the workflow so far (continue-as-new starts the next)
    # a payout above the policy's figure, paid to the counterparties (受托支付)
    entrusted: EntrustedPayout | None = None
    # project finance: drawdowns by milestone
    drawdown_plan: DrawdownPlan | None = None
    commitment: Commitment | None = None
    drawdowns: list[DrawdownRecord] = Field(default_factory=list)
    # while it draws: the interest paid quarterly (journey/availability_interest.py)
    availability_interest: InterestPosition | None = None
    fee_waiver: WaivedFee | None = None  # closed with nothing drawn: its fee waived

    def reviewed(self) -> bool:
        """Whether the loan is managed with reviews now: it runs, or it is a project that has
        drawn (classed from its first drawdown, for projects since it was)."""
        return self.risk_class is not None and self.stage in (Stage.POST_LOAN,
                                                              Stage.DISBURSEMENT)

    def reviewed_from(self) -> datetime | None:
        """When the money reviews count from went out: the payout, or a project's first
        drawdown while it draws; None when not `reviewed`."""
        if not self.reviewed():
            return None
        if self.disbursement is not None:
            return self.disbursement.booked_at
        return min((d.booked_at for d in self.drawdowns if d.booked_at is not None), default=None)

    def unreviewed(self) -> str:
        """Why a journey has no reviews yet, and when it will (`reviewed` is False)."""
        if self.stage.terminal:
            return f"it has ended ({self.stage}): a closed loan is not reviewed"
        if self.stage is not Stage.DISBURSEMENT or self.commitment is None:
            return (f"it is at {self.stage}: reviews begin at its payout, which creates its "
                    "schedule")
        if self.commitment.drawn <= 0:
            return ("it is a project that has drawn nothing yet: reviews begin at its first "
                    "drawdown booked, which creates its schedule")
        return ("it is a project that drew before projects were reviewed while they draw: "
                "reviews begin when the journey next wakes for it (a drawdown booked, an "
                "interest reminder or due date), or else when its drawdowns close, which "
                "creates its schedule")


class PaymentRecord(BaseModel):
    """A payment recorded on a running loan: what, when, and who recorded it."""

    reference: str
    kind: str  # repayment | prepayment | settlement
    amount: Decimal
    paid_on: date  # the value date
    recorded_by: str
    channel: Channel
    shortens: bool = False  # a prepayment that repays the last instalments first
    # the payer's account, as the repayment named it (None: it named none): a refund or a
    # return goes back there (starter/payer_account.py)
    from_account: str | None = None


class JourneyResult(BaseModel):
    workflow_id: str
    outcome: Stage
    reason: str = ""
    disbursement: Disbursement | None = None
