"""Touchpoints and customer feedback: the human side of the journey map.

Feedback is a score (CSAT 1-5 or NPS 0-10) about one stage, through one channel; a complaint
is feedback with a category. An inquiry is a customer asking where the loan stands. Both
are TOUCHPOINT timing events; feedback scores are also rows of the `feedback` table for the
report. The comment is personal data: it stays in the (encrypted) workflow history only,
never in SQL, the timing events or search attributes.

`TouchpointPolicy` holds the defaults in code, not in `journey/policies/default.json`: the
policy activity that pins that file belongs to the core journey. Changing a default changes
what running journeys do (which feedback requests they queue), so change it behind a
`workflow.patched` marker, or move it into the pinned policy first.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, Field, model_validator

from journey.actors import Actor
from journey.application import Channel, Product
from journey.policy import DecisionRefused
from journey.stages import Party, Stage
from journey.timeline import EventType, TimingEvent

STORE_FEEDBACK = "store_feedback"  # the activity; the update is `record_feedback`


class ScoreKind(StrEnum):
    CSAT = "csat"  # satisfaction, 1 (very dissatisfied) .. 5 (very satisfied)
    NPS = "nps"  # likelihood to recommend, 0 .. 10


SCORE_RANGE: dict[ScoreKind, tuple[int, int]] = {ScoreKind.CSAT: (1, 5), ScoreKind.NPS: (0, 10)}


class ComplaintCategory(StrEnum):
    WAITING_TIME = "waiting_time"
    COMMUNICATION = "communication"
    DOCUMENTS = "documents"
    PRICING = "pricing"
    STAFF = "staff"
    DIGITAL_CHANNEL = "digital_channel"
    DECISION = "decision"
    OTHER = "other"


class Feedback(BaseModel):
    """The update `record_feedback`: a score about one stage; with a category, a complaint."""

    actor: Actor
    channel: Channel
    stage: Stage  # the stage the feedback is about
    score: int  # its range depends on `kind`: checked by `check_score`, so that the journey's
    # validator refuses a bad score with a message (a model error would only fail decoding)
    kind: ScoreKind = ScoreKind.CSAT
    category: ComplaintCategory | None = None
    comment: str | None = Field(default=None, max_length=1000)

    @property
    def complaint(self) -> bool:
        return self.category is not None


class Inquiry(BaseModel):
    """The update `record_inquiry`: the customer asked where the loan stands."""

    actor: Actor
    channel: Channel


class TouchpointPolicy(BaseModel):
    """When to ask for feedback and when inquiries become an early warning."""

    # ask when the customer leaves one of these stages, if the customer acted in it; about
    # intake (applying) once applying is over for them (workflows/touchpoints.py)
    ask_feedback_on_exit: frozenset[Stage] = frozenset(
        {Stage.INTAKE, Stage.DOCUMENTS, Stage.COMPLETENESS, Stage.OFFER}
    )
    # this many inquiries within the window after disbursement raise an early warning
    inquiry_burst_count: int = Field(default=5, ge=1)
    inquiry_burst_window: timedelta = timedelta(days=14)


DEFAULT_POLICY = TouchpointPolicy()


class RecordFeedbackInput(BaseModel):
    """The feedback row the activity stores, idempotent by (workflow_id, sequence): the
    sequence of the feedback's TOUCHPOINT event. No comment: it stays in the history."""

    workflow_id: str
    sequence: int = Field(ge=0)
    at: datetime
    product: Product
    stage: Stage  # about this stage
    attempt: int = Field(ge=1)  # its latest attempt when the feedback came
    given_at: Stage  # the stage the journey stood at
    kind: ScoreKind
    score: int
    category: ComplaintCategory | None = None
    channel: Channel
    actor: str
    has_comment: bool = False


def feedback_row(f: Feedback, *, workflow_id: str, sequence: int, at: datetime,
                 product: Product, attempt: int, given_at: Stage) -> RecordFeedbackInput:
    """The row that stores `f`, given where and when it was given."""
    return RecordFeedbackInput(
        workflow_id=workflow_id, sequence=sequence, at=at, product=product, stage=f.stage,
        attempt=attempt, given_at=given_at, kind=f.kind, score=f.score, category=f.category,
        channel=f.channel, actor=f.actor.id, has_comment=bool(f.comment),
    )


