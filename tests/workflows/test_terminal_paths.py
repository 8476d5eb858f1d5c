"""Every terminal path and the supplements loop, on the time-skipping server."""

from __future__ import annotations

import asyncio
import json
import threading
from datetime import date, timedelta, timezone

import pytest
from rich.console import Console
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from journey.actors import Actor, Role
from journey.decisions import (
    AddDocuments,
    ApprovalDecision,
    RiskGrade,
    RiskOpinion,
    Verdict,
    Withdrawal,
)
from journey.decline_reasons import DeclineReason
from journey.documents import DocumentKind, ReadStatus
from journey.end_notices import TEMPLATES
from journey.stages import Stage
from starter.status_view import status_view
from store.ledger import bookings_for
from store.outbox import messages_for
from tests.cli_kit import cli, point_cli_at, said
from tests.post_loan.loan_kit import skip_to, until
from tests.workflows.journey_kit import (
    BRANCH_APPROVER,
    RISK_SME,
    Documents,
    application,
    customer,
    drive_to,
    new_application,
    running_journey,
    until_stage,
)
from workflows.loan_journey import LoanJourneyWorkflow

BEIJING = timezone(timedelta(hours=8))


async def told_the_end(db_url: str, handle: WorkflowHandle, outcome: Stage) -> str:
    """The body of the one notice to the customer of the journey's end, `outcome`, which
    names the bank's day it ended on."""
    told = [m for m in messages_for(db_url, handle.id) if m.template in TEMPLATES.values()]
    assert [(m.template, m.recipient, m.key) for m in told] == [
        (TEMPLATES[outcome], "customer", f"{handle.id}:ended:{outcome}")]
    ended = (await handle.query(LoanJourneyWorkflow.status)).timeline[-1].entered_at
    assert f" on {ended.astimezone(BEIJING).date()}. " in told[0].body
    return told[0].body


