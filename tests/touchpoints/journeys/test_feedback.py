"""Feedback on the time-skipping server: scores and stages validated before the history, the
score stored once in SQL, the comment kept out of SQL and the timing events."""

from __future__ import annotations

import pytest
from temporalio.testing import WorkflowEnvironment

from journey.actors import Actor, Role
from journey.application import Channel, LoanApplication
from journey.decisions import RiskGrade, RiskOpinion, Verdict
from journey.policy import DecisionRefused
from journey.stages import Stage
from journey.timeline import EventType
from journey.touchpoints import (
    LATE_TOUCHPOINT_BASE,
    ComplaintCategory,
    Feedback,
    ScoreKind,
    check_score,
)
from starter import late_touchpoints, operations
from starter.errors import Ended, NotFound, Refused
from store.feedback import feedback_for
from store.timing import events_for
from store.touchpoint_analytics import build_touchpoints
from tests.cli_kit import cli, point_cli_at, said
from tests.workflows.journey_kit import (
    RISK_SME,
    Documents,
    customer,
    new_application,
    refused,
    running_journey,
    status,
    until_stage,
)
from workflows.loan_journey import LoanJourneyWorkflow

RECORD = LoanJourneyWorkflow.record_feedback
CASE_RM = Actor(id="rm-chen", role=Role.RELATIONSHIP_MANAGER)  # records what the customer said


def managed_application() -> tuple[Documents, LoanApplication]:
    """A new application submitted by its relationship manager, CASE_RM."""
    docs, app = new_application()
    return docs, app.model_copy(update={"submitted_by": CASE_RM})


