"""A clerk corrects what OCR misread, against the paper: refused before the history from
anyone but operations or for a field or document the journey does not have; taken, it is
recorded with who, when, what was read and what the paper says, and the file is checked
again without asking the customer for the document once more: a correction that leaves the
request as it was sends them nothing, and one that completes it tells them to send nothing
more. A rescan of the corrected page takes the corrections, and the page it superseded is
corrected no more. The case's submitter may not correct; a second clerk's correction says what
it overrides; a figure that contradicts the statement is taken only confirmed; a figure
corrected after the case was routed sends it back through routing and risk review, the votes
cast before set aside."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from rich.console import Console
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from journey.actors import Actor, Role
from journey.application import LoanApplication, Product
from journey.decisions import (
    AddDocuments,
    ApprovalDecision,
    RiskGrade,
    RiskOpinion,
    Verdict,
    WrittenAnswer,
)
from journey.documents import DocumentReading, DocumentRef
from journey.policy.routing import ApprovalTier
from journey.reading_corrections import ReadingCorrection
from journey.stages import Stage
from starter.status_view import status_view
from store.outbox import messages_for
from tests.cli_kit import cli, point_cli_at, said
from tests.post_loan.loan_kit import assert_replays, until
from tests.workflows import journey_kit
from tests.workflows.journey_kit import (
    BRANCH_APPROVER,
    RISK_SME,
    SUBMITTER,
    accepted_updates,
    asked_again,
    customer,
    drive_to,
    new_application,
    ref,
    refused,
    running_journey,
    until_stage,
)
from tests.workflows.test_decisions import CC, RISK_PF, opinion, vote
from workflows.loan_journey import LoanJourneyWorkflow
from workflows.reading_corrections import NOTHING_MORE

# a total misread with the reader sure of it (a misread it was unsure of is checked before the
# file is, at documents: tests/workflows/test_figures_checked.py); the balance sheet no longer
# balances, which the completeness check asks the customer about
READ_SURE = {"total_assets": 0.95}
CLERK = Actor(id="ops-wang", role=Role.OPERATIONS)  # not the case's submitter (SUBMITTER)
RM = Actor(id="rm-chen", role=Role.RELATIONSHIP_MANAGER)
HEAD_OFFICE = Actor(id="appr-ho-1", role=Role.APPROVER)


async def test_a_clerk_corrects_a_misread_total_and_the_file_goes_on(
    time_skipping_env: WorkflowEnvironment, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs, app = new_application()
    sheet = next(r for r in docs.readings.values() if r.ref.filename.endswith("-balance.png"))
    assert sheet.statement is not None
    docs.readings[sheet.ref.sha256] = sheet.model_copy(update={
        "statement": sheet.statement.model_copy(update={
            "total_assets": Decimal("19468600.00"), "balances": False,
            "confidence": READ_SURE})})
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (settings, handle):
        asked = await until_stage(handle, Stage.COMPLETENESS, asking=True)
        assert asked.completeness is not None
        assert [f.code for f in asked.completeness.failures] == ["unbalanced"]

        def fix(actor: Actor, field: str = "total_assets", document: str = sheet.ref.sha256[:12]
                ) -> ReadingCorrection:
            return ReadingCorrection(actor=actor, document=document, field=field,
                                     value="100,000,000.00", reason="checked the signed copy")

        update = LoanJourneyWorkflow.correct_reading
        assert "operations check a reading" in await refused(handle, update, fix(customer(app)))
        assert "this needs one of: operations" in await refused(handle, update, fix(RISK_SME))
        assert ("'ops-li' submitted this application and may not correct the readings it is "
                "decided on (four eyes): another operations clerk checks them against the "
                "paper (ops-wang, ops-zhao)") in await refused(handle, update, fix(SUBMITTER))
        assert "not 'revenue'" in await refused(handle, update, fix(CLERK, "revenue"))
        assert "no document of this journey" in await refused(
            handle, update, fix(CLERK, document="0123456789ab"))

        # a correction that leaves the file short: checked again, the customer told nothing
        await handle.execute_update(update, fix(CLERK, "cash").model_copy(
            update={"value": "12,000,000.00"}))
        await asked_again(handle, 2)
        point_cli_at(monkeypatch, time_skipping_env.client, tmp_path)
        typed = ["correct", handle.id, "--document", sheet.ref.sha256[:12], "--field",
                 "total_assets", "--value", "100,000,000.00", "--reason",
                 "checked the signed copy"]
        wrong = await cli(*typed, "--as", app.credit_code, "--role", "customer")
        assert wrong.exit_code == 3, wrong.output
        taken = await cli(*typed, "--as", CLERK.id)
        assert taken.exit_code == 0, taken.output
        assert (f"{sheet.ref.filename} total_assets: read 19,468,600.00, the paper says "
                "100,000,000.00; the file is checked again with it") in said(taken)
        reviewed = await until_stage(handle, Stage.RISK_REVIEW)
        made = reviewed.decisions[-1]
        assert (made.actor, made.verdict, made.stage) == (
            CLERK, "corrected reading", Stage.COMPLETENESS)
        assert made.reason.endswith("the paper says 100,000,000.00 (checked the signed copy)")
        read = next(r for r in reviewed.readings if r.ref == sheet.ref).statement
        assert read is not None and read.total_assets == Decimal("100000000.00")
        assert read.confidence["total_assets"] == 1.0 and "total_assets" not in read.problems
        assert "by ops-wang" in read.corrected["total_assets"]
        # the customer was asked once, before the corrections, then told the request is met
        told = [(m.template, m.body) for m in messages_for(settings.db_url, handle.id)
                if m.template.startswith("supplements")]
        assert [t for t, _ in told] == ["supplements_requested", "supplements_met"]
        assert told[1][1] == NOTHING_MORE


async def test_a_unit_that_makes_the_figures_implausible_is_taken_only_confirmed(
    time_skipping_env: WorkflowEnvironment, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A unit typed wrong scales every figure by thousands: refused unless confirmed, and
    taken, the answer and the decision say what the key figures became."""
    docs, app = new_application(drop={"income"})
    sheet = next(r for r in docs.readings.values() if r.ref.filename.endswith("-balance.png"))
    assert sheet.statement is not None and sheet.statement.total_assets is not None
    was, now = sheet.statement.total_assets, sheet.statement.total_assets * 10_000
    moved = f"total assets {was:,.2f} → {now:,.2f}"
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (_, handle):
        await until_stage(handle, Stage.COMPLETENESS, asking=True)
        point_cli_at(monkeypatch, time_skipping_env.client, tmp_path)
        typed = ["correct", handle.id, "--document", sheet.ref.sha256[:12], "--field", "unit",
                 "--value", "万元", "--as", CLERK.id]
        slip = await cli(*typed)
        assert slip.exit_code == 3, slip.output
        assert (f"万元 would make {sheet.ref.filename}'s total assets {now:,.2f}, more than "
                "10,000 times the loan amount 3,000,000.00") in said(slip)
        assert moved in said(slip) and "--confirm" in said(slip)
        taken = await cli(*typed, "--confirm")
        assert taken.exit_code == 0, taken.output
        assert moved in said(taken)
        made = (await until(handle, lambda s: s.decisions[-1].verdict == "corrected reading")
                ).decisions[-1]
        assert moved in made.reason