async def test_missing_statement_asks_for_supplements_and_waits(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    docs, app = new_application(drop={"income"})
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (settings, handle):
        short = await until_stage(handle, Stage.COMPLETENESS, asking=True)
        expires = short.timeline[-1].entered_at + timedelta(days=30)  # the policy's expiry
        # what to send, once, in words, of which period, and by when in the bank's time
        sent = docs.period_of(DocumentKind.BALANCE_SHEET)
        income_asked = (f"Please send the income statement (利润表) of the period ending "
                        f"{sent}, the latest of the statements you sent")
        assert short.waiting_for[0] == (
            f"customer supplements before {expires.astimezone(BEIJING):%Y-%m-%d %H:%M} (UTC+8)"
            f", when the application expires: {income_asked}")
        income = next(r for r in docs.readings.values() if r.ref.filename.endswith("income.png"))
        await handle.execute_update(
            LoanJourneyWorkflow.add_documents,
            AddDocuments(actor=customer(app), documents=[income.ref]),
        )
        reviewed = await until_stage(handle, Stage.RISK_REVIEW)
        visits = [(v.stage, v.attempt) for v in reviewed.timeline]
        assert visits[1:6] == [
            (Stage.DOCUMENTS, 1),
            (Stage.COMPLETENESS, 1),
            (Stage.DOCUMENTS, 2),
            (Stage.COMPLETENESS, 2),
            (Stage.ROUTING, 1),
        ]
        # asked once, for which application, by when and how; told once it came
        told = [(m.template, m.body) for m in messages_for(settings.db_url, handle.id)
                if m.template.startswith("supplements_")]
        yours = f"Your application {app.application_id} for a working capital loan of 3,000,000.00"
        assert told == [
            ("supplements_requested", f"{yours}: the bank asks you for\n"
             f"- {income_asked}\n"
             "Send it in the bank's app, on its web site or with your relationship manager by "
             f"{expires.astimezone(BEIJING):%Y-%m-%d %H:%M} (UTC+8); if it has not all come by "
             "then, the application expires."),
            ("supplements_met", f"{yours}: we have received what we asked you for, and your "
             "file is complete; the application goes on to the bank's credit review. You need "
             "send nothing more; we will tell you when there is news of your application.")]


async def test_a_statement_sent_while_the_file_is_read_is_read_before_anyone_asks_for_it(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    """The customer sends the missing statement while the application's documents are being
    read: it is read next, and the customer is never asked for what they sent."""
    docs = Documents(gate=threading.Event())
    app = application(docs, drop={"income"})
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (settings, handle):
        await until_stage(handle, Stage.DOCUMENTS)
        income = next(r for r in docs.readings.values() if r.ref.filename.endswith("income.png"))
        await handle.execute_update(
            LoanJourneyWorkflow.add_documents,
            AddDocuments(actor=customer(app), documents=[income.ref]),
        )
        docs.gate.set()
        reviewed = await until_stage(handle, Stage.RISK_REVIEW)
        assert [(v.stage, v.attempt) for v in reviewed.timeline][1:5] == [
            (Stage.DOCUMENTS, 1), (Stage.COMPLETENESS, 1), (Stage.DOCUMENTS, 2),
            (Stage.COMPLETENESS, 2)]
        assert not [m for m in messages_for(settings.db_url, handle.id)
                    if m.template == "supplements_requested"]


async def test_unreadable_document_is_asked_for_again_not_a_failure(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    docs, app = new_application(drop={"balance"})
    app.documents.append(docs.unreadable("corrupt-balance"))
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (_, handle):
        short = await until_stage(handle, Stage.COMPLETENESS, asking=True)
        assert short.completeness is not None
        assert any(f.code == "unreadable" for f in short.completeness.failures)
        balance = next(r for r in docs.readings.values() if r.ref.filename.endswith("-balance.png"))
        await handle.execute_update(
            LoanJourneyWorkflow.add_documents,
            AddDocuments(actor=customer(app), documents=[balance.ref]),
        )
        await until_stage(handle, Stage.RISK_REVIEW)


async def test_a_document_sent_again_stands_again(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    """The customer sends a licence of its own whose term has ended with the missing
    statement, and then the licence the application came with again: it is the licence
    again, not a duplicate to ignore."""
    docs, app = new_application(drop={"income"})
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (_, handle):
        await until_stage(handle, Stage.COMPLETENESS, asking=True)
        income = next(r for r in docs.readings.values() if r.ref.filename.endswith("income.png"))
        right = app.documents[0]  # the licence the application came with
        own = docs.readings[right.sha256].license
        assert own is not None
        lapsed = docs.add("lapsed-licence", status=ReadStatus.READ,
                          kind=DocumentKind.BUSINESS_LICENSE,
                          license=own.model_copy(update={"valid_until": date(2020, 1, 1)}))
        await handle.execute_update(LoanJourneyWorkflow.add_documents, AddDocuments(
            actor=customer(app), documents=[lapsed, income.ref]))
        asked = await until(handle, lambda s: s.stage is Stage.COMPLETENESS and s.attempt == 2
                            and bool(s.waiting_for))
        assert {f.code for f in asked.completeness.failures} == {"licence_expired"}
        sent = await handle.execute_update(LoanJourneyWorkflow.add_documents, AddDocuments(
            actor=customer(app), documents=[right]))
        assert sent.message == "0 new document(s), 1 sent before and standing again"
        reviewed = await until_stage(handle, Stage.RISK_REVIEW)
        # the front office sees which scan stands and what was read off each
        console = Console(record=True, width=400)
        console.print(status_view(reviewed))
        lines = console.export_text().splitlines()
        assert any(f"{app.applicant_name} ({app.credit_code}): working_capital 3,000,000.00 for "
                   "12 months" in line for line in lines)
        assert any(lapsed.filename in line and "read, superseded" in line for line in lines)
        assert any(income.ref.filename in line and "revenue 80,000,000.00; net profit 7,000,000.00"
                   in line for line in lines)


async def test_supplements_never_sent_expire_the_journey(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    docs, app = new_application(drop={"income"})
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (settings, handle):
        result = await handle.result()
        assert result.outcome is Stage.EXPIRED
        assert "supplements" in result.reason
        # the customer is told what was not done by when, on the bank's clock
        final = await handle.query(LoanJourneyWorkflow.status)
        asked = next(v for v in final.timeline if v.stage is Stage.COMPLETENESS).entered_at
        by = (asked + timedelta(days=30)).astimezone(BEIJING)  # the policy's expiry
        assert (await told_the_end(settings.db_url, handle, Stage.EXPIRED)).endswith(
            f"expired on {final.timeline[-1].entered_at.astimezone(BEIJING).date()}. What "
            f"the bank asked for was not received by {by:%Y-%m-%d %H:%M} (UTC+8): Please send "
            "the income statement (利润表) of the period ending "
            f"{docs.period_of(DocumentKind.BALANCE_SHEET)}, the latest of the statements you "
            "sent.")


@pytest.mark.parametrize("by", ["risk", "approval"])
async def test_rejection_ends_the_journey_with_its_reason(
    time_skipping_env: WorkflowEnvironment, tmp_path, by: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reason stays in the bank's record, with the grade the risk officer gave (`status`,
    which says the journey has ended, waiting on nobody); the customer is told the stage and
    the reason's category, not who decided nor what they wrote."""
    docs, app = new_application()
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (settings, handle):
        point_cli_at(monkeypatch, time_skipping_env.client, tmp_path)
        await until_stage(handle, Stage.RISK_REVIEW)
        verdict = Verdict.REJECT if by == "risk" else Verdict.APPROVE
        await handle.execute_update(
            LoanJourneyWorkflow.record_risk_opinion,
            RiskOpinion(actor=RISK_SME, verdict=verdict, grade=RiskGrade.G8, reason="cash burn",
                        category=DeclineReason.LEVERAGE if by == "risk" else None),
        )
        if by == "approval":
            await handle.execute_update(
                LoanJourneyWorkflow.decide,
                ApprovalDecision(actor=BRANCH_APPROVER, verdict=Verdict.REJECT,
                                 reason="sector outlook", category=DeclineReason.INDUSTRY),
            )
        result = await handle.result()
        assert result.outcome is Stage.REJECTED
        assert result.reason.startswith("risk review" if by == "risk" else "approval")
        assert bookings_for(settings.db_url, handle.id) == []
        body = await told_the_end(settings.db_url, handle, Stage.REJECTED)
        assert body.startswith(f"Your application {app.application_id} for a working capital "
                               "loan of 3,000,000.00 was declined on ")
        assert body.endswith(
            "It was decided at the bank's credit risk review. Reason: indebtedness - the "
            "business's debts are too high for the loan." if by == "risk" else
            "It was decided at the bank's credit approval. Reason: industry - the bank does "
            "not lend to the business's sector on these terms.")
        for internal in (RISK_SME.id, BRANCH_APPROVER.id, "cash burn", "sector outlook", "G8"):
            assert internal not in body
        shown = said(await cli("status", handle.id))
        ended = (await handle.query(LoanJourneyWorkflow.status)).timeline[-1].entered_at
        assert f"stage rejected, ended {ended.astimezone(BEIJING):%Y-%m-%d %H:%M}" in shown
        assert "waits on system" not in shown
        [end] = [line for line in (await cli("status", handle.id)).output.splitlines()
                 if line.startswith("│ rejected ")]  # its row in the timeline
        assert "system" not in end
        assert f"{verdict}, grade 8" in shown
        # the decline's own record names its category, the bank's words for the customer's
        category = "leverage" if by == "risk" else "industry"
        assert f"reject{', grade 8' if by == 'risk' else ''}, for: {category}" in shown
        decided = json.loads((await cli("status", handle.id, "--json")).stdout)["decisions"]
        assert [(d["verdict"], d["grade"]) for d in decided if d["actor"]["id"] == RISK_SME.id
                ] == [(verdict, "8")]
        assert [d["category"] for d in decided if d["verdict"] == "reject"] == [category]


async def test_unsigned_offer_expires(time_skipping_env: WorkflowEnvironment, tmp_path) -> None:
    docs, app = new_application()
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (settings, handle):
        offered = await drive_to(handle, app, Stage.OFFER)
        result = await handle.result()
        assert result.outcome is Stage.EXPIRED
        final = await handle.query(LoanJourneyWorkflow.status)
        assert offered.offer and offered.offer.expires_at
        assert final.timeline[-1].entered_at >= offered.offer.expires_at - timedelta(seconds=1)
        assert bookings_for(settings.db_url, handle.id) == []
        by = offered.offer.expires_at.astimezone(BEIJING)
        assert (await told_the_end(settings.db_url, handle, Stage.EXPIRED)).endswith(
            f"The loan offer was not signed by {by:%Y-%m-%d %H:%M} (UTC+8).")


WITHDRAWABLE = [Stage.COMPLETENESS, Stage.RISK_REVIEW, Stage.APPROVAL, Stage.OFFER]


@pytest.mark.parametrize("at", WITHDRAWABLE)
async def test_withdrawal_at_each_waiting_stage(
    time_skipping_env: WorkflowEnvironment, tmp_path, at: Stage
) -> None:
    docs, app = new_application(drop={"income"} if at is Stage.COMPLETENESS else set())
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (settings, handle):
        await drive_to(handle, app, at)
        done = await handle.execute_update(
            LoanJourneyWorkflow.withdraw,
            Withdrawal(actor=customer(app), reason="found cheaper funding"),
        )
        assert done.stage is Stage.WITHDRAWN
        result = await handle.result()
        assert result.outcome is Stage.WITHDRAWN
        final = await handle.query(LoanJourneyWorkflow.status)
        assert final.timeline[-2].stage is at and final.timeline[-2].outcome is Stage.WITHDRAWN
        assert (await told_the_end(settings.db_url, handle, Stage.WITHDRAWN)).endswith(
            "We confirm your withdrawal of the application, as you asked.")


async def test_withdrawal_while_documents_are_read(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    """A withdrawal that arrives while OCR runs ends the journey at the documents stage."""
    docs = Documents(gate=threading.Event())
    app = application(docs)
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (_, handle):
        await until_stage(handle, Stage.DOCUMENTS)
        withdrawing = asyncio.create_task(
            handle.execute_update(
                LoanJourneyWorkflow.withdraw,
                Withdrawal(actor=customer(app), reason="changed plans"),
            )
        )
        await asyncio.sleep(0.5)
        docs.gate.set()
        assert (await withdrawing).stage is Stage.WITHDRAWN
        final = await handle.query(LoanJourneyWorkflow.status)
        assert [v.stage for v in final.timeline][-2:] == [Stage.DOCUMENTS, Stage.WITHDRAWN]


async def test_withdrawal_after_disbursement_is_refused(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    from temporalio.client import WorkflowUpdateFailedError

    docs, app = new_application()
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (_, handle):
        await drive_to(handle, app, Stage.POST_LOAN)
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await handle.execute_update(
                LoanJourneyWorkflow.withdraw,
                Withdrawal(actor=Actor(id="ops-li", role=Role.OPERATIONS), reason="too late"),
            )
        assert "only before disbursement" in str(refused.value.cause)


async def test_front_office_withdraws_for_the_customer_until_the_offer_is_signed(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    """Before signature the bank has committed nothing: the case's relationship manager
    may withdraw for the customer, another manager may not (after it,
    tests/drawdowns/test_commitment_cancellation.py)."""
    from temporalio.client import WorkflowUpdateFailedError

    zhang = Actor(id="rm-zhang", role=Role.RELATIONSHIP_MANAGER)
    docs, app = new_application()
    app = app.model_copy(update={"submitted_by": zhang})
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (settings, handle):
        await drive_to(handle, app, Stage.OFFER)
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await handle.execute_update(LoanJourneyWorkflow.withdraw, Withdrawal(
                actor=Actor(id="rm-chen", role=Role.RELATIONSHIP_MANAGER), reason="by phone"))
        assert ("'rm-chen' may not withdraw the application for the customer: this is "
                "relationship manager 'rm-zhang''s case") in str(refused.value.cause)
        done = await handle.execute_update(
            LoanJourneyWorkflow.withdraw,
            Withdrawal(actor=zhang, reason="the customer declined the offer by phone"),
        )
        assert done.stage is Stage.WITHDRAWN
        await handle.result()
        body = await told_the_end(settings.db_url, handle, Stage.WITHDRAWN)
        assert body.endswith("We confirm the withdrawal of the application, recorded on your "
                             "behalf by your relationship manager; if you did not ask for it, "
                             "contact the bank.")
        assert "rm-zhang" not in body


async def test_a_supplement_is_sent_by_the_customer_operations_or_the_cases_own_manager(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    """Another relationship manager sends no documents for a customer not theirs (as they
    withdraw none): refused before the history; the case's own manager's are taken."""
    from temporalio.client import WorkflowUpdateFailedError

    zhang = Actor(id="rm-zhang", role=Role.RELATIONSHIP_MANAGER)
    docs, app = new_application(drop={"income"})
    app = app.model_copy(update={"submitted_by": zhang})
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (_, handle):
        await until_stage(handle, Stage.COMPLETENESS, asking=True)
        income = next(r for r in docs.readings.values() if r.ref.filename.endswith("income.png"))
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await handle.execute_update(LoanJourneyWorkflow.add_documents, AddDocuments(
                actor=Actor(id="rm-chen", role=Role.RELATIONSHIP_MANAGER),
                documents=[income.ref]))
        assert ("'rm-chen' may not send documents for the customer: this is relationship "
                "manager 'rm-zhang''s case") in str(refused.value.cause)
        taken = await handle.execute_update(LoanJourneyWorkflow.add_documents, AddDocuments(
            actor=zhang, documents=[income.ref]))
        assert taken.message.startswith("1 new document(s)"), taken.message
        await until_stage(handle, Stage.RISK_REVIEW)


async def test_supplements_sent_a_page_at_a_time_expire_from_the_first_request(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    """A batch of supplements that still leaves the file short does not restart the round's
    expiry: it counts from the first request, and status shows that date throughout."""
    docs, app = new_application(drop={"income", "balance"})
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (_, handle):
        short = await until_stage(handle, Stage.COMPLETENESS, asking=True)
        expires = short.timeline[-1].entered_at + timedelta(days=30)  # the policy's expiry
        by = f"customer supplements before {expires.astimezone(BEIJING):%Y-%m-%d %H:%M} (UTC+8)"
        assert short.waiting_for[0].startswith(by)
        await skip_to(time_skipping_env, expires - timedelta(days=10))
        balance = next(r for r in docs.readings.values() if r.ref.filename.endswith("balance.png"))
        await handle.execute_update(LoanJourneyWorkflow.add_documents,
                                    AddDocuments(actor=customer(app), documents=[balance.ref]))
        again = await until(handle, lambda s: s.stage is Stage.COMPLETENESS and s.attempt == 2
                            and bool(s.waiting_for))
        assert again.waiting_for[0].startswith(by)
        result = await handle.result()
        assert result.outcome is Stage.EXPIRED and "supplements" in result.reason
        ended = (await until(handle, lambda s: s.stage.terminal)).timeline[-1].entered_at
        assert ended < expires + timedelta(days=1)
