"""A CSAT or NPS score is the customer's own: on the time-skipping server, an operations
officer's score and another manager's are refused, in the journey and after it ended, and
the customer's stands in the report; the case's relationship manager recording what the
customer said on the phone counts as the customer's own score does."""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from journey.actors import Actor, Role
from journey.application import Channel
from journey.decisions import RiskGrade, RiskOpinion, Verdict
from journey.stages import Stage
from journey.touchpoints import ComplaintCategory, Feedback
from starter import late_touchpoints
from starter.errors import Refused
from store.feedback import feedback_for
from store.refusals import refusals
from store.touchpoint_analytics import build_touchpoints
from tests.cli_kit import cli, point_cli_at, said
from tests.workflows.journey_kit import (
    RISK_SME,
    customer,
    new_application,
    refused,
    running_journey,
    until_stage,
)
from workflows.loan_journey import LoanJourneyWorkflow

RECORD = LoanJourneyWorkflow.record_feedback
CASE_RM = Actor(id="rm-chen", role=Role.RELATIONSHIP_MANAGER)
OPS = Actor(id="ops-wang", role=Role.OPERATIONS)
OTHER_RM = Actor(id="rm-zhang", role=Role.RELATIONSHIP_MANAGER)


def csat(db_url: str) -> dict[str, tuple[float | None, int]]:
    return {s.stage: (s.csat_avg, s.csat_n) for s in build_touchpoints(db_url).satisfaction}


async def test_only_the_customer_or_its_manager_gives_the_customers_score(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs, app = new_application()
    app = app.model_copy(update={"submitted_by": CASE_RM})
    me = customer(app)
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (settings, handle):
        await until_stage(handle, Stage.RISK_REVIEW)
        await handle.execute_update(RECORD, Feedback(
            actor=me, channel=Channel.WEB, stage=Stage.COMPLETENESS, score=1,
            category=ComplaintCategory.WAITING_TIME))
        theirs = Feedback(actor=OPS, channel=Channel.PHONE, stage=Stage.COMPLETENESS, score=3)
        assert "needs one of: relationship_manager" in await refused(handle, RECORD, theirs)
        other = theirs.model_copy(update={"actor": OTHER_RM})
        assert "relationship manager 'rm-chen'" in await refused(handle, RECORD, other)
        typed_in = theirs.model_copy(update={"actor": CASE_RM, "channel": Channel.WEB})
        assert "recorded for the customer is what it said" in await refused(
            handle, RECORD, typed_in)
        # the case's manager records what the customer said on the phone
        await handle.execute_update(RECORD, Feedback(
            actor=CASE_RM, channel=Channel.PHONE, stage=Stage.INTAKE, score=4))
        assert csat(settings.db_url) == {"intake": (4.0, 1), "completeness": (1.0, 1)}

        await handle.execute_update(LoanJourneyWorkflow.record_risk_opinion, RiskOpinion(
            actor=RISK_SME, verdict=Verdict.REJECT, grade=RiskGrade.G8, reason="leverage"))
        assert (await handle.result()).outcome is Stage.REJECTED
        client = time_skipping_env.client
        complaint = Feedback(actor=me, channel=Channel.PHONE, stage=Stage.REJECTED, score=1,
                             category=ComplaintCategory.DECISION)
        await late_touchpoints.record_late_feedback(client, settings, handle.id, complaint)

        # the tester's case: the operations officer's 3 after the customer's 1, refused
        point_cli_at(monkeypatch, client, data_dir=settings.data_dir)
        monkeypatch.setenv("LOAN_JOURNEY_TASK_QUEUE", settings.task_queue)
        scored = await cli("feedback", handle.id, "--score", "3", "--stage", "rejected",
                           "--channel", "phone", "--as", OPS.id, "--role", "operations")
        assert scored.exit_code == 3 and "needs one of: relationship_manager" in said(scored)
        [kept] = refusals(settings.db_url, handle.id)
        assert (kept.action, kept.actor) == ("late feedback", OPS.id)
        with pytest.raises(Refused, match="relationship manager 'rm-chen'"):
            await late_touchpoints.record_late_feedback(
                client, settings, handle.id,
                complaint.model_copy(update={"actor": OTHER_RM, "category": None, "score": 5}))
        assert csat(settings.db_url)["rejected"] == (1.0, 1)
        assert {f.actor for f in feedback_for(settings.db_url, handle.id)} == {me.id, CASE_RM.id}

        # what the customer told its manager afterwards counts as the customer's own would
        await late_touchpoints.record_late_feedback(
            client, settings, handle.id,
            complaint.model_copy(update={"actor": CASE_RM, "category": None, "score": 2}))
        assert csat(settings.db_url)["rejected"] == (2.0, 1)
