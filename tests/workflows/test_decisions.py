"""Authority, four eyes, committee votes, requests for information and reassignment on the
time-skipping server; a refused update never reaches the history."""

from __future__ import annotations

import asyncio
import csv
import json
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from activities.policy import PolicyActivities
from journey.actors import Actor, Role
from journey.application import Product
from journey.credit_code import generate
from journey.decisions import (
    AddDocuments,
    ApprovalDecision,
    Reassignment,
    RiskGrade,
    RiskOpinion,
    Signature,
    Verdict,
    WrittenAnswer,
)
from journey.decline_reasons import DeclineReason
from journey.policy import DEFAULT_POLICY_FILE
from journey.settings import Settings
from journey.stages import Stage
from store.export import export_csv
from store.outbox import messages_for
from store.policies import record_policy
from tests.cli_kit import cli, point_cli_at, said
from tests.workflows import journey_kit
from tests.workflows.journey_kit import (
    BRANCH_APPROVER,
    RISK_SME,
    customer,
    drive_to,
    new_application,
    refused,
    running_journey,
    until_stage,
)
from workflows import search_attributes as sa
from workflows.loan_journey import LoanJourneyWorkflow

CC = [Actor(id=f"cc-{n}", role=Role.APPROVER) for n in (1, 2, 3)]
RISK_PF = Actor(id="risk-pf-1", role=Role.RISK_OFFICER)
RM_CHEN = Actor(id="rm-chen", role=Role.RELATIONSHIP_MANAGER)
RM_ZHANG = Actor(id="rm-zhang", role=Role.RELATIONSHIP_MANAGER)  # manages other companies
STRANGER = Actor(id=generate(), role=Role.CUSTOMER)  # another company, a valid credit code


def opinion(actor: Actor, verdict: Verdict = Verdict.APPROVE, reason: str = "sound") -> RiskOpinion:
    return RiskOpinion(actor=actor, verdict=verdict, grade=RiskGrade.G3, reason=reason)


def vote(actor: Actor, verdict: Verdict = Verdict.APPROVE, reason: str = "within appetite",
         category: DeclineReason | None = None, question: str | None = None
         ) -> ApprovalDecision:
    return ApprovalDecision(actor=actor, verdict=verdict, reason=reason, category=category,
                            question=question)