async def test_a_second_clerks_correction_says_what_it_overrides(
    time_skipping_env: WorkflowEnvironment, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two clerks disagree on a figure: the second's answer, decision and the reading in
    `status` say what OCR read and the first's correction it overrides; typing the figure the
    reading has already is refused, nothing to correct."""
    docs, app = new_application(drop={"income"})
    app = app.model_copy(update={"submitted_by": RM})  # both clerks may correct
    sheet = docs.readings[app.documents[1].sha256]
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (_, handle):
        await until_stage(handle, Stage.COMPLETENESS, asking=True)
        point_cli_at(monkeypatch, time_skipping_env.client, tmp_path)
        typed = ["correct", handle.id, "--document", sheet.ref.sha256[:12], "--field",
                 "current_liabilities", "--value"]
        first = await cli(*typed, "20,000,000.00", "--as", CLERK.id)
        assert first.exit_code == 0, first.output
        second = await cli(*typed, "30,000,000.00", "--as", SUBMITTER.id)
        assert second.exit_code == 0, second.output
        both = ("read 25,000,000.00, corrected by ops-wang to 20,000,000.00, the paper says "
                "30,000,000.00")
        assert f"current_liabilities: {both}; overrides ops-wang's correction" in said(second)
        same = await cli(*typed, "30,000,000", "--as", CLERK.id)
        assert same.exit_code == 3, same.output
        assert ("current_liabilities reads 30,000,000.00 already, as ops-li corrected it: "
                "nothing to correct") in said(same)
        made = (await until(handle, lambda s: len(s.decisions) > 1 and s.decisions[-1].verdict
                            == "overrode a correction")).decisions[-1]
        assert made.actor == SUBMITTER and both in made.reason
        shown = json.loads((await cli("status", handle.id, "--json")).stdout)
        read = next(r for r in shown["readings"] if r["ref"]["sha256"] == sheet.ref.sha256)
        note = read["statement"]["corrected"]["current_liabilities"]
        assert note.startswith(f"{both}: corrected against the paper by ops-li at ")
        # on the bank's clock, as every moment status shows; the history keeps its UTC
        assert note.endswith("(UTC+8), overriding ops-wang's correction"), note
        shown_now = Console(width=1000, record=True)
        shown_now.print(status_view(await handle.query(LoanJourneyWorkflow.status)))
        assert note in shown_now.export_text()


async def test_a_figure_that_contradicts_the_statement_is_taken_only_confirmed(
    time_skipping_env: WorkflowEnvironment, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cash typed above the current assets it is part of: refused before the history, saying
    why, unless confirmed, as an implausible unit is."""
    docs, app = new_application(drop={"income"})
    sheet = docs.readings[app.documents[1].sha256]
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (_, handle):
        await until_stage(handle, Stage.COMPLETENESS, asking=True)
        point_cli_at(monkeypatch, time_skipping_env.client, tmp_path)
        typed = ["correct", handle.id, "--document", sheet.ref.sha256[:12], "--field", "cash",
                 "--value", "51,000,000.00", "--as", CLERK.id]
        before = await accepted_updates(handle)
        slip = await cli(*typed)
        assert slip.exit_code == 3, slip.output
        assert (f"51,000,000.00 as {sheet.ref.filename}'s cash would make the statement "
                "contradict itself: cash 51,000,000.00 above current assets 50,000,000.00, of "
                "which it is a part") in said(slip) and "--confirm" in said(slip)
        assert await accepted_updates(handle) == before
        taken = await cli(*typed, "--confirm")
        assert taken.exit_code == 0, taken.output


async def asked_then_corrected(handle: WorkflowHandle, app: LoanApplication,
                               asking: ApprovalDecision, field: str, value: str) -> str:
    """An approver's question (`asking`) sends the case to completeness, where a clerk
    corrects `field` of the balance sheet to `value` before the customer answers; what the
    answer is told."""
    await handle.execute_update(LoanJourneyWorkflow.decide, asking)
    await until_stage(handle, Stage.COMPLETENESS, asking=True)
    await handle.execute_update(LoanJourneyWorkflow.correct_reading, ReadingCorrection(
        actor=CLERK, document=app.documents[1].sha256, field=field, value=value))
    answered = await handle.execute_update(LoanJourneyWorkflow.answer_question, WrittenAnswer(
        actor=customer(app), text="the receivables were collected in December"))
    return answered.message


async def test_a_figure_corrected_after_the_risk_opinion_is_routed_and_reviewed_again(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    """Current assets corrected after the risk opinion leave the current ratio below the
    illiquidity escalation's: the case is routed again, at the tier the ratio requires, with
    its cause, and the risk opinion is given again before an approver of that tier decides."""
    docs, app = new_application()
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (_, handle):
        await drive_to(handle, app, Stage.APPROVAL)
        told = await asked_then_corrected(handle, app, ApprovalDecision(
            actor=BRANCH_APPROVER, verdict=Verdict.REQUEST_INFO, reason="why so liquid?",
            question="why is the company so liquid?"),
            "current_assets", "15,000,000.00")
        assert told == ("answer taken: once the file is checked, the case goes back through "
                        "routing and risk review, not to approval: figures were corrected "
                        "since it was routed")
        again = await until_stage(handle, Stage.RISK_REVIEW)
        assert again.attempt == 2 and again.route is not None
        assert again.route.tier is ApprovalTier.HEAD_OFFICE
        said = {d.verdict: d.reason for d in again.decisions}
        assert said["back to risk review"].endswith(
            "figures the route and the risk opinion were given on were corrected since; the "
            "case is routed and its risk opinion given again on the corrected figures")
        assert said["re-routed"].startswith(
            "tier head_office on the amount 3,000,000.00; was tier branch on the amount "
            "3,000,000.00; because escalation illiquid (product working_capital in "
            "working_capital and current_ratio 0.6")
        assert ("raises the tier to head_office; on the corrected figures (" in
                said["re-routed"])
        await handle.execute_update(LoanJourneyWorkflow.record_risk_opinion, RiskOpinion(
            actor=RISK_SME, verdict=Verdict.APPROVE, grade=RiskGrade.G4, reason="tighter"))
        deciding = await until_stage(handle, Stage.APPROVAL)
        assert deciding.waiting_for[0].startswith("approvals at tier head_office: 0 of 1")
        assert "needs head_office" in await refused(
            handle, LoanJourneyWorkflow.decide, vote(BRANCH_APPROVER))
        done = await handle.execute_update(LoanJourneyWorkflow.decide, vote(HEAD_OFFICE))
        assert done.stage is Stage.OFFER
        await assert_replays(handle)


async def test_votes_cast_on_figures_corrected_since_are_set_aside(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    """A committee member asks; a clerk corrects a figure meanwhile: the vote cast before is
    set aside, saying whose, and every member votes again after the risk opinion."""
    docs, app = new_application(amount=80_000_000, product=Product.PROJECT_FINANCE,
                                term_months=60)
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (_, handle):
        await until_stage(handle, Stage.RISK_REVIEW)
        await handle.execute_update(LoanJourneyWorkflow.record_risk_opinion, opinion(RISK_PF))
        await until_stage(handle, Stage.APPROVAL)
        await handle.execute_update(LoanJourneyWorkflow.decide, vote(CC[0]))
        await asked_then_corrected(handle, app, ApprovalDecision(
            actor=CC[1], verdict=Verdict.REQUEST_INFO, reason="the cash?",
            question="what is the cash at the bank?"), "cash",
            "9,000,000.00")
        again = await until_stage(handle, Stage.RISK_REVIEW)
        aside = next(d for d in again.decisions if d.verdict == "votes set aside")
        assert (aside.actor.id, aside.reason) == ("committee-secretary", (
            "cc-1 (approve): cast on figures corrected since; every approver votes again once "
            "the risk opinion is given again"))
        assert again.decisions[-1].verdict == "routed again"  # the same tier, on the new cash
        await handle.execute_update(LoanJourneyWorkflow.record_risk_opinion, opinion(RISK_PF))
        back = await until_stage(handle, Stage.APPROVAL)
        assert "0 of 2 approval(s), 0 against" in back.waiting_for[0]


def misread_page_and_rescan() -> tuple[journey_kit.Documents, LoanApplication,
                                         DocumentReading, DocumentRef]:
    """An application short of its income statement whose balance sheet OCR misread (its
    total assets), and a rescan of the page read with the same misread."""
    docs, app = new_application(drop={"income"})
    sheet = docs.readings[app.documents[1].sha256]
    assert sheet.statement is not None
    misread = sheet.model_copy(update={"statement": sheet.statement.model_copy(update={
        "total_assets": Decimal("19468600.00"), "balances": False,
        "confidence": READ_SURE})})
    docs.readings[sheet.ref.sha256] = misread
    rescan = ref("balance-rescan")
    docs.readings[rescan.sha256] = misread.model_copy(update={"ref": rescan})
    return docs, app, sheet, rescan


async def test_a_rescan_of_a_corrected_page_takes_the_corrections(
    time_skipping_env: WorkflowEnvironment, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rescan takes the page's corrections and replaces it: a correction of the page it
    superseded is refused before the history, naming the rescan to correct instead."""
    docs, app, sheet, rescan = misread_page_and_rescan()
    assert sheet.statement is not None
    income = ref(f"{app.credit_code}-{journey_kit.TODAY - timedelta(days=60)}-income")
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (_, handle):
        await until_stage(handle, Stage.COMPLETENESS, asking=True)
        await handle.execute_update(LoanJourneyWorkflow.correct_reading, ReadingCorrection(
            actor=CLERK, document=sheet.ref.sha256, field="total_assets",
            value="100,000,000.00"))
        await asked_again(handle, 2)
        await handle.execute_update(LoanJourneyWorkflow.add_documents, AddDocuments(
            actor=customer(app), documents=[rescan]))  # the income statement still short
        await asked_again(handle, 3)
        point_cli_at(monkeypatch, time_skipping_env.client, tmp_path)
        before = await accepted_updates(handle)
        stale = await cli("correct", handle.id, "--document", sheet.ref.sha256[:12], "--field",
                          "cash", "--value", "245.80", "--as", CLERK.id)
        assert stale.exit_code == 3, stale.output
        assert (f"{sheet.ref.filename} ({sheet.ref.sha256[:12]}) is superseded: "
                f"{rescan.filename} ({rescan.sha256[:12]}) replaced it, and the case is "
                f"decided on that one: correct it instead (--document {rescan.sha256[:12]})"
                ) in said(stale)
        assert await accepted_updates(handle) == before
        await handle.execute_update(LoanJourneyWorkflow.add_documents, AddDocuments(
            actor=customer(app), documents=[income]))
        reviewed = await until_stage(handle, Stage.RISK_REVIEW)
        read = next(r for r in reviewed.readings if r.ref == rescan).statement
        assert read is not None and read.total_assets == Decimal("100000000.00")
        assert read.corrected["total_assets"].startswith(
            f"carried from {sheet.ref.filename}: read 19,468,600.00, the paper says")
        page = next(r for r in reviewed.readings if r.ref == sheet.ref).statement
        assert page is not None and page.cash == sheet.statement.cash
        made = next(d for d in reviewed.decisions if d.verdict == "corrections carried")
        assert made.actor.id == "document-reader"
        assert made.reason.startswith(f"{rescan.filename} is a rescan of {sheet.ref.filename}, "
                                      "whose corrections it takes: total_assets 100,000,000.00")


async def test_a_period_misread_into_a_later_pages_place_is_corrected(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    """A page superseded only because OCR read the later page's period on it is corrected:
    with its own period it stands again beside the later page."""
    docs, app, sheet, later = misread_page_and_rescan()
    assert sheet.statement is not None and sheet.statement.period_end is not None
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (_, handle):
        await until_stage(handle, Stage.COMPLETENESS, asking=True)
        await handle.execute_update(LoanJourneyWorkflow.add_documents, AddDocuments(
            actor=customer(app), documents=[later]))
        shown = await asked_again(handle, 2)
        assert shown.standing is not None and sheet.ref.sha256 not in shown.standing
        year_before = sheet.statement.period_end - timedelta(days=365)
        await handle.execute_update(LoanJourneyWorkflow.correct_reading, ReadingCorrection(
            actor=CLERK, document=sheet.ref.sha256, field="period_end",
            value=year_before.isoformat()))
        again = await until(handle, lambda s: s.decisions[-1].verdict == "corrected reading")
        assert again.standing is not None
        assert {sheet.ref.sha256, later.sha256} <= set(again.standing)
