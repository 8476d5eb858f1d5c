"""What people send to a running journey: one input model per update, one result model.

Every decision carries the actor (id and role) and, for customer-facing ones, the channel.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from journey.actors import Actor
from journey.application import Channel
from journey.bank_accounts import account_number
from journey.decline_reasons import DeclineReason
from journey.documents import DocumentKind, DocumentRef
from journey.stages import Stage


class Verdict(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    REQUEST_INFO = "request_info"


class RiskGrade(StrEnum):
    """Internal obligor grade recorded by the risk officer (1 best .. 10 worst)."""

    G1 = "1"
    G2 = "2"
    G3 = "3"
    G4 = "4"
    G5 = "5"
    G6 = "6"
    G7 = "7"
    G8 = "8"
    G9 = "9"
    G10 = "10"


class AddDocuments(BaseModel):
    actor: Actor
    documents: list[DocumentRef] = Field(min_length=1, max_length=50)
    channel: Channel = Channel.WEB


class WrittenAnswer(BaseModel):
    """The customer's answer in writing to a decider's question (a request for information
    that names no documents): sent by the customer, or typed by its relationship manager as
    the customer gave it."""

    actor: Actor
    text: str = Field(min_length=2, max_length=4000)
    channel: Channel = Channel.WEB


class InfoRequest(BaseModel):
    """The documents a request for information asks the customer for: of these kinds (no
    kind: both statements), of these periods (statements only; none: any period). A request
    that names none asks only its question, answered in writing (journey/info_request.py)."""

    kinds: list[DocumentKind] = Field(default_factory=list, max_length=3)
    periods: list[date] = Field(default_factory=list, max_length=10)

    @model_validator(mode="after")
    def _names_something(self) -> InfoRequest:
        if {DocumentKind.UNKNOWN, DocumentKind.OTHER} & set(self.kinds):
            raise ValueError("ask for a business licence, a balance sheet or an income "
                             "statement; for anything else, ask it in the question")
        if not self.kinds and not self.periods:
            raise ValueError("name the documents asked for (kinds, periods), or leave the "
                             "request out and ask in the question")
        return self


class _Decision(BaseModel):
    """A decider's verdict and why; a request for information asks the customer a question
    and may name what it asks for, a rejection states the category of its reason: the
    customer is told those, never the reason, which stays in the bank's record. A request
    without a question (recorded before there were questions) asked its reason; the journey
    refuses new ones (journey/info_request.py `refuse_unasked`)."""

    actor: Actor
    verdict: Verdict
    reason: str = Field(min_length=2, max_length=2000)
    question: str | None = Field(default=None, min_length=2, max_length=2000)
    asks: InfoRequest | None = None
    category: DeclineReason | None = None

    @model_validator(mode="after")
    def _asks_with_a_request(self) -> _Decision:
        if self.asks is not None and self.verdict is not Verdict.REQUEST_INFO:
            raise ValueError(f"only a request for information asks for documents, not "
                             f"{self.verdict}")
        if self.question is not None and self.verdict is not Verdict.REQUEST_INFO:
            raise ValueError(f"only a request for information asks the customer a question, "
                             f"not {self.verdict}")
        if self.category is not None and self.verdict is not Verdict.REJECT:
            raise ValueError(f"only a rejection states the category of its reason, not "
                             f"{self.verdict}")
        return self


class RiskOpinion(_Decision):
    """The risk team's opinion: an approval or a rejection grades the obligor; a request for
    information may not yet (the officer has not graded a file found short)."""

    grade: RiskGrade | None = None

    @model_validator(mode="after")
    def _graded(self) -> RiskOpinion:
        if self.grade is None and self.verdict is not Verdict.REQUEST_INFO:
            raise ValueError(f"grade the obligor (1 best .. 10) to {self.verdict}; only a "
                             "request for information may leave the grade out")
        return self


# what an exception's reason must hold to say why: letters or digits, or Chinese characters
EXCEPTION_REASON_LETTERS, EXCEPTION_REASON_HANZI = 10, 4


def says_why(reason: str) -> bool:
    """Whether `reason` justifies an exception in words: at least ten letters or digits, or
    four Chinese characters (not "ok", "...", "同意")."""
    hanzi = sum("\u4e00" <= c <= "\u9fff" for c in reason)
    return hanzi >= EXCEPTION_REASON_HANZI or sum(c.isalnum() for c in reason) >= (
        EXCEPTION_REASON_LETTERS)


class ApprovalDecision(_Decision):
    pass


class Capacity(StrEnum):
    """In what capacity a person signs for the company."""

    LEGAL_REPRESENTATIVE = "legal_representative"  # 法定代表人, named on the licence
    AUTHORISED_AGENT = "authorised_agent"  # 授权代表, under a power of attorney

    @property
    def words(self) -> str:
        return ("法定代表人 legal representative" if self is Capacity.LEGAL_REPRESENTATIVE
                else "授权代表 authorised agent")


class Signature(BaseModel):
    """The customer signs the offer: the company (`actor`, its credit code), who signed for
    it and in what capacity, and the evidence (the e-sign platform's certificate serial or
    signing record id, or the wet-ink contract's branch and witness). Signatures recorded
    before these were asked name none of them (their histories replay)."""

    model_config = ConfigDict(str_strip_whitespace=True)

    actor: Actor
    channel: Channel = Channel.APP
    signatory: str | None = Field(default=None, min_length=2, max_length=64)
    capacity: Capacity | None = None
    power_of_attorney: str | None = Field(default=None, min_length=2, max_length=120)
    evidence: str | None = Field(default=None, min_length=4, max_length=200)

    @model_validator(mode="after")
    def _evidenced(self) -> Signature:
        named = (self.signatory, self.capacity, self.evidence, self.power_of_attorney)
        if any(v is not None for v in named) and None in named[:3]:
            raise ValueError("a signature names who signed (signatory), in what capacity "
                             "and its evidence (the e-signature or contract reference)")
        if self.capacity is Capacity.AUTHORISED_AGENT and self.power_of_attorney is None:
            raise ValueError("an authorised agent signs under a power of attorney: give its "
                             "reference")
        if self.capacity is Capacity.LEGAL_REPRESENTATIVE and self.power_of_attorney:
            raise ValueError("a legal representative signs without a power of attorney; an "
                             "agent signing under one signs as authorised_agent")
        return self

    def signed_by(self) -> str:
        """Who signed and on what evidence, in words; "" for a signature that names nobody."""
        if self.signatory is None or self.capacity is None:
            return ""
        under = (f", power of attorney {self.power_of_attorney}"
                 if self.power_of_attorney else "")
        return (f"signed by {self.signatory} ({self.capacity.words}{under}); evidence: "
                f"{self.evidence}")


class Withdrawal(BaseModel):
    actor: Actor
    reason: str = Field(min_length=2, max_length=2000)
    channel: Channel | None = None


class Amendment(BaseModel):
    """The customer's change of the amount or the term asked for, recorded by its relationship
    manager or operations before the approval is decided (workflows/amendments.py); a change
    of product is a new application. Its reason says what the customer asked and why, as an
    exception's does (`says_why`): the route and the deciders' limits follow the amount."""

    actor: Actor
    amount: Decimal | None = Field(default=None, gt=0, max_digits=16, decimal_places=2)
    term_months: int | None = Field(default=None, ge=1, le=360)
    reason: str = Field(min_length=2, max_length=2000)
    channel: Channel | None = None  # where the customer asked (branch, phone, ...)

    @model_validator(mode="after")
    def _changes_something(self) -> Amendment:
        if self.amount is None and self.term_months is None:
            raise ValueError("an amendment changes the amount, the term or both: give one")
        if not says_why(self.reason):
            raise ValueError("say why the application is amended: what the customer asked and "
                             "why (at least ten letters or four Chinese characters)")
        return self


class WriteOff(BaseModel):
    """A credit-committee member's vote to write a non-performing loan off (核销)."""

    actor: Actor
    reason: str = Field(min_length=2, max_length=2000)


class ScheduleAction(StrEnum):
    CREATED = "created"
    PAUSED = "paused"
    UNPAUSED = "unpaused"
    TRIGGERED = "triggered"
    BACKFILLED = "backfilled"
    DELETED = "deleted"


class ScheduleChange(BaseModel):
    """Someone acted on a loan's review schedule: kept in the loan's history."""

    actor: Actor
    action: ScheduleAction
    note: str = Field(min_length=2, max_length=500)


class Reassignment(BaseModel):
    actor: Actor
    to: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=2, max_length=2000)


