"""A relationship manager amends the amount or the term of an application before its approval
is decided (workflows/amendments.py), on the time-skipping server: before routing the case is
routed on the new figures; at risk review or approval it goes back to routing and its risk
review is given again; refused at the offer, for a customer, another manager, and figures an
application could not start with."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path

import pytest
from temporalio.client import WorkflowHandle, WorkflowUpdateStage
from temporalio.testing import WorkflowEnvironment

from journey.actors import Actor, Role
from journey.decisions import (
    AddDocuments,
    Amendment,
    ApprovalDecision,
    RiskGrade,
    RiskOpinion,
    UpdateResult,
    Verdict,
    WrittenAnswer,
)
from journey.stages import Stage
from journey.status import JourneyStatus
from journey.timeline import EventType
from tests.cli_kit import cli, point_cli_at, said
from tests.post_loan.loan_kit import assert_replays
from tests.workflows.journey_kit import (
    BRANCH_APPROVER,
    RISK_SME,
    customer,
    drive_to,
    new_application,
    refused,
    running_journey,
    status,
    until_stage,
)
from workflows.loan_journey import LoanJourneyWorkflow

RM_CHEN = Actor(id="rm-chen", role=Role.RELATIONSHIP_MANAGER)
RM_ZHANG = Actor(id="rm-zhang", role=Role.RELATIONSHIP_MANAGER)  # not this case's manager
RISK_CORP = Actor(id="risk-corp-1", role=Role.RISK_OFFICER)
WHY = "the customer now needs 12m for a second production line"


def amendment(actor: Actor = RM_CHEN, amount: int | None = 12_000_000,
              term_months: int | None = None) -> Amendment:
    return Amendment(actor=actor, amount=None if amount is None else Decimal(amount),
                     term_months=term_months, reason=WHY)


def amended(decisions: list) -> list[str]:
    return [d.reason for d in decisions if d.verdict == "amended"]


async def amended_back(handle: WorkflowHandle, request: Amendment
                       ) -> tuple[UpdateResult, JourneyStatus]:
    """Amend a case at risk review or approval: its answer, and the status once its risk review
    opens again (attempt 2). The update answers once the case has moved: accepted first, so
    that a case that does not move fails `until_stage`'s wait rather than hangs."""
    sent = await handle.start_update(LoanJourneyWorkflow.amend_application, request,
                                     wait_for_stage=WorkflowUpdateStage.ACCEPTED)
    for _ in range(3):
        review = await until_stage(handle, Stage.RISK_REVIEW)
        if review.attempt == 2:
            return await sent.result(), review
        await asyncio.sleep(0.2)
    raise AssertionError(f"the risk review did not open again: attempt {review.attempt}")


