"""The approval tier on the borrower's exposure (统一授信): journeys of one credit code on one
worker and one store, on the time-skipping server. Its other live applications and the
principal its running loans owe count; ended journeys and other borrowers do not."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path

import pytest
from rich.console import Console, RenderableType
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from journey.actors import Actor, Role
from journey.application import LoanApplication
from journey.credit_code import generate
from journey.decisions import ApprovalDecision, RiskGrade, RiskOpinion, Verdict, Withdrawal
from journey.exposure import EXPOSURE_FELL, ROUTE_ON_EXPOSURE, ExposureFell, ExposureLine
from journey.policy import ApprovalTier
from journey.settings import Settings
from journey.stages import Stage
from journey.status import JourneyStatus, plan_start
from starter import applications, operations, work_lists
from starter.audit import audit_trail
from starter.errors import BadInput
from starter.queue_view import queue_view
from starter.status_view import status_view
from starter.work_lists import JourneyRow
from store import blobs
from store.exposure import others
from tests.cli_kit import cli, point_cli_at, said
from tests.dev_server import fresh_dev_server
from tests.post_loan.loan_kit import assert_replays, disbursed, pay, settle_at_quote, until
from tests.workflows import journey_kit
from tests.workflows.journey_kit import (
    BRANCH_APPROVER,
    RISK_SME,
    Documents,
    application,
    customer,
    drive_to,
    journey_worker,
    real_for_unknown,
    start,
    until_stage,
)
from workflows.loan_journey import LoanJourneyWorkflow

RISK_CORP = Actor(id="risk-corp-1", role=Role.RISK_OFFICER)
HO_30M = Actor(id="appr-ho-2", role=Role.APPROVER)  # head office, a limit of 30,000,000
HO_50M = Actor(id="appr-ho-1", role=Role.APPROVER)


def borrower() -> tuple[str, str]:
    code = generate()
    return f"上海测试制造有限公司{code[-4:]}", code


def stored(settings: Settings, app: LoanApplication) -> LoanApplication:
    """`app` with the fake's documents in the store, as `start` wants them (a label's bytes
    hash to its reference)."""
    for ref in app.documents:
        if not blobs.exists(settings.documents_dir, ref.sha256):
            blobs.put(blobs.DocumentStore.of(settings), ref.filename.removesuffix(".png").encode(),
                      ref.filename)
    return app


async def routed(handle: WorkflowHandle) -> JourneyStatus:
    return await until_stage(handle, Stage.RISK_REVIEW)


async def test_live_applications_count_ended_ones_and_other_borrowers_do_not(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    docs, company = Documents(), borrower()

    def apply(who: tuple[str, str] = company) -> LoanApplication:
        return application(docs, amount=3_000_000, company=who)

    async with journey_worker(time_skipping_env.client, tmp_path, docs) as settings:
        first = await start(time_skipping_env.client, settings, apply())
        alone = (await routed(first)).route
        assert alone is not None and alone.tier is ApprovalTier.BRANCH  # as before
        assert alone.exposure is not None and alone.exposure.others == []
        assert "exposure" not in alone.explanation

        app = apply()
        second = await start(time_skipping_env.client, settings, app)
        split = (await routed(second)).route
        assert split is not None and split.exposure is not None
        assert split.exposure.others == [ExposureLine(workflow_id=first.id, amount=Decimal(3e6))]
        assert split.exposure.total == Decimal(6_000_000)
        assert (split.team, split.tier) == ("corporate_risk", ApprovalTier.HEAD_OFFICE)
        assert "exposure 6,000,000.00 > 5,000,000.00" in split.explanation
        why = (f"tier head_office on exposure CNY 6,000,000.00: this 3,000,000.00 + {first.id} "
               "3,000,000.00 (application)")
        assert split.why_tier() == why
        status = await operations.status_of(second)
        assert why in _text(status_view(status))
        await second.execute_update(LoanJourneyWorkflow.record_risk_opinion, RiskOpinion(
            actor=RISK_CORP, verdict=Verdict.APPROVE, grade=RiskGrade.G3, reason="sound"))
        await until_stage(second, Stage.APPROVAL)
        row = JourneyRow(workflow_id=second.id, status="running", stage="approval",
                         team="head_office", sla="ok", product="working_capital",
                         amount_band="1m-5m", started=datetime.now(UTC))
        listed = await work_lists.tier_reasons(time_skipping_env.client, [row])
        assert listed[0].why == why  # the approval work list says why the case is here
        shown = _text(queue_view(listed, "waiting on head_office",
                                 *work_lists.queue_clock(datetime.now(UTC))))
        # in full, under the table, as `status` (above) says it
        assert f"why this tier: {why}" in " ".join(shown.split()), shown

        other = await start(time_skipping_env.client, settings, apply(borrower()))
        apart = (await routed(other)).route
        assert apart is not None and apart.tier is ApprovalTier.BRANCH
        assert apart.exposure is not None and apart.exposure.others == []

        await first.execute_update(LoanJourneyWorkflow.record_risk_opinion, RiskOpinion(
            actor=RISK_SME, verdict=Verdict.REJECT, grade=RiskGrade.G7, reason="thin margins"))
        await second.execute_update(LoanJourneyWorkflow.withdraw, Withdrawal(
            actor=customer(app), reason="found cheaper funding"))
        assert (await first.result()).outcome is Stage.REJECTED
        assert (await second.result()).outcome is Stage.WITHDRAWN

        again = await start(time_skipping_env.client, settings, apply())
        after = (await routed(again)).route
        assert after is not None and after.tier is ApprovalTier.BRANCH
        assert after.exposure is not None and after.exposure.others == []


async def test_a_running_loan_counts_what_it_owes_until_it_is_repaid(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    client, docs, company = time_skipping_env.client, Documents(), borrower()
    async with journey_worker(client, tmp_path, docs) as settings:
        loan_app = application(docs, amount=4_000_000, company=company)
        loan, running = await disbursed(client, settings, loan_app)
        assert await exposure_reads(loan) == 1  # routed alone, told of none: read at routing
        day = plan_start(running.offer, running.disbursement)
        assert day is not None
        ahead = Decimal(1_000_000)
        await loan.execute_update(LoanJourneyWorkflow.record_repayment,
                                  pay("PRE-1", ahead, paid_on=day, prepays=True))
        owed = Decimal(3_000_000)
        kept = ExposureLine(workflow_id=loan.id, amount=owed, running=True)
        await until_kept(settings, company[1], kept)  # the row the loan keeps in the store

        handle = await start(client, settings, application(docs, amount=3_000_000,
                                                           company=company))
        route = (await routed(handle)).route
        assert route is not None and route.exposure is not None
        # what the loan still owes, not the 4,000,000 lent
        assert route.exposure.others == [kept]
        assert route.tier is ApprovalTier.HEAD_OFFICE

        await settle_at_quote(loan, await until(loan, lambda s: s.account is not None), "SET-1")
        assert (await loan.result()).outcome is Stage.CLOSED
        await assert_replays(loan)  # every run, with the principal it kept
        last = await start(client, settings, application(docs, amount=1_000_000,
                                                         company=company))
        repaid = (await routed(last)).route
        assert repaid is not None and repaid.exposure is not None
        assert [o.workflow_id for o in repaid.exposure.others] == [handle.id]  # not the loan


async def test_an_approval_is_weighed_on_the_exposure_as_it_stands_when_it_settles(
    time_skipping_env: WorkflowEnvironment, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, docs, company = time_skipping_env.client, Documents(), borrower()
    async with journey_worker(client, tmp_path, docs) as settings:
        point_cli_at(monkeypatch, client, settings.data_dir)
        apply = partial(application, docs, company=company)
        case_app = apply(amount=3_000_000)
        case = await start(client, settings, case_app)
        alone = await drive_to(case, case_app, Stage.APPROVAL)  # routed alone: branch
        assert alone.route is not None and alone.route.tier is ApprovalTier.BRANCH
        more_app = apply(amount=3_000_000)
        more = await start(client, settings, more_app)
        await routed(more)  # its intake told this case: the approval reads the exposure again
        told = (f"a new application of this borrower ({more.id}, 3,000,000.00) came since the "
                "exposure was read (CNY 3,000,000.00): the exposure is read again when the "
                "approval settles; approvers whose limit is below CNY 6,000,000.00 may have their "
                "votes set aside")  # no branch approver's limit covers 6,000,000
        assert told in _text(status_view(await operations.status_of(case)))
        row = JourneyRow(workflow_id=case.id, status="running", stage="approval",
                         team="branch", sla="ok", product="working_capital",
                         amount_band="1m-5m", started=datetime.now(UTC))
        why = (await work_lists.tier_reasons(client, [row]))[0].why
        assert why is not None and told in why  # and the approval work list (`queue`)

        # the branch approver's limit covers 3,000,000; the exposure is 6,000,000 by now
        voted = await case.execute_update(LoanJourneyWorkflow.decide, ApprovalDecision(
            actor=BRANCH_APPROVER, verdict=Verdict.APPROVE, reason="within limit"))
        assert (voted.stage, voted.counted) == (Stage.APPROVAL, False)
        assert voted.message == (
            "not counted: 'appr-branch-1' approves at branch "
            "tier; this case needs head_office: ask a head_office approver (appr-ho-1, "
            "appr-ho-2); the case was "
            "re-routed by credit-authority on the borrower's exposure read as the approval "
            f"would settle: tier head_office on exposure CNY 6,000,000.00: this 3,000,000.00 + "
            f"{more.id} 3,000,000.00 (application); was tier branch on the amount "
            "3,000,000.00; the "
            "case is not approved: 1 approval(s) at tier head_office are needed, and who may "
            "vote now: 0 of 1 approval(s), 0 against; 2 eligible approver(s) have not voted "
            "(appr-ho-1, appr-ho-2)")
        assert [(d.actor.id, d.verdict) for d in voted.decided] == [
            ("credit-authority", "re-routed"), ("credit-authority", "votes set aside")]
        status = await operations.status_of(case)
        assert status.exposure_told == ""  # read again: the route has it
        risen = status.route
        assert risen is not None and risen.exposure is not None
        assert (risen.tier, risen.team, risen.exposure.total) == (
            ApprovalTier.HEAD_OFFICE, "sme_risk", Decimal(6_000_000))
        assert risen.why_tier() == (
            f"tier head_office on exposure CNY 6,000,000.00: this 3,000,000.00 + {more.id} "
            "3,000,000.00 (application); was tier branch on the amount 3,000,000.00")
        assert status.team == "head_office"  # on the head office's work list now
        reasons = {d.verdict: d.reason for d in status.decisions}
        assert "1 approval(s) at head_office" in reasons["re-routed"]
        assert "appr-branch-1" in reasons["votes set aside"]

        # an approver whose limit covered the exposure at the re-route, not at the decision
        big_app = apply(amount=28_000_000)
        big = await start(client, settings, big_app)
        await routed(big)
        # from the command line, a vote that does not count is no success: exit 3
        voted = await cli("decide", case.id, "--verdict", "approve", "--reason", "within limit",
                          "--as", HO_30M.id)
        assert voted.exit_code == 3, voted.output
        assert said(voted).startswith(
            "error: not counted: 'appr-ho-2' has a limit of "
            "30,000,000.00, below the borrower's exposure 34,000,000.00: ask an approver with a "
            "higher "
            "limit; the borrower's exposure read as the approval would settle: tier head_office "
            "on exposure CNY 34,000,000.00: ")
        assert said(voted).endswith("who may vote now: 0 of 1 approval(s), 0 against; 1 "
                                    "eligible approver(s) have not voted (appr-ho-1); not "
                                    "eligible, their limit below the case: appr-ho-2 (journey "
                                    "at approval; the history records the vote)")
        status = await operations.status_of(case)
        assert status.route is not None and status.route.decided_on == Decimal(34_000_000)
        assert status.route.tier is ApprovalTier.HEAD_OFFICE  # appr-ho-1's limit covers it
        aside = [d.reason for d in status.decisions if d.verdict == "votes set aside"][-1]
        assert "a limit of 30,000,000.00, below the borrower's exposure 34,000,000.00" in aside
        # appr-ho-2's limit does not cover it: not counted among those who may still vote
        assert status.waiting_for == ["approvals at tier head_office: 0 of 1 approval(s), "
                                      "0 against; 1 eligible approver(s) have not voted "
                                      "(appr-ho-1); not eligible, their limit below the case: "
                                      "appr-ho-2"]

        # the exposure falls back to this application: the tier chosen stays
        for other, app in ((more, more_app), (big, big_app)):
            await other.execute_update(LoanJourneyWorkflow.withdraw, Withdrawal(
                actor=customer(app), reason="found cheaper funding"))
            await other.result()
        voted = await case.execute_update(LoanJourneyWorkflow.decide, ApprovalDecision(
            actor=HO_50M, verdict=Verdict.APPROVE, reason="within limit"))
        assert voted.stage is Stage.OFFER
        status = await operations.status_of(case)
        assert status.route is not None and status.route.tier is ApprovalTier.HEAD_OFFICE
        assert status.route.exposure is not None and status.route.exposure.others == []
        # the route's words and its exposure line name the 34,000,000 that chose the tier
        chosen = status.route.chosen_on
        assert chosen is not None and chosen.total == Decimal(34_000_000)
        assert {o.workflow_id for o in chosen.others} == {more.id, big.id}
        chose = chosen.describe()
        assert f"The borrower's exposure is {chose}." in status.route.explanation
        kept = (f"tier head_office on exposure {chose}; was tier branch on the amount "
                "3,000,000.00; kept: an exposure that falls while the case is decided does not "
                "lower its tier (the rules give branch on the amount 3,000,000.00, read last)")
        assert status.route.why_tier() == kept
        assert [(d.actor.id, d.verdict, d.reason) for d in voted.decided] == [
            ("credit-authority", "tier kept", kept)]

        # the audit trail names who re-routed, set aside and kept, on which figures, in full
        trail = await audit_trail(await case.fetch_history(), client.data_converter)
        by_system = [(line.event, line.detail) for line in trail
                     if line.actor == "credit-authority"]
        assert [e for e, _ in by_system] == ["decision re-routed", "decision votes set aside",
                                             "decision votes set aside", "decision tier kept"]
        assert by_system[0][1] == (  # the re-route says its cause: the exposure, its rule
            f"{risen.why_tier()}; because rule corporate-mid fires, not sme-default; the "
            f"borrower's exposure is {risen.exposure.describe()}: 1 approval(s) at "
            "head_office are needed")
        assert by_system[-1][1] == kept
        late = await start(client, settings, apply(amount=3_000_000))
        await routed(late)  # told, once approved: nothing is read again, nothing to say
        assert (await operations.status_of(case)).exposure_told == ""
        await assert_replays(case)


async def test_a_forged_exposure_fell_does_not_let_an_approval_settle_on_the_exposure_read(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    """Anyone may signal `exposure_fell` (`temporal workflow signal`): one naming an
    application of the borrower that still runs does not lift the read as the approval
    settles, which finds it and re-routes the case to the tier the whole deserves."""
    client, docs, company = time_skipping_env.client, Documents(), borrower()
    async with journey_worker(client, tmp_path, docs) as settings:
        apply = partial(application, docs, company=company)
        case_app = apply(amount=3_000_000)
        case = await start(client, settings, case_app)
        await drive_to(case, case_app, Stage.APPROVAL)  # routed alone: branch
        more = await start(client, settings, apply(amount=8_000_000))
        await routed(more)
        await until(case, lambda s: more.id in s.exposure_told)
        await case.signal(EXPOSURE_FELL, ExposureFell(credit_code=company[1],
                                                      workflow_id=more.id))
        await until(case, lambda s: s.exposure_told == "")  # what it says: no longer said
        voted = await case.execute_update(LoanJourneyWorkflow.decide, ApprovalDecision(
            actor=BRANCH_APPROVER, verdict=Verdict.APPROVE, reason="within limit"))
        assert (voted.stage, voted.counted) == (Stage.APPROVAL, False), voted.message
        assert [(d.actor.id, d.verdict) for d in voted.decided] == [
            ("credit-authority", "re-routed"), ("credit-authority", "votes set aside")]
        status = await operations.status_of(case)
        assert status.route is not None and status.route.tier is ApprovalTier.HEAD_OFFICE
        assert status.route.exposure is not None
        assert [o.workflow_id for o in status.route.exposure.others] == [more.id]
        await assert_replays(case)


async def test_an_application_withdrawn_is_no_longer_said_to_have_come_since(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    """An application that ends without a loan tells the borrower's others it counts no
    more: their status and work list stop saying it came since the exposure was read, and the
    approval, which reads the exposure again as it settles (a fell lifts no read: anyone may
    send one), finds the application alone, as before the new application came."""
    client, docs, company = time_skipping_env.client, Documents(), borrower()
    async with journey_worker(client, tmp_path, docs) as settings:
        apply = partial(application, docs, company=company)
        case_app = apply(amount=3_000_000)
        case = await start(client, settings, case_app)
        await drive_to(case, case_app, Stage.APPROVAL)  # routed alone: branch
        more_app = apply(amount=8_000_000)
        more = await start(client, settings, more_app)
        await routed(more)
        assert more.id in (await operations.status_of(case)).exposure_told
        await more.execute_update(LoanJourneyWorkflow.withdraw, Withdrawal(
            actor=customer(more_app), reason="found cheaper funding"))
        await more.result()
        status = await until(case, lambda s: s.exposure_told == "")
        assert "exposure now" not in _text(status_view(status))
        row = JourneyRow(workflow_id=case.id, status="running", stage="approval",
                         team="branch", sla="ok", product="working_capital",
                         amount_band="1m-5m", started=datetime.now(UTC))
        [listed] = await work_lists.tier_reasons(client, [row])
        assert listed.why == "tier branch on the amount 3,000,000.00"
        voted = await case.execute_update(LoanJourneyWorkflow.decide, ApprovalDecision(
            actor=BRANCH_APPROVER, verdict=Verdict.APPROVE, reason="within limit"))
        assert voted.stage is Stage.OFFER and voted.decided == []  # read: alone again
        await assert_replays(more)
        await assert_replays(case)


async def test_an_application_counts_from_its_start_before_a_worker_runs_its_intake(
    tmp_path,
) -> None:
    """A vote kept while no worker ran, delivered before the intake of an application started
    meanwhile (the dev server: `start` lists runs, which the time-skipping server cannot)."""
    docs, company = Documents(), borrower()
    async with fresh_dev_server() as env, journey_worker(env.client, tmp_path, docs) as settings:
        client = env.client
        case_app = application(docs, amount=3_000_000, company=company)
        case = await start(client, settings, case_app)
        await drive_to(case, case_app, Stage.APPROVAL)  # routed alone: branch
        # started from the command line while no worker polls its queue: no intake has run
        late_app = stored(settings, application(docs, amount=3_000_000, company=company))
        idle = settings.model_copy(update={"task_queue": f"{settings.task_queue}-idle"})
        late = await applications.start_journey(client, idle, late_app)

        voted = await case.execute_update(LoanJourneyWorkflow.decide, ApprovalDecision(
            actor=BRANCH_APPROVER, verdict=Verdict.APPROVE, reason="within limit"))
        assert voted.stage is Stage.APPROVAL  # re-routed on 6,000,000, not approved alone
        route = (await operations.status_of(case)).route
        assert route is not None and route.exposure is not None
        assert route.exposure.others == [ExposureLine(workflow_id=late.id, amount=Decimal(3e6))]
        assert route.tier is ApprovalTier.HEAD_OFFICE
        await late.terminate("the test is over")


async def test_a_journey_terminated_outside_the_engine_is_left_out_saying_why(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    client, docs, company = time_skipping_env.client, Documents(), borrower()
    async with journey_worker(client, tmp_path, docs) as settings:
        gone = await start(client, settings, application(docs, amount=3_000_000,
                                                         company=company))
        await routed(gone)
        await gone.terminate("ended by hand")  # `temporal workflow terminate`: no end recorded
        handle = await start(client, settings, application(docs, amount=3_000_000,
                                                           company=company))
        route = (await routed(handle)).route
        assert route is not None and route.exposure is not None
        assert route.tier is ApprovalTier.BRANCH and route.exposure.others == []
        assert route.exposure.left_out == [ExposureLine(
            workflow_id=gone.id, amount=Decimal(3_000_000),
            note="terminated on the Temporal server without recording an end")]
        assert route.why_tier() == (
            f"tier branch on the amount 3,000,000.00; left out {gone.id} 3,000,000.00 "
            "(application: "
            "terminated on the Temporal server without recording an end)")


DEMO = Path(__file__).resolve().parents[2] / "samples" / "demo"


async def test_a_mistyped_credit_code_counts_in_no_ones_exposure_and_start_refuses_it(
    tmp_path: Path
) -> None:
    """company1's application typed with company2's credit code, its own licence read by
    the real OCR: company2's application leaves it out of its exposure, saying why, and
    `start` refuses the code once the bank holds company2's licence printing it, as it does a
    code a live application of another company holds (the dev server: `start` lists runs,
    which the time-skipping server cannot); a journey started past `start` keeps no line."""
    labels = {p["file"]: p for p in json.loads((DEMO / "labels.json").read_text("utf-8"))}
    one, two = (labels[f"company{n}_business_license.jpg"] for n in (1, 2))
    docs, store = Documents(), blobs.DocumentStore.of(Settings(data_dir=tmp_path))

    def apply(name: str, licence: str, days: int) -> LoanApplication:
        """An application of `name` and company2's code, with the demo's `licence`."""
        app = application(docs, company=(name, two["credit_code"]), drop={"licence"},
                          period=journey_kit.TODAY - timedelta(days=days))
        app.documents.insert(0, blobs.put(store, (DEMO / licence).read_bytes(), licence))
        return app

    def refusal(app: LoanApplication, holder: str, what: str, journey: str) -> str:
        code, name = app.credit_code, app.applicant_name
        return (f"application {app.application_id} not started: credit code {code} is "
                f"{holder}'s, not {name}'s: the bank holds {what} (in {journey}); check the "
                f"code against {name}'s business licence and correct the application "
                f"(started, it would count in {holder}'s exposure, 统一授信); if the applicant "
                f"is {holder}, correct its name; if {holder} renamed to {name}, start again "
                f"with --renamed-from '{holder}'")

    async with fresh_dev_server() as env, journey_worker(
            env.client, tmp_path, docs, real_for_unknown(docs)) as settings:
        client = env.client
        # started on the server directly, past `start`: its intake keeps the line
        wrong = await start(client, settings, apply(one["name"], one["file"], 60))
        held = await until_stage(wrong, Stage.COMPLETENESS, asking=True, seconds=120)
        assert held.completeness is not None
        assert "credit_code_mismatch" in [f.code for f in held.completeness.failures]
        own = await start(client, settings, apply(two["name"], two["file"], 90))
        route = (await until_stage(own, Stage.RISK_REVIEW, seconds=120)).route
        assert route is not None and route.exposure is not None
        assert route.exposure.others == [] and route.tier is ApprovalTier.BRANCH
        assert route.exposure.left_out == [ExposureLine(
            workflow_id=wrong.id, amount=Decimal(3_000_000), note=(
                f"its business licence is of {one['name']} ({one['credit_code']}), not of "
                f"{two['credit_code']}: the application's credit code looks mistyped; its "
                "relationship manager checks it, and it counts again once a licence printing "
                "this code is read in it"))]

        again = stored(settings, apply(one["name"], one["file"], 60))
        with pytest.raises(BadInput) as refused:
            await applications.start_journey(client, settings, again)
        assert str(refused.value) == refusal(
            again, two["name"], f"{two['name']}'s business licence printing it", own.id)
        kept = others(settings.db_url, two["credit_code"], "-")
        assert sorted(line.workflow_id for line in kept) == sorted([wrong.id, own.id])
        # started past `start` again: its intake keeps no line, and says why in `status`
        late = await start(client, settings, apply(one["name"], one["file"], 120))
        said = (await until_stage(late, Stage.COMPLETENESS, asking=True, seconds=120)).decisions
        assert [(d.actor.id, d.verdict, d.reason) for d in said] == [(
            "exposure-keeper", "exposure not kept",
            f"credit code {two['credit_code']} is {two['name']}'s, not {one['name']}'s: the "
            f"bank holds {two['name']}'s business licence printing it (in {own.id}): not "
            f"counted in {two['name']}'s exposure (统一授信); its relationship manager checks "
            f"the code against {one['name']}'s business licence")]
        assert late.id not in [line.workflow_id
                               for line in others(settings.db_url, two["credit_code"], "-")]

        # a live application whose licence the bank has not read (the fake's): its name
        company = borrower()
        theirs = await start(client, settings, application(docs, company=company))
        await routed(theirs)
        typo = stored(settings, application(docs, company=("上海另一制造有限公司", company[1]),
                                            period=journey_kit.TODAY - timedelta(days=90)))
        with pytest.raises(BadInput) as refused:
            await applications.start_journey(client, settings, typo)
        assert str(refused.value) == refusal(typo, company[0], f"{company[0]}'s application",
                                             theirs.id)
        # the company's own next application is started
        more = await applications.start_journey(client, settings, stored(settings, application(
            docs, company=company, period=journey_kit.TODAY - timedelta(days=120))))
        await more.terminate("the test is over")


async def exposure_reads(handle: WorkflowHandle) -> int:
    """How many times the journey read the borrower's exposure (activities scheduled)."""
    return len([e async for e in handle.fetch_history_events()
                if e.activity_task_scheduled_event_attributes.activity_type.name
                == ROUTE_ON_EXPOSURE])


async def until_kept(settings: Settings, credit_code: str, line: ExposureLine) -> None:
    """Read the store until the borrower's lines hold `line` (a loan keeps what it owes
    while its journey moves on)."""
    deadline = asyncio.get_running_loop().time() + 20
    while line not in (lines := others(settings.db_url, credit_code, "-")):
        assert asyncio.get_running_loop().time() < deadline, lines
        await asyncio.sleep(0.05)


def _text(renderable: RenderableType) -> str:
    console = Console(width=400, record=True)
    console.print(renderable)
    return console.export_text()
