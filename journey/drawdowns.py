"""Project finance: drawdowns by milestone (按工程进度放款) against conditions precedent.

A project-finance offer carries a `DrawdownPlan`: tranches with an amount cap, the milestone
each needs and its conditions precedent (documents by declared label, and checks on the
figures). The customer asks for a tranche with a `DrawdownRequest`; the workflow checks the
conditions (journey/drawdown_conditions.py), the project-finance risk team decides, and an
approved drawdown is booked once, to the borrower or, entrusted (受托支付), to a named
counterparty once operations confirmed it against its contract (maker-checker, as a loan's
payment instruction: journey/entrusted_payment.py). The `Commitment` tracks drawn,
cancelled and available amounts; at the end of the availability period whatever is undrawn
is cancelled.

The default plan (`default_plan`), stated:
- three tranches of 30% / 40% / 30% of the amount (the last takes the rounding remainder):
  t1 planning permit and capital in place, t2 30% of construction, t3 equipment delivered;
- each needs its documents, a projected DSCR of at least 1.20 (or the loan's min-DSCR
  covenant, when higher) and no event of default;
- availability period: 18 months from the signature (a third of the term when shorter);
- repayment: the plan is rebuilt when drawdowns close, on the amount actually drawn, over
  the term left after the availability period, with 6 months' interest-only grace (less
  for short terms);
- each drawdown decision has its own SLA: 3 business days, warning at 80%, a reminder to
  the team 4 working hours after the breach, the supervisor a day later;
- a drawdown above 5,000,000 must name its counterparty (entrusted payment, 受托支付), and
  so must one that would bring its tranche's drawdowns paid to the borrower above it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field, computed_field, field_validator, model_validator

from journey.actors import Actor
from journey.application import Channel, LoanApplication
from journey.bank_accounts import account_number as account_number
from journey.bank_accounts import account_refusal
from journey.decline_reasons import DeclineReason
from journey.documents import DocumentRef
from journey.policy.completeness import names_company
from journey.policy.entrusted import entrusted
from journey.policy.sla import EscalationAction, EscalationLevel, StageSla, Unit
from journey.repayment import add_months, money

CENT = Decimal("0.01")
DEFAULT_MIN_DSCR = Decimal("1.20")
AVAILABILITY_MONTHS = 18
GRACE_MONTHS = 6
# 项目融资业务指引: a single payment above 5m (or 5% of the project's investment) is paid by
# the bank to the counterparty (受托支付); a policy from 2026.12-6 on says so itself
# (entrusted_payment.over.project_finance, journey/policy/entrusted.py)
ENTRUSTED_OVER = Decimal("5000000")


class Check(BaseModel):
    """A condition precedent on the figures, not on a document."""

    kind: Literal["min_dscr", "no_event_of_default"]
    value: Decimal | None = None  # the floor, for min_dscr

    @property
    def floor(self) -> Decimal:
        """The DSCR a drawdown must project, for min_dscr."""
        return self.value or Decimal("1")

    def describe(self) -> str:
        """The check as its condition is named, with its threshold: "min_dscr 1.30"."""
        return f"{self.kind} {self.floor}" if self.kind == "min_dscr" else self.kind


class Tranche(BaseModel):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,31}$")
    milestone: str = Field(min_length=2, max_length=200)
    cap: Decimal = Field(gt=0, decimal_places=2)
    documents: list[str] = Field(default_factory=list)  # labels, e.g. "planning_permit"
    checks: list[Check] = Field(default_factory=list)


def _decision_sla() -> StageSla:
    return StageSla(
        target=timedelta(days=3),
        unit=Unit.BUSINESS_DAYS,
        warning_ratio=0.8,
        escalations=[
            EscalationLevel(
                level=1, after_breach=timedelta(hours=4), action=EscalationAction.REMIND_OWNER,
                unit=Unit.BUSINESS,
            ),
            EscalationLevel(
                level=2, after_breach=timedelta(days=1),
                action=EscalationAction.REASSIGN_SUPERVISOR,
            ),
        ],
    )


class DrawdownPlan(BaseModel):
    tranches: list[Tranche] = Field(min_length=1)
    availability_months: int = Field(ge=1, le=120)
    grace_months: int = Field(default=0, ge=0)  # interest only, after drawdowns close
    decision_sla: StageSla = Field(default_factory=_decision_sla)
    # a drawdown above this is paid to the counterparty, never to the borrower (受托支付);
    # None: a plan pinned before the rule
    entrusted_over: Decimal | None = None

    @property
    def total(self) -> Decimal:
        return sum((t.cap for t in self.tranches), Decimal("0.00"))

    def tranche(self, tranche_id: str) -> Tranche | None:
        return next((t for t in self.tranches if t.id == tranche_id), None)


class Payee(BaseModel):
    """Whom a drawdown pays: the borrower (no payee given) or, entrusted, a counterparty,
    with its bank (开户行) and the commercial contract it is paid under (requests before they
    were asked for have neither)."""

    name: str = Field(min_length=2, max_length=200)
    # as `account_number` writes it; checked (`account_refusal`) where it is entered, not
    # here: a request or instruction a running journey accepted before the rule still loads
    account: str = Field(min_length=4, max_length=64)
    bank: str | None = Field(default=None, min_length=2, max_length=200)
    contract: str | None = Field(default=None, min_length=1, max_length=64)

    @field_validator("account", mode="before")
    @classmethod
    def _account_number(cls, account: object) -> object:
        return account_number(account) if isinstance(account, str) else account


def paid_under(payee: Payee) -> str:
    """Where an entrusted payment goes, for the ledger and people: the contract, the
    account and its bank, as far as the payee names them."""
    return (f"under contract {payee.contract} " if payee.contract else "") + \
        f"to account {payee.account}" + (f" at {payee.bank}" if payee.bank else "")


class SupportingDocument(BaseModel):
    label: str = Field(pattern=r"^[a-z0-9_]{2,48}$")  # the condition it answers
    ref: DocumentRef


class DrawdownRequest(BaseModel):
    actor: Actor
    tranche_id: str
    amount: Decimal = Field(gt=0, max_digits=16, decimal_places=2)
    payee: Payee | None = None  # None: paid to the borrower
    documents: list[SupportingDocument] = Field(default_factory=list, max_length=30)
    channel: Channel = Channel.WEB


class DrawdownVerdict(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


class DrawdownDecision(BaseModel):
    """The risk team's decision; a rejection may state the category of its reason, which the
    customer is told (journey/drawdown_notices.py): the reason stays in the bank's record."""

    actor: Actor
    tranche_id: str
    verdict: DrawdownVerdict
    reason: str = Field(min_length=2, max_length=2000)
    category: DeclineReason | None = None

    @model_validator(mode="after")
    def _category_with_a_rejection(self) -> DrawdownDecision:
        if self.category is not None and self.verdict is not DrawdownVerdict.REJECT:
            raise ValueError(f"only a rejection states the category of its reason, not "
                             f"{self.verdict}")
        return self