class Repayment(BaseModel):
    actor: Actor
    reference: str = Field(min_length=3, max_length=64)
    amount: Decimal = Field(gt=0, max_digits=16, decimal_places=2)
    channel: Channel = Channel.API
    paid_on: date | None = None  # value date; None: the day the journey records it
    settles: bool = False  # an early settlement of the whole loan (journey/payment_allocation.py)
    prepays: bool = False  # a partial prepayment: principal ahead of the plan (the same)
    shortens: bool = False  # a prepayment that repays the last instalments first
    # the payer's account as the bank statement shows it (None: not sent, or recorded before
    # payments named one): money going back to the payer goes back there (starter/payer_account.py)
    from_account: str | None = None

    @field_validator("from_account", mode="before")
    @classmethod
    def _account_number(cls, account: object) -> object:
        """As `account_number` writes it; checked (`account_refusal`) where it is entered and
        by the journey's validator, not here: a refusal here would travel with the account in
        pydantic's words, unencrypted, and one the journey took must load as it was."""
        return account_number(account) if isinstance(account, str) else account

    @model_validator(mode="after")
    def _one_kind(self) -> Repayment:
        if self.settles and self.prepays:
            raise ValueError("a payment settles the whole loan or prepays part of it, not both")
        if self.shortens and not self.prepays:
            raise ValueError("only a prepayment shortens the plan")
        return self

    @property
    def kind(self) -> str:
        return "settlement" if self.settles else "prepayment" if self.prepays else "repayment"


class DecisionRecord(BaseModel):
    stage: Stage
    attempt: int
    actor: Actor
    verdict: str
    reason: str = ""
    at: datetime
    grade: RiskGrade | None = None  # a risk opinion's obligor grade, which pricing depends on
    category: DeclineReason | None = None  # a rejection's category (what the customer is told)


class UpdateResult(BaseModel):
    """What every update returns: where the journey stands once the update is applied."""

    accepted: bool = True
    stage: Stage
    message: str = ""
    # a vote recorded that does not count (set aside on the exposure read as it would have
    # settled the case): the message, starting "not counted:", says why
    counted: bool = True
    # what the bank's systems decided acting on the update, with the figures (an approval's
    # authority check: a re-route, votes set aside, a tier kept): the history keeps them
    decided: list[DecisionRecord] = Field(default_factory=list)
