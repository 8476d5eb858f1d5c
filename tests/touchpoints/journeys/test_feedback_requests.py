"""When the customer is asked how applying went: once applying is over for them (the file
complete, or the journey ended before), not as the application is taken while documents are
still missing; journeys that asked at intake replay. And how often: each touchpoint once, once
it is over, never with bad news, at most one survey a day (workflows/touchpoints.py
SURVEYS_PACED)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from journey import contracts
from journey.application import Channel, LoanApplication
from journey.decisions import (
    AddDocuments,
    ApprovalDecision,
    RiskGrade,
    RiskOpinion,
    Verdict,
    Withdrawal,
    WrittenAnswer,
)
from journey.documents import DocumentKind, ReadStatus, SupportingDocument
from journey.settings import Settings
from journey.stages import Stage
from store.outbox import OutboxMessage, messages_for
from tests.post_loan.loan_kit import assert_replays
from tests.workflows.journey_kit import (
    BRANCH_APPROVER,
    RISK_SME,
    Documents,
    application,
    asked_again,
    customer,
    new_application,
    offer_signature,
    running_journey,
    until_sent,
    until_stage,
)
from workflows.loan_journey import LoanJourneyWorkflow as W

OPINION = RiskOpinion(actor=RISK_SME, verdict=Verdict.APPROVE, grade=RiskGrade.G3, reason="sound")


def asked(db_url: str, handle: WorkflowHandle) -> dict[str, OutboxMessage]:
    """The journey's feedback requests queued so far, by key."""
    return {m.key: m for m in messages_for(db_url, handle.id) if m.template == "feedback_request"}


@asynccontextmanager
async def short_of_income(env: WorkflowEnvironment, tmp_path: Path
                          ) -> AsyncIterator[tuple[Documents, LoanApplication, Settings,
                                                   WorkflowHandle]]:
    """A journey whose customer was asked for the missing income statement, and not yet how
    applying went: still applying."""
    docs = Documents()
    app = application(docs, drop={"income"})
    async with running_journey(env, tmp_path, docs, app) as (settings, handle):
        await until_stage(handle, Stage.COMPLETENESS, asking=True)
        await until_sent(settings.db_url, handle.id, template="supplements_requested")
        assert asked(settings.db_url, handle) == {}
        yield docs, app, settings, handle