async def test_amended_while_the_file_is_short_the_case_is_routed_on_the_new_amount(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    """At completeness, before routing: the amount changes at once (the status shows it, the
    decision says from what to what and why, a touchpoint is kept), and the route, read once
    the file is complete, is the new amount's: corporate risk, head office (12m), not the SME
    team's branch approval of 3m."""
    docs, app = new_application(drop={"income"}, submitted_by=RM_CHEN)
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (_, handle):
        await until_stage(handle, Stage.COMPLETENESS, asking=True)
        result = await handle.execute_update(LoanJourneyWorkflow.amend_application,
                                             amendment(term_months=24))
        assert result.stage is Stage.COMPLETENESS
        assert result.message == ("amended: amount 3,000,000.00 -> 12,000,000.00; term 12 -> "
                                  "24 months")
        now = await status(handle)
        assert (now.amount, now.term_months, now.route) == (Decimal(12_000_000), 24, None)
        assert amended(now.decisions) == [
            f"amount 3,000,000.00 -> 12,000,000.00; term 12 -> 24 months ({WHY})"]
        assert any(e.type is EventType.TOUCHPOINT and e.actor == "rm-chen"
                   and e.detail == "application amended: amount 3,000,000.00 -> 12,000,000.00; "
                   "term 12 -> 24 months" for e in now.events)
        income = next(r.ref for r in docs.readings.values()
                      if r.ref.filename.endswith("-income.png"))
        await handle.execute_update(LoanJourneyWorkflow.add_documents,
                                    AddDocuments(actor=customer(app), documents=[income]))
        review = await until_stage(handle, Stage.RISK_REVIEW)
        assert review.route is not None
        assert (review.route.team, review.route.tier) == ("corporate_risk", "head_office")
        assert review.attempt == 1
        await assert_replays(handle)


async def test_amended_at_risk_review_the_case_is_routed_and_reviewed_again(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    """At risk review the amount changes who must decide: the case goes back to routing, is
    re-routed to the corporate team and head office for 12m, and its risk review opens again
    (attempt 2) on that team, whose officer's opinion is taken; the SME officer's is not."""
    docs, app = new_application(submitted_by=RM_CHEN)
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (_, handle):
        first = await drive_to(handle, app, Stage.RISK_REVIEW)
        assert first.route is not None and first.route.team == "sme_risk"
        result, again = await amended_back(handle, amendment())
        assert result.stage in (Stage.ROUTING, Stage.RISK_REVIEW)
        assert result.message == ("amended: amount 3,000,000.00 -> 12,000,000.00; the case is "
                                  "routed again on it and its risk opinion given again")
        assert again.amount == Decimal(12_000_000)
        assert again.route is not None
        assert (again.route.team, again.route.tier) == ("corporate_risk", "head_office")
        assert again.route.explanation.startswith("Routed again on amended application: ")
        assert [v.outcome for v in again.timeline if v.stage is Stage.RISK_REVIEW][0] \
            is Stage.ROUTING
        rerouted = [d.reason for d in again.decisions if d.verdict == "re-routed"]
        assert len(rerouted) == 1 and "on the amended application (amended: amount " \
            "3,000,000.00 -> 12,000,000.00)" in rerouted[0], rerouted
        assert "corporate_risk" in await refused(
            handle, LoanJourneyWorkflow.record_risk_opinion,
            RiskOpinion(actor=RISK_SME, verdict=Verdict.APPROVE, grade=RiskGrade.G3,
                        reason="sound"))
        await handle.execute_update(
            LoanJourneyWorkflow.record_risk_opinion,
            RiskOpinion(actor=RISK_CORP, verdict=Verdict.APPROVE, grade=RiskGrade.G3,
                        reason="sound at 12m"))
        approval = await until_stage(handle, Stage.APPROVAL)
        assert approval.route is not None and approval.route.tier == "head_office"
        await assert_replays(handle)


async def test_amended_while_a_decider_waits_for_the_customer_routed_again_once_complete(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    """A case the risk officer sent back with a question, amended while the customer is asked:
    once answered, it is routed again on the new amount (not back to the SME officer who
    asked) and its risk review opens again on the corporate team."""
    docs, app = new_application(submitted_by=RM_CHEN)
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (_, handle):
        await drive_to(handle, app, Stage.RISK_REVIEW)
        await handle.execute_update(LoanJourneyWorkflow.record_risk_opinion, RiskOpinion(
            actor=RISK_SME, verdict=Verdict.REQUEST_INFO, reason="purpose unclear",
            question="what will the loan finance?"))
        await until_stage(handle, Stage.COMPLETENESS, asking=True)
        result = await handle.execute_update(LoanJourneyWorkflow.amend_application,
                                             amendment())
        assert result.stage is Stage.COMPLETENESS
        assert result.message.endswith("once the file is complete the case is routed again on "
                                       "it and its risk opinion given again")
        await handle.execute_update(LoanJourneyWorkflow.answer_question, WrittenAnswer(
            actor=customer(app), text="a second production line"))
        again = await until_stage(handle, Stage.RISK_REVIEW)
        assert again.attempt == 2
        assert again.route is not None and again.route.team == "corporate_risk"
        back = [d.reason for d in again.decisions if d.verdict == "back to risk review"]
        assert back and "were amended since" in back[0] \
            and "given again on the amended application" in back[0], back
        await assert_replays(handle)


async def test_amended_at_approval_the_votes_are_cast_again_after_a_new_review(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    """At approval, before it is decided: back to routing and a new risk review, then an
    approval at the new amount's tier; a branch approver's vote is no longer taken."""
    docs, app = new_application(submitted_by=RM_CHEN)
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (_, handle):
        await drive_to(handle, app, Stage.APPROVAL)
        _, review = await amended_back(handle, amendment())
        assert review.route is not None and review.route.team == "corporate_risk"
        await handle.execute_update(
            LoanJourneyWorkflow.record_risk_opinion,
            RiskOpinion(actor=RISK_CORP, verdict=Verdict.APPROVE, grade=RiskGrade.G3,
                        reason="sound at 12m"))
        approval = await until_stage(handle, Stage.APPROVAL)
        assert approval.attempt == 2
        assert "head_office" in await refused(
            handle, LoanJourneyWorkflow.decide,
            ApprovalDecision(actor=BRANCH_APPROVER, verdict=Verdict.APPROVE, reason="fine"))
        await assert_replays(handle)


async def test_amended_while_the_committee_votes_the_votes_cast_are_set_aside(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    """60m goes to the credit committee; one member approves, then the customer asks for 40m:
    the vote cast on 60m is set aside, and the case, reviewed again, goes to head office."""
    docs, app = new_application(amount=60_000_000, submitted_by=RM_CHEN)
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (_, handle):
        await drive_to(handle, app, Stage.APPROVAL, risk=RISK_CORP)
        cc1 = Actor(id="cc-1", role=Role.APPROVER)
        await handle.execute_update(LoanJourneyWorkflow.decide, ApprovalDecision(
            actor=cc1, verdict=Verdict.APPROVE, reason="within appetite"))
        result, review = await amended_back(handle, amendment(amount=40_000_000))
        assert result.message.endswith("its risk opinion given again; the votes cast are set "
                                       "aside"), result.message
        assert review.route is not None and review.route.tier == "head_office"
        assert review.voted == []
        aside = [d.reason for d in review.decisions if d.verdict == "votes set aside"]
        assert aside == ["cc-1 (approve): cast on the application before it was amended; every "
                         "approver votes again once the risk opinion is given again"]
        await assert_replays(handle)


async def test_refused_at_the_offer_for_a_customer_another_manager_and_beyond_the_limits(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    """Refused before the history: by the customer itself, by another relationship manager,
    below the product's least amount or beyond its longest term; once approved (the offer),
    the refusal says to withdraw and start again."""
    docs, app = new_application(submitted_by=RM_CHEN)
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (_, handle):
        await drive_to(handle, app, Stage.RISK_REVIEW)
        amend = LoanJourneyWorkflow.amend_application
        assert "a customer does not amend its application itself" in await refused(
            handle, amend, amendment(customer(app)))
        assert "'rm-zhang' may not amend the application: this is relationship manager " \
            "'rm-chen''s case" in await refused(handle, amend, amendment(RM_ZHANG))
        assert ("the amount 100,000.00 yuan is below the least the bank lends for a "
                "working_capital loan, 500,000.00 yuan") in await refused(
            handle, amend, amendment(amount=100_000))
        assert ("the term of 48 months is longer than the bank lends a working_capital loan "
                "for, 36 months") in await refused(
            handle, amend, amendment(amount=None, term_months=48))
        assert "nothing to amend" in await refused(handle, amend, amendment(amount=3_000_000))
        await drive_to(handle, app, Stage.OFFER)
        at_offer = await refused(handle, amend, amendment())
        assert "the journey is at offer and the approval is decided" in at_offer
        assert "withdraw the application" in at_offer and "start a new one" in at_offer
        assert amended((await status(handle)).decisions) == []


def test_an_amendment_changes_something_and_says_why() -> None:
    with pytest.raises(ValueError, match="changes the amount, the term or both"):
        Amendment(actor=RM_CHEN, reason=WHY)
    with pytest.raises(ValueError, match="say why the application is amended"):
        Amendment(actor=RM_CHEN, amount=Decimal(1), reason="less")


async def test_amend_on_the_command_line(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`loan-journey amend` sends the amendment as its manager typed it."""
    docs, app = new_application(submitted_by=RM_CHEN)
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (_, handle):
        await drive_to(handle, app, Stage.RISK_REVIEW)
        point_cli_at(monkeypatch, time_skipping_env.client, tmp_path)
        done = await cli("amend", handle.id, "--amount", "12000000", "--term", "24",
                         "--reason", WHY, "--as", "rm-chen")
        assert done.exit_code == 0, done.output
        assert ("amendment: accepted; journey at" in said(done)
                and "amended: amount 3,000,000.00 -> 12,000,000.00; term 12 -> 24 months; the case "
                "is routed again" in said(done)), said(done)
        again = await until_stage(handle, Stage.RISK_REVIEW)
        assert (again.amount, again.term_months, again.attempt) == (Decimal(12_000_000), 24, 2)
        nothing = await cli("amend", handle.id, "--reason", WHY, "--as", "rm-chen")
        assert nothing.exit_code != 0
        assert "changes the amount, the term or both" in said(nothing)