class ConditionResult(BaseModel):
    condition: str  # "document planning_permit", "min_dscr 1.20", "no_event_of_default"
    met: bool
    explanation: str


class DrawdownState(StrEnum):
    REQUESTED = "requested"
    CONDITIONS_FAILED = "conditions_failed"  # refused by the rules, before anyone decides
    AWAITING_DECISION = "awaiting_decision"
    REFUSED = "refused"  # by the risk team, or the availability period ended
    APPROVED = "approved"
    # approved, paid to a counterparty: waits for operations' payment instruction, entered by
    # one and confirmed by a second (journey/entrusted_payment.py), before it is booked
    AWAITING_PAYEES = "awaiting_payees"
    BOOKED = "booked"

    @property
    def settled(self) -> bool:
        return self in {DrawdownState.CONDITIONS_FAILED, DrawdownState.REFUSED,
                        DrawdownState.BOOKED}


class DrawdownRecord(BaseModel):
    """One attempt at one tranche, from request to booking or refusal."""

    number: int
    request: DrawdownRequest
    requested_at: datetime
    state: DrawdownState = DrawdownState.REQUESTED
    conditions: list[ConditionResult] = Field(default_factory=list)
    decided_by: str | None = None
    reason: str = ""
    booking_id: str | None = None
    payee: str | None = None
    # to a counterparty, once operations confirmed its instruction: whom it paid, each with
    # its account, bank, contract and booking (journey/entrusted_payment.py `paid_to`)
    paid_to: str | None = None
    booked_at: datetime | None = None
    settled_at: datetime | None = None  # booked or refused: the customer's wait ends

    @property
    def waited(self) -> timedelta | None:
        """From the request to the money (or the refusal)."""
        return None if self.settled_at is None else self.settled_at - self.requested_at


