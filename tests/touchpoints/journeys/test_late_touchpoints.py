"""What a customer says after the journey ended is on the journey map: late feedback and a
late status inquiry are TOUCHPOINT events in the stage the journey ended in, each stored once
under a number of its own however often the writes are retried, and the report counts them;
one given by somebody who may not speak for the customer is refused, kept as refusals are,
and records nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from temporalio import activity
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment
from typer.testing import CliRunner

from journey import contracts
from journey.application import Channel, Product
from journey.contracts import RecordTimingInput, RecordTimingResult
from journey.decisions import RiskGrade, RiskOpinion, Verdict, Withdrawal
from journey.settings import Settings
from journey.stages import Party, Stage
from journey.timeline import EventType, TimingEvent
from journey.touchpoints import (
    LATE_TOUCHPOINT_BASE,
    STORE_FEEDBACK,
    ComplaintCategory,
    Feedback,
    Inquiry,
    LateTouchpointResult,
    RecordFeedbackInput,
    RecordFeedbackResult,
    ScoreKind,
    late_touchpoints_id,
)
from starter import late_touchpoints, operations
from starter.errors import Refused
from starter.report import report_app
from store.feedback import feedback_for, late_touchpoints_taken, record_feedback
from store.refusals import refusals
from store.timing import events_for, record_events, record_new_events
from store.touchpoint_analytics import build_touchpoints
from tests.cli_kit import cli, point_cli_at, said
from tests.workflows.journey_kit import (
    RISK_SME,
    SUBMITTER,
    customer,
    drive_to,
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
            lose_first("timing", any(e.sequence >= LATE_TOUCHPOINT_BASE for e in request.events))
            return RecordTimingResult(inserted=len(fresh))

        @activity.defn(name=STORE_FEEDBACK)
        def store_feedback(request: RecordFeedbackInput) -> RecordFeedbackResult:
            inserted = record_feedback(settings.db_url, request)
            lose_first("feedback", request.sequence >= LATE_TOUCHPOINT_BASE)
            return RecordFeedbackResult(inserted=inserted)

        return [record_timing_events, store_feedback]

    return make


def late_events(settings: Settings, journey: str) -> list[TimingEvent]:
    return [e for e in events_for(settings.db_url, journey) if e.sequence >= LATE_TOUCHPOINT_BASE]


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
        await late_touchpoints.record_late_feedback(client, settings, handle.id, complaint)
        assert tried == ["feedback", "feedback", "timing", "timing"]  # each written twice

        [event] = late_events(settings, handle.id)
        assert (event.sequence, event.type, event.stage, event.attempt, event.channel,
                event.actor, event.detail) == (
            LATE_TOUCHPOINT_BASE, EventType.TOUCHPOINT, Stage.REJECTED, 1, Channel.PHONE, me.id,
            "feedback csat=1 about risk_review complaint decision")
        [score] = [f for f in feedback_for(settings.db_url, handle.id)
                   if f.sequence >= LATE_TOUCHPOINT_BASE]
        assert score.sequence == event.sequence  # one touchpoint: its event and its score

        # the same complaint again is the customer complaining again: a touchpoint of its own
        await late_touchpoints.record_late_feedback(client, settings, handle.id, complaint)
        assert [e.sequence - LATE_TOUCHPOINT_BASE for e in late_events(settings, handle.id)] == [
            0, 1]
        report = build_touchpoints(settings.db_url)
        assert report.touchpoints == before + 2
        assert [(c.channel, c.touchpoints) for c in report.channels if c.stage == "rejected"] == [
            ("phone", 2)]


async def test_a_late_inquiry_is_kept_and_counted_as_any_inquiry(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs, app = new_application()
    tried: list[str] = []
    async with running_journey(time_skipping_env, tmp_path, docs, app,
                               lost_answers(tried)) as (settings, handle):
        await drive_to(handle, app, Stage.OFFER)
        await handle.execute_update(LoanJourneyWorkflow.withdraw, Withdrawal(
            actor=customer(app), reason="found cheaper funding"))
        assert (await handle.result()).outcome is Stage.WITHDRAWN
        client, me = time_skipping_env.client, customer(app)
        running = await operations.status(client, handle.id)

        # the customer asks, then the branch asks for them: answered with how it ended
        said_ = await late_touchpoints.record_late_inquiry(
            client, settings, handle.id, Inquiry(actor=me, channel=Channel.PHONE))
        assert (said_.stage, said_.outcome_reason) == (Stage.WITHDRAWN, "found cheaper funding")
        await late_touchpoints.record_late_inquiry(
            client, settings, handle.id, Inquiry(actor=SUBMITTER, channel=Channel.BRANCH))
        assert tried == ["timing"] * 4  # each inquiry's event written twice
        # late feedback and inquiries share the journey's late numbers
        await late_touchpoints.record_late_feedback(client, settings, handle.id, Feedback(
            actor=me, channel=Channel.APP, stage=Stage.OFFER, score=3))
        kept = await client.get_workflow_handle(late_touchpoints_id(handle.id),
                                                result_type=LateTouchpointResult).result()

        # and from the command line, in words for the customer, saying where it is kept
        point_cli_at(monkeypatch, client, data_dir=settings.data_dir)
        monkeypatch.setenv("LOAN_JOURNEY_TASK_QUEUE", settings.task_queue)  # the late run's
        asked = await cli("inquiry", handle.id, "--as", me.id, "--channel", "web")
        assert asked.exit_code == 0, asked.output
        assert " ".join(asked.stdout.split()).endswith(  # the answer alone, for the customer
            "(the bank's day, UTC+8): the application was withdrawn.")
        assert asked.stderr.strip() == f"the inquiry is kept as feedback-{handle.id}"

        late = late_events(settings, handle.id)
        assert [(e.sequence - LATE_TOUCHPOINT_BASE, e.type, e.stage, e.waits_on, e.channel,
                 e.actor, e.detail) for e in late] == [
            (0, EventType.TOUCHPOINT, Stage.WITHDRAWN, Party.SYSTEM, Channel.PHONE, me.id,
             "inquiry"),
            (1, EventType.TOUCHPOINT, Stage.WITHDRAWN, Party.SYSTEM, Channel.BRANCH,
             SUBMITTER.id, "inquiry"),
            (2, EventType.TOUCHPOINT, Stage.WITHDRAWN, Party.SYSTEM, Channel.APP, me.id,
             "feedback csat=3 about offer"),
            (3, EventType.TOUCHPOINT, Stage.WITHDRAWN, Party.SYSTEM, Channel.WEB, me.id,
             "inquiry"),
        ]
        assert kept.sequence == late[2].sequence
        assert [f.sequence for f in feedback_for(settings.db_url, handle.id)] == [
            late[2].sequence]  # an inquiry has no score
        in_journey = [e for e in events_for(settings.db_url, handle.id)
                      if e.type is EventType.TOUCHPOINT and e.sequence < LATE_TOUCHPOINT_BASE]
        assert len(in_journey) == len([e for e in running.events
                                       if e.type is EventType.TOUCHPOINT])

        # counted as any touchpoint: in the stage the journey ended in, by channel
        touch = build_touchpoints(settings.db_url)
        assert touch.touchpoints == len(in_journey) + 4
        assert [(c.channel, c.touchpoints) for c in touch.channels if c.stage == "withdrawn"] == [
            ("app", 1), ("branch", 1), ("phone", 1), ("web", 1)]
        printed = CliRunner().invoke(report_app, ["report", "--db", settings.db_url])
        assert printed.exit_code == 0, printed.output
        row = next(line for line in printed.output.splitlines() if line.startswith("│ withdrawn "))
        assert [cell.strip() for cell in row.split("│")[1:4]] == [
            "withdrawn", "4", "app 1, branch 1, phone 1, web 1"]


async def test_a_late_inquiry_from_anyone_else_is_refused_and_records_nothing(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs, app = new_application()
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (settings, handle):
        client = time_skipping_env.client
        await until_stage(handle, Stage.RISK_REVIEW)
        with pytest.raises(Refused, match="is at risk_review: record the inquiry on the journey"):
            await late_touchpoints.record_late_inquiry(  # a running journey records its own
                client, settings, handle.id, Inquiry(actor=customer(app), channel=Channel.WEB))
        await rejected(handle)
        # a risk officer is not the customer's side
        with pytest.raises(Refused, match="inquiry not recorded: .*needs one of"):
            await late_touchpoints.record_late_inquiry(
                client, settings, handle.id, Inquiry(actor=RISK_SME, channel=Channel.PHONE))

        point_cli_at(monkeypatch, client, data_dir=settings.data_dir)
        monkeypatch.setenv("LOAN_JOURNEY_TASK_QUEUE", settings.task_queue)
        stranger = "91310000MA1FL4QX2B"  # another company
        asked = await cli("inquiry", handle.id, "--as", stranger, "--channel", "phone")
        assert asked.exit_code == 3 and "only the borrowing customer" in said(asked)
        [kept] = refusals(settings.db_url, handle.id)  # as the command line keeps refusals
        assert (kept.action, kept.actor, kept.role) == ("late inquiry", stranger, "customer")
        assert "only the borrowing customer" in kept.reason

        assert late_events(settings, handle.id) == []
        assert feedback_for(settings.db_url, handle.id) == []


def test_late_numbers_follow_feedback_kept_before_it_had_events(tmp_path: Path) -> None:
    """Late feedback kept before late touchpoints were timing events has a score and no
    event: the next late touchpoint takes the number after it, not the same one."""
    url, at = f"sqlite:///{tmp_path / 'j.db'}", datetime(2026, 5, 1, tzinfo=UTC)
    assert late_touchpoints_taken(url, "loan-A") == 0
    record_feedback(url, RecordFeedbackInput(
        workflow_id="loan-A", sequence=LATE_TOUCHPOINT_BASE, at=at, product=Product.WORKING_CAPITAL,
        stage=Stage.RISK_REVIEW, attempt=1, given_at=Stage.REJECTED, kind=ScoreKind.CSAT, score=1,
        channel=Channel.PHONE, actor="customer"))
    assert late_touchpoints_taken(url, "loan-A") == 1
    record_events(url, [TimingEvent(
        workflow_id="loan-A", sequence=LATE_TOUCHPOINT_BASE + 1, type=EventType.TOUCHPOINT,
        stage=Stage.REJECTED, at=at, waits_on=Party.SYSTEM, product=Product.WORKING_CAPITAL,
        actor="customer", channel=Channel.PHONE, detail="inquiry")])
    assert late_touchpoints_taken(url, "loan-A") == 2
    assert late_touchpoints_taken(url, "loan-B") == 0  # each journey its own
