"""An update accepted while a journey ends is answered before the journey closes: its last
writes (`finish`, workflows/loan_journey.py) may take a while, a database outage retried,
and a customer's feedback or inquiry taken meanwhile must not be left unanswered."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

from temporalio import activity
from temporalio.client import WorkflowExecutionStatus, WorkflowHandle, WorkflowUpdateStage
from temporalio.testing import WorkflowEnvironment

from journey import contracts
from journey.application import Channel
from journey.contracts import RecordTimingInput, RecordTimingResult
from journey.decisions import RiskGrade, RiskOpinion, Verdict
from journey.settings import Settings
from journey.stages import Stage
from journey.timeline import EventType
from journey.touchpoints import (
    STORE_FEEDBACK,
    Feedback,
    RecordFeedbackInput,
    RecordFeedbackResult,
)
from store.feedback import feedback_for, record_feedback
from store.timing import record_new_events
from tests.workflows.journey_kit import (
    RISK_SME,
    customer,
    new_application,
    running_journey,
    until_stage,
)
from workflows.loan_journey import LoanJourneyWorkflow


class SlowWrites:
    """The real timing and feedback writes, each held until the test opens its gate: the
    timing write that records the journey's end (its last write: a database slow to take
    it), and a feedback's store. `ended`: that write has come; `touched`: a feedback's
    touchpoint has been written."""

    def __init__(self) -> None:
        self.ended, self.end_gate = threading.Event(), threading.Event()
        self.touched, self.feedback_gate = threading.Event(), threading.Event()

    def __call__(self, settings: Settings) -> list[Callable[..., Any]]:
        @activity.defn(name=contracts.RECORD_TIMING)
        def record_timing_events(request: RecordTimingInput) -> RecordTimingResult:
            if any(e.type is EventType.ENTERED and e.stage is Stage.REJECTED
                   for e in request.events):
                self.ended.set()
                self.end_gate.wait(timeout=30)
            inserted = record_new_events(settings.db_url, request.events)
            if any(e.type is EventType.TOUCHPOINT and "feedback" in (e.detail or "")
                   for e in request.events):
                self.touched.set()
            return RecordTimingResult(inserted=len(inserted))

        @activity.defn(name=STORE_FEEDBACK)
        def store_feedback(request: RecordFeedbackInput) -> RecordFeedbackResult:
            self.feedback_gate.wait(timeout=30)
            return RecordFeedbackResult(inserted=record_feedback(settings.db_url, request))

        return [record_timing_events, store_feedback]


async def until_set(event: threading.Event) -> None:
    for _ in range(400):
        if event.is_set():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the write never came")


async def closed(handle: WorkflowHandle, seconds: float) -> bool:
    """Whether the journey closes within `seconds` (a grace, never asserted on: the journey
    must not close while an update it took is unanswered)."""
    for _ in range(int(seconds / 0.1)):
        if (await handle.describe()).status is not WorkflowExecutionStatus.RUNNING:
            return True
        await asyncio.sleep(0.1)
    return False


async def test_feedback_taken_while_the_journey_ends_is_answered_and_kept(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    docs, app = new_application()
    writes = SlowWrites()
    async with running_journey(time_skipping_env, tmp_path, docs, app,
                               writes) as (settings, handle):
        await until_stage(handle, Stage.RISK_REVIEW)
        await handle.execute_update(LoanJourneyWorkflow.record_risk_opinion, RiskOpinion(
            actor=RISK_SME, verdict=Verdict.REJECT, grade=RiskGrade.G8,
            reason="leverage too high"))
        try:
            await until_set(writes.ended)  # rejected: the journey's last write under way
            feedback = Feedback(actor=customer(app), channel=Channel.APP,
                                stage=Stage.RISK_REVIEW, score=2)
            update = await handle.start_update(LoanJourneyWorkflow.record_feedback, feedback,
                                               wait_for_stage=WorkflowUpdateStage.ACCEPTED)
            writes.end_gate.set()  # the end written; the feedback's store still slow
            await until_set(writes.touched)
            await closed(handle, 3)  # the journey takes its time to close, or never does
        finally:
            writes.end_gate.set()
            writes.feedback_gate.set()
        done = await update.result()
        assert done.message == "feedback about risk_review recorded"
        assert (await handle.result()).outcome is Stage.REJECTED
        assert [f.score for f in feedback_for(settings.db_url, handle.id)] == [2]