class Commitment(BaseModel):
    total: Decimal
    drawn: Decimal = Decimal("0.00")
    cancelled: Decimal = Decimal("0.00")
    available_until: datetime
    closed_at: datetime | None = None
    closing_note: str = ""
    # interest the drawn amounts earned from their booking until drawdowns closed, due with
    # the first instalment (with quarterly interest: what the quarters did not charge, the
    # commitment fee included); None: drawdowns still open, or closed before it was charged
    interest_accrued: Decimal | None = None
    # interest is paid quarterly while drawdowns are open, counted from this day
    # (journey/availability_interest.py); None: all of it with the first instalment, as
    # before the rule
    interest_from: date | None = None
    # the commitment fee a year on the undrawn commitment (承诺费), pinned from the pricing
    # policy when drawdowns opened with quarterly interest
    fee_rate: Decimal = Decimal("0")
    # each quarter's interest and fee rounded once, on exact amounts, since drawdowns opened
    # (journey/availability_interest.py); False: each drawdown's part in cents, as before
    rounded_once: bool = False

    @computed_field  # type: ignore[prop-decorator]
    @property
    def available(self) -> Decimal:
        return self.total - self.drawn - self.cancelled


class DrawdownOutcome(BaseModel):
    """What both drawdown updates return: the attempt as it stands and the commitment."""

    tranche_id: str
    state: DrawdownState
    conditions: list[ConditionResult] = Field(default_factory=list)
    commitment: Commitment
    message: str = ""


# -- the plan --------------------------------------------------------------------------------


