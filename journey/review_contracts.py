"""Post-loan activities and the review workflow: names, one input and one result model each.

Workflows call these activities by name with these models, so workflow code never imports
the modules that do I/O (the Temporal client, SQLAlchemy).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, Field

from journey.classification import RiskClass
from journey.documents import DocumentReading, DocumentRef
from journey.post_loan_covenants import Covenant, CovenantCheck
from journey.post_loan_policy import PostLoanPolicy, ReviewCalendar
from journey.repayment import Instalment
from journey.stages import Stage

LOAD_POST_LOAN_POLICY = "load_post_loan_policy"
CREATE_REVIEW_SCHEDULE = "create_review_schedule"
SET_REVIEW_CADENCE = "set_review_cadence"
DELETE_REVIEW_SCHEDULE = "delete_review_schedule"
GATHER_REVIEW_FACTS = "gather_review_facts"
CONFIRM_REVIEW = "confirm_review"

REVIEW_SIGNAL = "review_result"
REVIEW_FACTS_QUERY = "review_facts"
REVIEW_WORKFLOW = "PostLoanReviewWorkflow"
# why `gather_review_facts` finds no loan to review: its review deletes the schedule then
JOURNEY_ENDED = "JourneyEnded"
JOURNEY_NOT_FOUND = "JourneyNotFound"
# how `add_statements` ends its answer: documents taken as a reviewed loan's newer statements
FOR_THE_NEXT_REVIEW = "read at the next review"


SCHEDULE_PREFIX = "review-"


def review_schedule_id(journey_id: str) -> str:
    return f"{SCHEDULE_PREFIX}{journey_id}"


def scheduled_journey(schedule_id: str) -> str:
    """The journey whose review schedule is `schedule_id`; a journey id is its own."""
    return schedule_id.removeprefix(SCHEDULE_PREFIX)


class LoadPostLoanPolicyInput(BaseModel):
    product: str  # for policies that differ by product later; the file is one for now


class PostLoanPolicyResult(BaseModel):
    policy: PostLoanPolicy
    sha256: str | None = None  # of the policy file's text (None: loaded before it was kept)


class ReviewScheduleInput(BaseModel):
    journey_id: str
    calendar: ReviewCalendar
    task_queue: str | None = None  # None: the worker's own task queue
    note: str = ""


_NOTE_HEAD = "post-loan reviews of "


def review_note(journey_id: str, risk_class: str) -> str:
    """The note the engine gives a loan's review schedule: whose reviews, at which class."""
    return f"{_NOTE_HEAD}{journey_id}, class {risk_class}"


def engine_note(note: str) -> bool:
    """Whether a schedule's note is the engine's own (`review_note`), not a person's reason
    for a pause or a resumption."""
    return note.startswith(_NOTE_HEAD)


class ReviewScheduleDeleteInput(BaseModel):
    journey_id: str


class ReviewScheduleResult(BaseModel):
    schedule_id: str
    changed: bool  # created, updated or deleted now; False when nothing was to do
    detail: str = ""


class ReviewInput(BaseModel):
    """What a review schedule starts PostLoanReviewWorkflow with."""

    journey_id: str


class ReviewFactsInput(BaseModel):
    journey_id: str


class ReviewFacts(BaseModel):
    """What the journey tells a review (its `review_facts` query), as of `as_of`."""

    journey_id: str
    stage: Stage
    as_of: date
    days_past_due: int
    arrears: Decimal
    risk_class: RiskClass
    covenants: list[Covenant]  # the loan's own, from its offer
    statements: list[DocumentReading]  # readings the journey already has
    unread: list[DocumentRef] = Field(default_factory=list)  # uploaded since, not yet read
    plan: list[Instalment] = Field(default_factory=list)  # the repayment plan (DSCR)
    disbursed_on: date | None = None
    borrower: str | None = None  # whose statements count (None: journeys before it was told)
    drawing: bool = False  # a project reviewed while it draws: on its interest owed
    # the bank's clock (the pinned calendar's hours from UTC), where the review's day begins;
    # None: a journey from before it said
    bank_utc_offset: int | None = None


class ReviewResult(BaseModel):
    """What a review signals to the journey."""

    review_id: str
    journey_id: str
    reviewed_on: date
    ratios: dict[str, Decimal | None]
    notes: dict[str, str] = Field(default_factory=dict)  # how a ratio was found, or why not
    checks: list[CovenantCheck]
    days_past_due: int
    arrears: Decimal
    assessed: RiskClass  # the review's judgement before the days-past-due floor
    risk_class: RiskClass  # the judgement with the floor applied
    previous_class: RiskClass
    new_readings: list[DocumentReading] = Field(default_factory=list)
    # the statements it tested (sha256): a project's close raises no breach again on them
    statements: list[str] = Field(default_factory=list)

    @property
    def breaches(self) -> list[CovenantCheck]:
        return [c for c in self.checks if c.breached]

    @property
    def downgraded(self) -> bool:
        return self.risk_class.rank > self.previous_class.rank


class ReviewOutcome(BaseModel):
    """What a review returns: its result, or why it was skipped."""

    result: ReviewResult | None = None
    skipped: str = ""


class ConfirmReviewInput(BaseModel):
    """A review result signalled to the journey `journey_id`, under `review_id`: the review
    workflow's id, on the journey's `task_queue`."""

    journey_id: str
    review_id: str
    task_queue: str


class ReviewConfirmation(BaseModel):
    """The review a signal named, as its own run returned it; or why it is not taken."""

    result: ReviewResult | None = None
    refused: str = ""