async def test_applying_is_asked_about_once_the_missing_statement_completes_the_file(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    async with short_of_income(time_skipping_env, tmp_path) as (docs, app, settings, handle):
        income = next(r for r in docs.readings.values() if r.ref.filename.endswith("income.png"))
        await handle.execute_update(W.add_documents, AddDocuments(
            actor=customer(app), documents=[income.ref], channel=Channel.WEB))
        await until_stage(handle, Stage.RISK_REVIEW)
        applying = await until_sent(settings.db_url, handle.id,
                                    key=f"{handle.id}:feedback:intake:1")
        # applying; the documents they sent as asked are due too, but wait a day
        assert list(asked(settings.db_url, handle)) == [f"{handle.id}:feedback:intake:1"]
        complete = await until_sent(settings.db_url, handle.id, template="supplements_met")
        assert applying.id > complete.id  # told the file is complete, then asked
        assert "how did applying go for you?" in applying.body
        # a day on, the next stage left asks about them
        await time_skipping_env.sleep(timedelta(days=1, hours=1))
        await handle.execute_update(W.record_risk_opinion, OPINION)
        sending = await until_sent(settings.db_url, handle.id,
                                   key=f"{handle.id}:feedback:completeness:1")
        assert "how did sending the documents the bank asked for go" in sending.body
        await assert_replays(handle)


async def test_a_complete_application_is_asked_about_after_completeness(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    docs, app = new_application()
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (settings, handle):
        await until_stage(handle, Stage.RISK_REVIEW)
        await until_sent(settings.db_url, handle.id, key=f"{handle.id}:feedback:intake:1")
        assert list(asked(settings.db_url, handle)) == [f"{handle.id}:feedback:intake:1"]
        scheduled = [e.activity_task_scheduled_event_attributes.activity_type.name
                     async for e in handle.fetch_history_events()
                     if e.HasField("activity_task_scheduled_event_attributes")]
        # its one notice is queued once the file was checked complete, not at intake: before
        # the check, the customer is told only that the application has come
        before = scheduled[:scheduled.index(contracts.CHECK_COMPLETENESS)]
        assert before.count(contracts.NOTIFY) == 1
        assert [m.template for m in messages_for(settings.db_url, handle.id)][0] == \
            "application_received"
        await assert_replays(handle)


async def test_an_application_withdrawn_while_short_is_asked_about_with_its_end(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    async with short_of_income(time_skipping_env, tmp_path) as (_, app, settings, handle):
        await handle.execute_update(W.withdraw, Withdrawal(
            actor=customer(app), reason="found another lender", channel=Channel.APP))
        assert (await handle.result()).outcome is Stage.WITHDRAWN
        # applying, with the end; not the completeness visit, where they sent nothing
        assert list(asked(settings.db_url, handle)) == [f"{handle.id}:feedback:intake:1"]
        await assert_replays(handle)


async def test_the_testers_sequence_gets_each_survey_once_a_day_at_most_never_with_bad_news(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    """The head of CX's customer: an unreadable scan and a missing statement asked for; a
    first batch that does not complete the file, so the bank asks again; the statement; then
    a risk officer's question answered in writing. Before the fix: six surveys in minutes,
    one in the second of "We could not read", documents asked about four times. Now: applying
    once the file is complete; sending documents a day later; the offer, due the same day as
    that, waits and is dropped as the loan runs."""
    docs = Documents()
    app = application(docs, drop={"income"})
    scan = docs.unreadable("corrupt_truncated")
    app = app.model_copy(update={"documents": [*app.documents, scan]})
    stray = docs.add("price_list", status=ReadStatus.READ, kind=DocumentKind.OTHER,
                     supporting=SupportingDocument(text="价目表"))
    income = next(r for r in docs.readings.values() if r.ref.filename.endswith("income.png"))
    question = RiskOpinion(actor=RISK_SME, verdict=Verdict.REQUEST_INFO, reason="cash fell",
                           question="explain the drop in cash")
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (settings, handle):
        first = await until_stage(handle, Stage.COMPLETENESS, asking=True)
        assert f"We could not read {scan.filename}" in first.waiting_for[0]
        await handle.execute_update(W.add_documents, AddDocuments(
            actor=customer(app), documents=[stray], channel=Channel.WEB))
        await asked_again(handle, 2)  # a second request for more
        assert asked(settings.db_url, handle) == {}  # not while the bank asks for more
        await handle.execute_update(W.add_documents, AddDocuments(
            actor=customer(app), documents=[income.ref], channel=Channel.WEB))
        await until_stage(handle, Stage.RISK_REVIEW)
        await until_sent(settings.db_url, handle.id, key=f"{handle.id}:feedback:intake:1")
        await handle.execute_update(W.record_risk_opinion, question)
        await until_stage(handle, Stage.COMPLETENESS, asking=True)
        await handle.execute_update(W.answer_question, WrittenAnswer(
            actor=customer(app), text="the cash paid for a new line"))
        await until_stage(handle, Stage.RISK_REVIEW)
        # the written answer sent no document and came the same day: nothing more asked
        assert list(asked(settings.db_url, handle)) == [f"{handle.id}:feedback:intake:1"]
        await time_skipping_env.sleep(timedelta(days=1, hours=1))
        await handle.execute_update(W.record_risk_opinion, OPINION)
        # the latest visit they sent documents in: the second of the first round
        documents = await until_sent(settings.db_url, handle.id,
                                     key=f"{handle.id}:feedback:completeness:2")
        await until_stage(handle, Stage.APPROVAL)
        await handle.execute_update(W.decide, ApprovalDecision(
            actor=BRANCH_APPROVER, verdict=Verdict.APPROVE, reason="within limit"))
        await until_stage(handle, Stage.OFFER)
        await handle.execute_update(W.sign, offer_signature(app))
        await until_stage(handle, Stage.POST_LOAN)
        surveys = asked(settings.db_url, handle)
        assert sorted(surveys) == [f"{handle.id}:feedback:completeness:2",
                                   f"{handle.id}:feedback:intake:1"]
        # never in the moment of bad news: each queued after every request for more
        bad = [m for m in messages_for(settings.db_url, handle.id)
               if m.template == "supplements_requested"]
        assert bad and all(m.id < documents.id for m in bad)
        await assert_replays(handle)