def default_plan(application: LoanApplication, min_dscr: Decimal = DEFAULT_MIN_DSCR,
                 entrusted_over: Decimal | None = None) -> DrawdownPlan:
    """Three tranches (30/40/30%) with their milestones; see the module docstring. Each
    drawdown's projected DSCR must reach `min_dscr` (the loan's own covenant when higher,
    so that no drawdown is approved into a breach). A drawdown above `entrusted_over` (the
    pinned policy's project-finance figure; None: ENTRUSTED_OVER, as before the policy had
    one) is paid to its counterparty."""
    term = application.term_months
    availability = max(1, min(AVAILABILITY_MONTHS, term // 3))
    rest = max(1, term - availability)
    step = 3 if rest % 3 == 0 else 1
    grace = min(GRACE_MONTHS, rest // 4) // step * step
    amount = application.amount
    first = _share(amount, "0.30")
    second = _share(amount, "0.40")
    checks = [Check(kind="min_dscr", value=min_dscr), Check(kind="no_event_of_default")]
    return DrawdownPlan(
        tranches=[
            Tranche(id="t1", milestone="planning permit granted and capital in place", cap=first,
                    documents=["planning_permit", "capital_proof"], checks=checks),
            Tranche(id="t2", milestone="30% of construction complete", cap=second,
                    documents=["construction_progress", "insurance"], checks=checks),
            Tranche(id="t3", milestone="equipment delivered", cap=amount - first - second,
                    documents=["equipment_delivery", "insurance"], checks=checks),
        ],
        availability_months=availability,
        grace_months=grace,
        entrusted_over=ENTRUSTED_OVER if entrusted_over is None else entrusted_over,
    )


def payee_refusal(plan: DrawdownPlan, request: DrawdownRequest, borrower: LoanApplication,
                  records: list[DrawdownRecord]) -> str | None:
    """Why `request` may not be paid as it asks: above the plan's entrusted-payment threshold
    the bank pays the counterparty (its name and account) directly, and an entrusted payment
    never goes to the borrower itself. A tranche's drawdowns paid to the borrower (`records`
    so far, `paid_to_borrower`) count together: splitting a tranche does not get around it."""
    earlier = paid_to_borrower(request.tranche_id, records)
    before = sum((r.request.amount for r in earlier), Decimal("0.00"))
    total = before + request.amount
    if request.payee is not None:
        if (refusal := borrower_as_payee(request.payee, borrower)) is not None:
            if entrusted(total, plan.entrusted_over):  # without a payee, refused too
                return refusal
            return f"{refusal}, or leave --payee out for a drawdown paid to the borrower"
        if request.payee.bank is None or request.payee.contract is None:
            return (f"an entrusted payment to {request.payee.name} names the bank its account "
                    "is kept at (开户行, --payee-bank) and the commercial contract it is paid "
                    "under (--payee-contract), as a payment instruction does")
        if (wrong := account_refusal(request.payee.account)) is not None:
            return f"the account of {request.payee.name}: {wrong}"
        return None
    if not entrusted(total, plan.entrusted_over):
        return None
    assert plan.entrusted_over is not None  # `entrusted` says so
    name_payee = ("give the payee's name, account, bank and contract (--payee, "
                  "--payee-account, --payee-bank, --payee-contract)")
    if not earlier:
        return (f"a drawdown of {money(request.amount)} is above {money(plan.entrusted_over)}: the "
                "bank "
                "pays it to the counterparty (entrusted payment, 受托支付), not to the "
                f"borrower; {name_payee}")
    drawdowns = ", ".join(f"#{r.number} {r.request.amount:,.2f} {r.state}" for r in earlier)
    left = plan.entrusted_over - before
    return (f"tranche {request.tranche_id} has paid the borrower {before:,.2f} already "
            f"(drawdown {drawdowns}): {request.amount:,.2f} more makes {total:,.2f}, above "
            f"{plan.entrusted_over:,.2f}, and a tranche's drawdowns to the borrower count "
            "together: the bank pays this one to the counterparty (entrusted payment, "
            f"受托支付); {name_payee}"
            + (f", or ask for {left:,.2f} or less paid to the borrower" if left > 0 else ""))


def paid_to_borrower(tranche_id: str, records: list[DrawdownRecord]) -> list[DrawdownRecord]:
    """The drawdowns of `tranche_id` that pay the borrower itself (no payee): requested,
    approved or booked, not those refused (by the rules or the bank)."""
    return [r for r in records
            if r.request.tranche_id == tranche_id and r.request.payee is None
            and r.state not in {DrawdownState.CONDITIONS_FAILED, DrawdownState.REFUSED}]


def borrower_as_payee(payee: Payee, borrower: LoanApplication) -> str | None:
    """Why `payee` may not take an entrusted payment: it is the borrower itself, whom
    entrusted payment exists to bypass, however written (`names_company`: its name within
    the payee's, or its credit code)."""
    if not names_company(payee.name, borrower.applicant_name, borrower.credit_code):
        return None
    return (f"the payee {payee.name} is the borrower: an entrusted payment (受托支付) goes to "
            "the counterparty the money is for; name it")


def _share(amount: Decimal, part: str) -> Decimal:
    return (amount * Decimal(part)).quantize(CENT, rounding=ROUND_HALF_UP)


def availability_ends(plan: DrawdownPlan, opened_at: datetime, zone: tzinfo = UTC) -> datetime:
    """The end of the availability period: whole months after the day, by `zone`'s days (the
    loan's), the drawdown stage opened."""
    opened = opened_at.astimezone(zone)
    day = add_months(opened.date(), plan.availability_months)
    return datetime.combine(day, opened.timetz())


# -- the commitment ----------------------------------------------------------------------------


def drawn_on(tranche: Tranche, records: list[DrawdownRecord]) -> Decimal:
    """What the booked drawdowns of `tranche` drew."""
    return sum((r.request.amount for r in records
                if r.state is DrawdownState.BOOKED and r.request.tranche_id == tranche.id),
               Decimal("0.00"))


def _drawn(tranche: Tranche, records: list[DrawdownRecord], partial: bool) -> bool:
    """Whether `tranche` takes no more drawdowns: drawn to its cap, or (`partial` False, as
    for journeys whose drawdowns opened before partial drawdowns) drawn at all."""
    drawn = drawn_on(tranche, records)
    return drawn >= tranche.cap if partial else drawn > 0


def available(plan: DrawdownPlan, commitment: Commitment, tranche: Tranche,
              records: list[DrawdownRecord], partial: bool = True) -> Decimal:
    """What one request for `tranche` may draw: what its cap has left, within what the
    commitment has left; nothing once the tranche is drawn or the commitment closed."""
    if commitment.closed_at is not None or _drawn(tranche, records, partial):
        return Decimal("0.00")
    left = tranche.cap - drawn_on(tranche, records)
    return max(Decimal("0.00"), min(left, commitment.available))


def open_tranches(plan: DrawdownPlan, records: list[DrawdownRecord], partial: bool = True
                  ) -> list[Tranche]:
    """The tranches that take drawdowns still: a tranche may be drawn in several, up to its
    cap."""
    return [t for t in plan.tranches if not _drawn(t, records, partial)]