async def test_wrong_people_are_refused_before_the_history(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    docs, app = new_application()
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (_, handle):
        await until_stage(handle, Stage.RISK_REVIEW)
        review = LoanJourneyWorkflow.record_risk_opinion
        assert "not in the staff directory" in await refused(
            handle, review, opinion(Actor(id="mallory", role=Role.RISK_OFFICER))
        )
        assert "routed to" in await refused(
            handle, review, opinion(Actor(id="risk-corp-1", role=Role.RISK_OFFICER))
        )
        assert "role" in await refused(
            handle, review, opinion(Actor(id="risk-sme-1", role=Role.APPROVER))
        )
        assert "not approval" in await refused(
            handle, LoanJourneyWorkflow.decide, vote(BRANCH_APPROVER)
        )
        await handle.execute_update(review, opinion(RISK_SME))
        await until_stage(handle, Stage.APPROVAL)
        # four eyes: the risk reviewer cannot approve, even if the directory had them as approver
        assert "'risk-sme-1' is risk_officer; this needs one of: approver (ask appr-branch-1, " \
            "appr-branch-2)" in await refused(
            handle, LoanJourneyWorkflow.decide, vote(Actor(id="risk-sme-1", role=Role.APPROVER))
        )
        # a head-office approver does not decide a branch case
        assert await refused(
            handle, LoanJourneyWorkflow.decide, vote(Actor(id="appr-ho-1", role=Role.APPROVER))
        )
        # documents are not taken at approval
        assert "documents are taken" in await refused(
            handle,
            LoanJourneyWorkflow.add_documents,
            AddDocuments(actor=customer(app), documents=app.documents[:1]),
        )


async def test_submitter_cannot_approve_own_case(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    docs, app = new_application()
    app.submitted_by = BRANCH_APPROVER
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (_, handle):
        await drive_to(handle, app, Stage.APPROVAL)
        message = await refused(handle, LoanJourneyWorkflow.decide, vote(BRANCH_APPROVER))
        assert message.endswith("'appr-branch-1' submitted this application and cannot approve "
                                "it (four eyes): ask a colleague (appr-branch-2)")


async def decided_by(db_url: str, workflow_id: str, at: Path) -> list[str]:
    """Whom the exported event log (`export -f csv`) credits with the journey's approval
    stage and the end it led to, once its exit is written (behind the vote)."""
    for _ in range(200):
        export_csv(db_url, at / "log.csv")
        with (at / "log.csv").open(encoding="utf-8") as fh:
            rows = [r for r in csv.DictReader(fh) if r["case:concept:name"] == workflow_id]
        approval = [r for r in rows if r["concept:name"] == "approval"
                    and r["lifecycle:transition"] == "complete"]
        if approval:
            return [r["org:resource"] for r in rows
                    if r["concept:name"] in ("approval", "rejected")]
        await asyncio.sleep(0.05)
    raise AssertionError(f"the approval of {workflow_id} was not exported")


async def test_committee_needs_two_distinct_votes(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    docs, app = new_application(amount=80_000_000, product=Product.PROJECT_FINANCE, term_months=60)
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (settings, handle):
        routed = await until_stage(handle, Stage.RISK_REVIEW)
        assert routed.route and routed.route.tier == "credit_committee"
        assert routed.route.approvals_required == 2
        await handle.execute_update(LoanJourneyWorkflow.record_risk_opinion, opinion(RISK_PF))
        await until_stage(handle, Stage.APPROVAL)
        first = await handle.execute_update(LoanJourneyWorkflow.decide, vote(CC[0]))
        assert first.stage is Stage.APPROVAL and "1 of 2 approval(s)" in first.message
        assert "already" in await refused(handle, LoanJourneyWorkflow.decide, vote(CC[0]))
        second = await handle.execute_update(LoanJourneyWorkflow.decide, vote(CC[1]))
        assert second.stage is Stage.OFFER
        final = await handle.query(LoanJourneyWorkflow.status)
        assert [d.actor.id for d in final.decisions if d.stage is Stage.APPROVAL] == [
            "cc-1",
            "cc-2",
        ]
        # the export credits the decision to both, in the order they voted
        assert await decided_by(settings.db_url, handle.id, tmp_path) == ["cc-1+cc-2"]


async def test_a_committee_decides_two_of_three_not_on_the_first_vote_against(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    """One member against does not decide a two-of-three committee while the other two can
    still approve; the case is rejected once two approvals can no longer be reached, with
    every reason against; the customer is told each category against, not who voted how."""
    for last, outcome, deciders in [(Verdict.APPROVE, Stage.OFFER, ["cc-1+cc-3"]),
                                    (Verdict.REJECT, Stage.REJECTED, ["cc-2+cc-3"] * 2)]:
        docs, app = new_application(amount=80_000_000, product=Product.PROJECT_FINANCE,
                                    term_months=60)
        async with running_journey(time_skipping_env, tmp_path, docs, app) as (settings, handle):
            await until_stage(handle, Stage.RISK_REVIEW)
            await handle.execute_update(LoanJourneyWorkflow.record_risk_opinion, opinion(RISK_PF))
            await until_stage(handle, Stage.APPROVAL)
            await handle.execute_update(LoanJourneyWorkflow.decide, vote(CC[0]))
            against = await handle.execute_update(
                LoanJourneyWorkflow.decide,
                vote(CC[1], Verdict.REJECT, "tariff risk", DeclineReason.INDUSTRY))
            assert against.stage is Stage.APPROVAL
            assert "1 of 2 approval(s), 1 against; 1 eligible approver(s)" in against.message
            status = await handle.query(LoanJourneyWorkflow.status)
            assert "1 against" in status.waiting_for[0]
            done = await handle.execute_update(
                LoanJourneyWorkflow.decide, vote(CC[2], last, "within appetite"
                                                 if last is Verdict.APPROVE
                                                 else "cash flow too thin"))
            assert done.stage is outcome
            # the export credits those whose votes made the decision, not the dissenter
            assert await decided_by(settings.db_url, handle.id, tmp_path) == deciders
            if outcome is Stage.REJECTED:
                result = await handle.result()
                assert "cc-2: tariff risk" in result.reason
                assert "cc-3: cash flow too thin" in result.reason
                [told] = [m.body for m in messages_for(settings.db_url, handle.id)
                          if m.template == "application_declined"]
                assert told.endswith(
                    "It was decided at the bank's credit approval. Reason: industry - the bank "
                    "does not lend to the business's sector on these terms; the bank's overall "
                    "credit assessment.")
                assert not any(said in told for said in ("cc-", "tariff", "cash flow too thin",
                                                         "against", "approval(s)"))


def committee_with_limits(
    tmp_path: Path, version: str = "committee-limits",
    limits: tuple[str, str, str] = ("100000000", "100000000", "50000000"),
) -> tuple[str, Callable[[Settings], list[Any]]]:
    """The default policy under `version` with a credit committee that votes on limits: its
    members' `limits`, and cc-4 like cc-3. Its text, and the policy activity that pins it."""
    committee: dict[str, Any] = json.loads(DEFAULT_POLICY_FILE.read_text(encoding="utf-8"))
    committee["version"] = version
    committee["authority"]["tiers"]["credit_committee"]["committee"] = False  # limits count
    members = [m for m in committee["staff"] if m.get("tier") == "credit_committee"]
    for member, limit in zip(members, limits, strict=True):
        member["limit"] = limit
    committee["staff"].append({**members[2], "id": "cc-4", "name": "陈刚"})
    policy_file = tmp_path / f"{version}.json"
    policy_file.write_text(json.dumps(committee, ensure_ascii=False), encoding="utf-8")

    def with_limits(settings: Settings) -> list[Any]:
        return [PolicyActivities(settings.model_copy(update={"policy_file": policy_file}))
                .load_policy]

    return policy_file.read_text(encoding="utf-8"), with_limits


async def test_a_committee_with_limits_settles_on_its_eligible_members(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    """Two of four members whose limits cover 80,000,000: the first of them against decides
    the case, as the other two could never cast a counting vote; the status names who may."""
    _, with_limits = committee_with_limits(tmp_path)
    docs, app = new_application(amount=80_000_000, product=Product.PROJECT_FINANCE, term_months=60)
    async with running_journey(time_skipping_env, tmp_path, docs, app, with_limits) as (
            _, handle):
        await until_stage(handle, Stage.RISK_REVIEW)
        await handle.execute_update(LoanJourneyWorkflow.record_risk_opinion, opinion(RISK_PF))
        waiting = await until_stage(handle, Stage.APPROVAL)
        assert waiting.waiting_for == [
            "approvals at tier credit_committee: 0 of 2 approval(s), 0 against; 2 eligible "
            "approver(s) have not voted (cc-1, cc-2); not eligible, their limit below the case: "
            "cc-3, cc-4"]
        assert "below the amount 80,000,000" in await refused(
            handle, LoanJourneyWorkflow.decide, vote(CC[2]))
        done = await handle.execute_update(
            LoanJourneyWorkflow.decide, vote(CC[0], Verdict.REJECT, "tariff risk"))
        assert done.stage is Stage.REJECTED
        assert "cc-1: tariff risk" in (await handle.result()).reason


async def test_the_status_shows_each_vote_with_the_approvers_authority_by_the_pinned_policy(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each approver's vote shows their tier and limit as the policy the journey pinned gives
    them, not as the policy in force since (the limits raised)."""
    pinned, pins = committee_with_limits(tmp_path, "committee-limits-1")
    docs, app = new_application(amount=80_000_000, product=Product.PROJECT_FINANCE, term_months=60)
    async with running_journey(time_skipping_env, tmp_path, docs, app, pins) as (
            settings, handle):
        record_policy(settings.db_url, "committee-limits-1", pinned)  # as its worker started
        await until_stage(handle, Stage.RISK_REVIEW)
        await handle.execute_update(LoanJourneyWorkflow.record_risk_opinion, opinion(RISK_PF))
        await until_stage(handle, Stage.APPROVAL)
        for member in CC[:2]:
            await handle.execute_update(LoanJourneyWorkflow.decide, vote(member))
        await until_stage(handle, Stage.OFFER)
        raised, _ = committee_with_limits(tmp_path, "committee-limits-2", ("200000000",) * 3)
        record_policy(settings.db_url, "committee-limits-2", raised)  # in force from now on
        point_cli_at(monkeypatch, time_skipping_env.client, tmp_path)
        shown = said(await cli("status", handle.id))
        for member in ("cc-1", "cc-2"):
            assert (f"│ {member} │ approver │ approve (credit_committee, limit 100,000,000.00) "
                    "│ within appetite │") in shown
        assert "│ risk-pf-1 │ risk_officer │ approve, grade 3 │ sound │" in shown  # no vote
        assert "200,000,000.00" not in shown


async def test_request_for_information_returns_to_the_same_stage(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    docs, app = new_application()
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (_, handle):
        await drive_to(handle, app, Stage.APPROVAL)
        remark = "孙经理 doubts the 应收 figure; suspect window dressing"  # the bank's own
        unasked = vote(BRANCH_APPROVER, Verdict.REQUEST_INFO, remark)
        assert "asks the customer a question" in await refused(
            handle, LoanJourneyWorkflow.decide, unasked)
        back = await handle.execute_update(LoanJourneyWorkflow.decide, unasked.model_copy(
            update={"question": "send the 2025 audit report"}))
        assert back.stage is Stage.COMPLETENESS
        asked = await until_stage(handle, Stage.COMPLETENESS, asking=True)
        assert "audit report" in asked.waiting_for[0]
        assert asked.awaited == ["a written answer (`loan-journey answer`, or a signed letter, "
                                 "scanned) to the question asked at approval: send the 2025 "
                                 "audit report"]
        assert asked.decisions[-1].reason == remark  # kept in the bank's record
        told = await journey_kit.until_sent(Settings(data_dir=tmp_path).db_url, handle.id,
                                            template="supplements_requested")
        assert ("\n- a written answer to the bank's question (tell your relationship manager, "
                "or send a signed letter, scanned): send the 2025 audit report\n") in told.body
        assert "孙经理" not in told.body and "window dressing" not in told.body
        extra = docs.company(
            app.applicant_name,
            app.credit_code,
            asked.timeline[0].entered_at.date().replace(month=1, day=1),
        )
        await handle.execute_update(
            LoanJourneyWorkflow.add_documents,
            AddDocuments(actor=customer(app), documents=extra[1:2]),
        )
        again = await until_stage(handle, Stage.APPROVAL)
        assert again.attempt == 2
        met = await journey_kit.until_sent(Settings(data_dir=tmp_path).db_url, handle.id,
                                           template="supplements_met")
        assert "the application goes on to the bank's credit approval" in met.body
        stages = [(v.stage, v.attempt) for v in again.timeline]
        assert stages[-5:] == [
            (Stage.APPROVAL, 1),
            (Stage.COMPLETENESS, 2),
            (Stage.DOCUMENTS, 2),
            (Stage.COMPLETENESS, 3),
            (Stage.APPROVAL, 2),
        ]
        assert (Stage.ROUTING, 2) not in stages
        await handle.execute_update(LoanJourneyWorkflow.decide, vote(BRANCH_APPROVER))
        await until_stage(handle, Stage.OFFER)


async def test_a_question_is_answered_in_writing_by_the_customer_or_its_own_manager(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    """The customer, or the case's own relationship manager (who submitted it), answers a
    question; another manager, operations or another company are refused before the
    history, as another company signing the offer is."""
    docs, app = new_application()
    app = app.model_copy(update={"submitted_by": RM_CHEN})
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (_, handle):
        await drive_to(handle, app, Stage.APPROVAL)
        answer = WrittenAnswer(actor=customer(app), text="the 2025 drop was one lost order")
        assert "no question waits for an answer" in await refused(
            handle, LoanJourneyWorkflow.answer_question, answer)
        await handle.execute_update(
            LoanJourneyWorkflow.decide,
            vote(BRANCH_APPROVER, Verdict.REQUEST_INFO, "revenue fell",
                 question="why did 2025 revenue fall?"))
        await until_stage(handle, Stage.COMPLETENESS, asking=True)
        for who, why in ((CC[0], "this needs one of: relationship_manager"),
                         (journey_kit.SUBMITTER, "this needs one of: relationship_manager"),
                         (RM_ZHANG, "this case has its relationship manager 'rm-chen'"),
                         (STRANGER, f"{STRANGER.id} is not this loan's borrower: ")):
            assert why in await refused(handle, LoanJourneyWorkflow.answer_question,
                                        answer.model_copy(update={"actor": who}))
        taken = await handle.execute_update(LoanJourneyWorkflow.answer_question, answer)
        assert "the case returns to approval" in taken.message
        again = await until_stage(handle, Stage.APPROVAL)
        said = again.decisions[-1]
        assert (said.actor.id, said.verdict, said.reason) == (
            app.credit_code, "answered", "the 2025 drop was one lost order")
        assert again.attempt == 2
        await handle.execute_update(
            LoanJourneyWorkflow.decide,
            vote(BRANCH_APPROVER, Verdict.REQUEST_INFO, "orders?",
                 question="and the order book for 2026?"))
        await until_stage(handle, Stage.COMPLETENESS, asking=True)
        await handle.execute_update(LoanJourneyWorkflow.answer_question, answer.model_copy(
            update={"actor": RM_CHEN, "text": "full until June, the customer says"}))
        again = await until_stage(handle, Stage.APPROVAL)
        assert (again.decisions[-1].actor.id, again.attempt) == ("rm-chen", 3)
        await handle.execute_update(LoanJourneyWorkflow.decide, vote(BRANCH_APPROVER))
        await until_stage(handle, Stage.OFFER)
        stranger = await refused(handle, LoanJourneyWorkflow.sign, Signature(actor=STRANGER))
        assert f"{STRANGER.id} is not this loan's borrower: " in stranger
        assert app.credit_code not in stranger  # the borrower's code is not told to another


async def listed_assignee(handle: WorkflowHandle) -> str | None:
    return (await handle.describe()).typed_search_attributes.get(sa.ASSIGNEE)


async def test_reassignment_by_the_supervisor(
    time_skipping_env: WorkflowEnvironment, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The supervisor assigns the risk review to one officer; the assignment belongs to the
    risk review, and the approval that follows is its tier's, assigned to nobody."""
    docs, app = new_application()
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (_, handle):
        await until_stage(handle, Stage.RISK_REVIEW)
        supervisor = Actor(id="sup-sme", role=Role.SUPERVISOR)
        assert await refused(
            handle,
            LoanJourneyWorkflow.reassign,
            Reassignment(actor=RISK_SME, to="risk-sme-2", reason="holiday"),
        )
        await handle.execute_update(
            LoanJourneyWorkflow.reassign,
            Reassignment(actor=supervisor, to="risk-sme-2", reason="risk-sme-1 on leave"),
        )
        s = await handle.query(LoanJourneyWorkflow.status)
        assert s.assigned_to == "risk-sme-2"
        assert await listed_assignee(handle) == "risk-sme-2"  # `queue --person`, at once
        assert s.decisions[-1].verdict == "reassigned" and s.decisions[-1].actor == supervisor
        again = Reassignment(actor=supervisor, to="risk-sme-2", reason="again")
        assert "assigned to 'risk-sme-2' already" in await refused(
            handle, LoanJourneyWorkflow.reassign, again)
        # only the assigned officer (or the supervisor) may now give the opinion
        assert await refused(handle, LoanJourneyWorkflow.record_risk_opinion, opinion(RISK_SME))
        await handle.execute_update(
            LoanJourneyWorkflow.record_risk_opinion,
            opinion(Actor(id="risk-sme-2", role=Role.RISK_OFFICER)),
        )
        assert (await until_stage(handle, Stage.APPROVAL)).assigned_to is None
        assert await listed_assignee(handle) == "-"  # the tier's, nobody's own
        point_cli_at(monkeypatch, time_skipping_env.client, tmp_path)
        shown = said(await cli("status", handle.id))
        assert "│ team branch │" in shown and "assigned to" not in shown


async def test_the_directory_gives_the_role_and_a_refusal_names_who_may(
    time_skipping_env: WorkflowEnvironment, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without `--role`, `--as` acts in the role the staff directory gives them: the team's
    supervisor gives the opinion as supervisor. A refusal names who may act on the case: the
    roles that can and who holds them, the case's team's, not every team's."""
    docs, app = new_application()
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (_, handle):
        await until_stage(handle, Stage.RISK_REVIEW)
        point_cli_at(monkeypatch, time_skipping_env.client, tmp_path)
        reassign = ("reassign", handle.id, "--to", "risk-sme-2", "--reason", "leave")
        for role in ((), ("--role", "supervisor")):  # no role of theirs may reassign
            by_officer = await cli(*reassign, "--as", "risk-corp-1", *role)
            assert by_officer.exit_code == 3, by_officer.output
            assert ("'risk-corp-1' is risk_officer; this needs one of: operations, supervisor "
                    "(ask sup-sme (supervisor), ops-wang (operations), ops-li (operations), "
                    "ops-zhao (operations))") in said(by_officer)
        elsewhere = await cli(*reassign[:3], "risk-corp-2", "--reason", "leave", "--as",
                              "sup-sme")
        assert elsewhere.exit_code == 3, elsewhere.output
        assert ("reassign to someone in sme_risk (sup-sme (supervisor), risk-sme-1 "
                "(risk_officer), risk-sme-2 (risk_officer))") in said(elsewhere)
        typo = await cli("opinion", handle.id, "--verdict", "approve", "--grade", "3",
                         "--reason", "sound", "--as", "risk-sme-l")
        assert typo.exit_code == 3, typo.output
        assert ("act under your own staff id, or ask an active sme_risk risk officer: "
                "risk-sme-1, risk-sme-2") in said(typo)
        given = await cli("opinion", handle.id, "--verdict", "approve", "--grade", "3",
                          "--reason", "sound", "--as", "sup-sme")
        assert given.exit_code == 0, given.output
        await until_stage(handle, Stage.APPROVAL)
        committee = await cli("decide", handle.id, "--verdict", "approve", "--reason", "fine",
                              "--as", "cc-1")
        assert committee.exit_code == 3, committee.output
        assert ("'cc-1' approves at credit_committee tier; this case needs branch: ask a "
                "branch approver (appr-branch-1, appr-branch-2)") in said(committee)


async def test_approvers_see_an_agreed_rate_below_the_grades_price_and_a_licence_ending(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    docs, app = new_application()
    app.annual_rate = Decimal("0.0280")  # agreed with the customer; grade 3 prices 3.60%
    licence = docs.readings[app.documents[0].sha256].license
    assert licence is not None
    licence.valid_until = journey_kit.TODAY + timedelta(days=200)  # within the 12 months
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (_, handle):
        at_approval = await drive_to(handle, app, Stage.APPROVAL)
        gap, term = at_approval.cautions
        assert gap == ("agreed 2.8000%, 0.80% below the policy's price of 3.6000% for grade 3 "
                       "(1y LPR 3.10% + 0.50%)")
        assert term.startswith(f"the business licence's term ends on {licence.valid_until}, "
                               "before the loan would")