async def test_feedback_is_validated_and_stored_once(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    docs, app = managed_application()
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (settings, handle):
        await until_stage(handle, Stage.RISK_REVIEW)
        me = customer(app)
        complaint = Feedback(
            actor=me,
            channel=Channel.WEB,
            stage=Stage.COMPLETENESS,
            score=2,
            category=ComplaintCategory.WAITING_TIME,
            comment="张三 waited two days, call 138...",
        )
        done = await handle.execute_update(RECORD, complaint)
        assert done.message == "complaint about completeness recorded"
        nps = Feedback(
            actor=CASE_RM,
            channel=Channel.BRANCH,
            stage=Stage.RISK_REVIEW,
            score=9,
            kind=ScoreKind.NPS,
        )
        await handle.execute_update(RECORD, nps)

        # refused before the history: a stage not reached, a score out of its range,
        # someone who is neither the customer nor its relationship manager
        assert "has not been at offer" in await refused(
            handle, RECORD, complaint.model_copy(update={"stage": Stage.OFFER})
        )
        out_of_range = complaint.model_dump(mode="json") | {"score": 7}
        assert "csat score is 1 to 5, got 7" in await refused(handle, RECORD, out_of_range)
        nps_range = nps.model_dump(mode="json") | {"score": 11}
        assert "nps score is 0 to 10, got 11" in await refused(handle, RECORD, nps_range)
        assert "needs one of: relationship_manager" in await refused(
            handle, RECORD, complaint.model_copy(update={"actor": RISK_SME})
        )
        stranger = Actor(id="91110000000000000X", role=Role.CUSTOMER)
        assert "only the borrowing customer" in await refused(
            handle, RECORD, complaint.model_copy(update={"actor": stranger})
        )
        # one score of a kind per stage visit; a complaint may still come
        assert "a nps score about risk_review (visit 1) is already recorded" in await refused(
            handle, RECORD, nps.model_copy(update={"score": 3}))
        with pytest.raises(DecisionRefused, match="csat score is 1 to 5, got 0"):
            check_score(Feedback(actor=me, channel=Channel.WEB, stage=Stage.INTAKE, score=0))

        stored = feedback_for(settings.db_url, handle.id)
        assert [(f.stage, f.kind, f.score, f.category, f.channel, f.given_at) for f in stored] == [
            (
                Stage.COMPLETENESS,
                ScoreKind.CSAT,
                2,
                ComplaintCategory.WAITING_TIME,
                Channel.WEB,
                Stage.RISK_REVIEW,
            ),
            (Stage.RISK_REVIEW, ScoreKind.NPS, 9, None, Channel.BRANCH, Stage.RISK_REVIEW),
        ]
        assert stored[0].has_comment and not stored[1].has_comment
        s = await status(handle)
        touch = [
            e for e in s.events if e.type is EventType.TOUCHPOINT and e.stage is Stage.RISK_REVIEW
        ]
        assert [(e.channel, e.detail) for e in touch] == [
            (Channel.WEB, "feedback csat=2 about completeness complaint waiting_time"),
            (Channel.BRANCH, "feedback nps=9 about risk_review"),
        ]
        # the rows are keyed by the touchpoint's sequence, flushed at once
        assert [f.sequence for f in stored] == [e.sequence for e in touch]
        rows = events_for(settings.db_url, handle.id)
        assert {e.sequence for e in touch} <= {e.sequence for e in rows}
        assert not any("张三" in (e.detail or "") for e in rows)


async def test_feedback_for_an_unknown_journey_is_not_found(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    me = Actor(id="91310000MA1FL4QX2B", role=Role.CUSTOMER)
    with pytest.raises(NotFound, match="no running journey 'loan-NOPE'"):
        await operations.act(
            time_skipping_env.client,
            "loan-NOPE",
            "record_feedback",
            Feedback(actor=me, channel=Channel.APP, stage=Stage.INTAKE, score=4),
        )


async def test_a_declined_customers_complaint_is_kept_after_the_journey_ended(
    time_skipping_env: WorkflowEnvironment, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs, app = managed_application()
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (settings, handle):
        await until_stage(handle, Stage.RISK_REVIEW)
        no = RiskOpinion(actor=RISK_SME, verdict=Verdict.REJECT, grade=RiskGrade.G8,
                         reason="leverage too high")
        await handle.execute_update(LoanJourneyWorkflow.record_risk_opinion, no)
        assert (await handle.result()).outcome is Stage.REJECTED
        client, me = time_skipping_env.client, customer(app)
        complaint = Feedback(actor=me, channel=Channel.PHONE, stage=Stage.RISK_REVIEW, score=1,
                             category=ComplaintCategory.DECISION, comment="please explain")
        with pytest.raises(Ended):  # the journey takes no more updates
            await operations.act(client, handle.id, "record_feedback", complaint)

        kept = await late_touchpoints.record_late_feedback(client, settings, handle.id, complaint)
        assert kept == f"feedback-{handle.id}"
        again = complaint.model_copy(update={"actor": CASE_RM, "channel": Channel.BRANCH,
                                             "category": None, "score": 2})
        await late_touchpoints.record_late_feedback(client, settings, handle.id, again)
        late = [f for f in feedback_for(settings.db_url, handle.id)
                if f.sequence >= LATE_TOUCHPOINT_BASE]
        assert [(f.sequence - LATE_TOUCHPOINT_BASE, f.stage, f.given_at, f.category, f.actor)
                for f in late] == [
            (0, Stage.RISK_REVIEW, Stage.REJECTED, ComplaintCategory.DECISION, me.id),
            (1, Stage.RISK_REVIEW, Stage.REJECTED, None, CASE_RM.id),
        ]
        report = build_touchpoints(settings.db_url)
        assert any((c.stage, c.category) == ("risk_review", "decision")
                   for c in report.complaint_categories)

        # checked as the journey checks feedback, before anything is kept
        someone = complaint.model_copy(update={"actor": Actor(id="91310000MA1FL4QX2B",
                                                              role=Role.CUSTOMER)})
        with pytest.raises(Refused, match="only the borrowing customer"):
            await late_touchpoints.record_late_feedback(client, settings, handle.id, someone)
        offer = complaint.model_copy(update={"stage": Stage.OFFER})
        with pytest.raises(Refused, match="never at offer"):
            await late_touchpoints.record_late_feedback(client, settings, handle.id, offer)
        assert len(feedback_for(settings.db_url, handle.id)) == len(late)

        # from the command line: the complaint is kept, and says where
        point_cli_at(monkeypatch, client, data_dir=settings.data_dir)
        monkeypatch.setenv("LOAN_JOURNEY_TASK_QUEUE", settings.task_queue)  # the late run's
        said_ = await cli("feedback", handle.id, "--score", "1", "--stage", "risk_review",
                          "--category", "decision", "--as", me.id, "--channel", "app")
        assert said_.exit_code == 0, said_.output
        assert f"has ended: the complaint is kept as feedback-{handle.id}" in said(said_)
