"""What a customer says after the journey ended is on the journey map: late feedback is a
TOUCHPOINT event in the stage the journey ended in, stored once under a number of its own
however often the writes are retried, and the report counts it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from temporalio import activity
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from journey import contracts
from journey.application import Channel
from journey.contracts import RecordTimingInput, RecordTimingResult
from journey.decisions import RiskGrade, RiskOpinion, Verdict
from journey.settings import Settings
from journey.stages import Stage
from journey.timeline import EventType, TimingEvent
from journey.touchpoints import (
    LATE_FEEDBACK_BASE,
    STORE_FEEDBACK,
    ComplaintCategory,
    Feedback,
    RecordFeedbackInput,
    RecordFeedbackResult,
)
from starter import operations
from store.feedback import feedback_for, record_feedback
from store.timing import events_for, record_new_events
from store.touchpoint_analytics import build_touchpoints
from tests.workflows.journey_kit import (
    RISK_SME,
    customer,
    new_application,
    running_journey,
    until_stage,
)
from workflows.loan_journey import LoanJourneyWorkflow


def lost_answers(tried: list[str]) -> Callable[[Settings], list[Callable[..., Any]]]:
    """The real timing and feedback writes, whose first answer for a late touchpoint is lost
    after the row is written: the activity is retried, with the same input."""

    def make(settings: Settings) -> list[Callable[..., Any]]:
        def lose_first(what: str, late: bool) -> None:
            if late:
                tried.append(what)
                if activity.info().attempt == 1:
                    raise ApplicationError(f"{what} written, answer lost")

        @activity.defn(name=contracts.RECORD_TIMING)
        def record_timing_events(request: RecordTimingInput) -> RecordTimingResult:
            fresh = record_new_events(settings.db_url, request.events)
            lose_first("timing", any(e.sequence >= LATE_FEEDBACK_BASE for e in request.events))
            return RecordTimingResult(inserted=len(fresh))

        @activity.defn(name=STORE_FEEDBACK)
        def store_feedback(request: RecordFeedbackInput) -> RecordFeedbackResult:
            inserted = record_feedback(settings.db_url, request)
            lose_first("feedback", request.sequence >= LATE_FEEDBACK_BASE)
            return RecordFeedbackResult(inserted=inserted)

        return [record_timing_events, store_feedback]

    return make


def late_events(settings: Settings, journey: str) -> list[TimingEvent]:
    return [e for e in events_for(settings.db_url, journey) if e.sequence >= LATE_FEEDBACK_BASE]


async def rejected(handle: Any) -> None:
    await until_stage(handle, Stage.RISK_REVIEW)
    await handle.execute_update(LoanJourneyWorkflow.record_risk_opinion, RiskOpinion(
        actor=RISK_SME, verdict=Verdict.REJECT, grade=RiskGrade.G8, reason="leverage too high"))
    assert (await handle.result()).outcome is Stage.REJECTED


async def test_late_feedback_is_a_touchpoint_stored_once_whatever_the_retries(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    docs, app = new_application()
    tried: list[str] = []
    async with running_journey(time_skipping_env, tmp_path, docs, app,
                               lost_answers(tried)) as (settings, handle):
        await rejected(handle)
        client, me = time_skipping_env.client, customer(app)
        before = build_touchpoints(settings.db_url).touchpoints
        complaint = Feedback(actor=me, channel=Channel.PHONE, stage=Stage.RISK_REVIEW, score=1,
                             category=ComplaintCategory.DECISION, comment="please explain")
        await operations.record_late_feedback(client, settings, handle.id, complaint)
        assert tried == ["feedback", "feedback", "timing", "timing"]  # each written twice

        [event] = late_events(settings, handle.id)
        assert (event.sequence, event.type, event.stage, event.attempt, event.channel,
                event.actor, event.detail) == (
            LATE_FEEDBACK_BASE, EventType.TOUCHPOINT, Stage.REJECTED, 1, Channel.PHONE, me.id,
            "feedback csat=1 about risk_review complaint decision")
        [score] = [f for f in feedback_for(settings.db_url, handle.id)
                   if f.sequence >= LATE_FEEDBACK_BASE]
        assert score.sequence == event.sequence  # one touchpoint: its event and its score

        # the same complaint again is the customer complaining again: a touchpoint of its own
        await operations.record_late_feedback(client, settings, handle.id, complaint)
        assert [e.sequence - LATE_FEEDBACK_BASE for e in late_events(settings, handle.id)] == [
            0, 1]
        report = build_touchpoints(settings.db_url)
        assert report.touchpoints == before + 2
        assert [(c.channel, c.touchpoints) for c in report.channels if c.stage == "rejected"] == [
            ("phone", 2)]