class RecordFeedbackResult(BaseModel):
    inserted: bool


# Touchpoints after a journey has ended (a declined customer's complaint, a withdrawn
# customer asking what became of the loan): its history is closed, so a workflow of its own,
# one run at a time per journey, is the record (who, when, the comment, encrypted as every
# history) and stores each as the journey's TOUCHPOINT event in the stage it ended in (and
# feedback as a score too), numbered from LATE_TOUCHPOINT_BASE: the journey's own events
# number from 0. The workflow's names on the wire are those it had when it kept feedback
# alone: archived runs replay by its type and activity, and its id keeps one run at a time
# per journey while command lines of both versions start runs.
LATE_FEEDBACK_WORKFLOW = "LateFeedbackWorkflow"
COUNT_LATE_TOUCHPOINTS = "count_late_feedback"  # the activity: how many numbers are taken
LATE_TOUCHPOINT_BASE = 1_000_000
LATE_TOUCHPOINT_EVENT = "late-touchpoint-event"  # workflow.patched marker


def late_touchpoints_id(journey_id: str) -> str:
    return f"feedback-{journey_id}"


class LateTouchpoint(BaseModel):
    """What the late-touchpoint workflow keeps: feedback or an inquiry, and where the
    journey ended."""

    journey_id: str
    product: Product
    ended_at: Stage  # the stage the journey ended in
    attempt: int = Field(default=1, ge=1)  # feedback: the latest attempt of its stage
    feedback: Feedback | None = None
    inquiry: Inquiry | None = None

    @model_validator(mode="after")
    def _one_touchpoint(self) -> LateTouchpoint:
        if (self.feedback is None) == (self.inquiry is None):
            raise ValueError("a late touchpoint is feedback or an inquiry: give one of them")
        return self

    def event(self, sequence: int, at: datetime) -> TimingEvent:
        """Its TOUCHPOINT event, as the journey would record it in the stage it ended in."""
        said = self.feedback or self.inquiry
        assert said is not None  # one of them, by the validator
        return TimingEvent(
            workflow_id=self.journey_id, sequence=sequence, type=EventType.TOUCHPOINT,
            stage=self.ended_at, at=at, waits_on=Party.SYSTEM, product=self.product,
            actor=said.actor.id, channel=said.channel,
            detail=feedback_detail(self.feedback) if self.feedback else INQUIRY_DETAIL,
        )


class LateTouchpointResult(BaseModel):
    sequence: int  # the number it is kept under, beside the journey's own events


INQUIRY_DETAIL = "inquiry"
BURST_KIND = "inquiry_burst"
FEEDBACK_PREFIX = "feedback "
# the detail of a batch of documents the customer sent (workflows/journey_updates.py
# `take_documents`): "documents added: 2", "documents added: 0, 1 sent again"
DOCUMENTS_SENT = "documents added: "


def feedback_detail(feedback: Feedback) -> str:
    """The TOUCHPOINT event's detail: readable, without the comment."""
    detail = f"{FEEDBACK_PREFIX}{feedback.kind}={feedback.score} about {feedback.stage}"
    return detail + (f" complaint {feedback.category}" if feedback.category else "")


def is_feedback_about(detail: str | None, stage: Stage) -> bool:
    return bool(
        detail and detail.startswith(FEEDBACK_PREFIX) and f" about {stage} " in detail + " "
    )


def inquiry_burst(
    inquiries: list[datetime], warnings: list[datetime], now: datetime, policy: TouchpointPolicy
) -> bool:
    """True when the inquiries within the window reach the threshold and no burst warning
    was raised within that window yet (one warning per window)."""
    since = now - policy.inquiry_burst_window
    if any(at > since for at in warnings):
        return False
    return sum(1 for at in inquiries if at > since) >= policy.inquiry_burst_count


def check_score(feedback: Feedback) -> None:
    low, high = SCORE_RANGE[feedback.kind]
    if not low <= feedback.score <= high:
        raise DecisionRefused(
            f"a {feedback.kind} score is {low} to {high}, got {feedback.score}: "
            f"send a score in that range, or use kind {_other(feedback.kind)}"
        )


def _other(kind: ScoreKind) -> ScoreKind:
    return ScoreKind.NPS if kind is ScoreKind.CSAT else ScoreKind.CSAT
