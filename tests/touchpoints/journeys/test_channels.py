"""Every customer-facing touchpoint is a timing event with its channel, and the journey asks
for feedback (through the outbox) when the customer leaves a stage they took part in."""

from __future__ import annotations

from temporalio.testing import WorkflowEnvironment

from journey.application import Channel
from journey.decisions import AddDocuments
from journey.documents import DocumentKind
from journey.repayment import money
from journey.stages import Stage
from journey.timeline import EventType
from journey.touchpoints import Feedback, Inquiry
from store.outbox import messages_for
from store.timing import events_for
from tests.post_loan.loan_kit import settle_at_quote
from tests.workflows.journey_kit import (
    SUBMITTER,
    Documents,
    application,
    customer,
    drive_to,
    offer_signature,
    running_journey,
    status,
    until_stage,
)
from workflows.loan_journey import LoanJourneyWorkflow as W


async def test_touchpoints_carry_their_channel_and_ask_for_feedback(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    docs = Documents()
    app = application(docs, drop={"income"}).model_copy(update={"channel": Channel.APP})
    me = customer(app)
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (settings, handle):
        short = await until_stage(handle, Stage.COMPLETENESS, asking=True)
        answer = await handle.execute_update(W.record_inquiry,
                                             Inquiry(actor=me, channel=Channel.PHONE))
        # where it stands in the customer's words: what is awaited, by when, how to send it
        until = short.waiting_for[0].split(" before ")[1].split(", when")[0]
        assert answer.message == (
            f"Your application {app.application_id} for a working capital loan of "
            f"{money(app.amount)}: the bank waits for what it asked you for, by {until}: Please "
            "send the income statement (利润表) of the period ending "
            f"{docs.period_of(DocumentKind.BALANCE_SHEET)}, the latest of the statements you "
            "sent. "
            "Send it in the bank's app, on its web site or with your relationship manager.")
        income = next(r for r in docs.readings.values() if r.ref.filename.endswith("income.png"))
        await handle.execute_update(
            W.add_documents, AddDocuments(actor=me, documents=[income.ref], channel=Channel.WEB)
        )
        await drive_to(handle, app, Stage.OFFER)
        # feedback about the offer given while at the offer: no request for it afterwards
        await handle.execute_update(
            W.record_feedback,
            Feedback(actor=me, channel=Channel.APP, stage=Stage.OFFER, score=5),
        )
        await handle.execute_update(W.sign, offer_signature(app))  # on the app
        running = await until_stage(handle, Stage.POST_LOAN)
        assert running.offer is not None
        await handle.execute_update(
            W.record_inquiry, Inquiry(actor=SUBMITTER, channel=Channel.RELATIONSHIP_MANAGER)
        )
        await settle_at_quote(handle, running, "TX-1")  # operations record the receipt
        assert (await handle.result()).outcome is Stage.CLOSED

        final = await status(handle)
        touch = [
            (e.stage, e.channel, e.detail) for e in final.events if e.type is EventType.TOUCHPOINT
        ]
        assert touch == [
            (Stage.INTAKE, Channel.APP, "application submitted"),
            (Stage.COMPLETENESS, Channel.PHONE, "inquiry"),
            (Stage.COMPLETENESS, Channel.WEB, "documents added: 1"),
            (Stage.OFFER, Channel.APP, "feedback csat=5 about offer"),
            (Stage.OFFER, Channel.APP, "offer signed"),
            (Stage.POST_LOAN, Channel.RELATIONSHIP_MANAGER, "inquiry"),
            (Stage.POST_LOAN, Channel.API, "settlement TX-1"),
        ]
        stored = events_for(settings.db_url, handle.id)
        assert [e.sequence for e in stored] == list(range(len(final.events)))
        assert all(e.channel for e in stored if e.type is EventType.TOUCHPOINT)

        asked = {
            m.key: m.body
            for m in messages_for(settings.db_url, handle.id)
            if m.template == "feedback_request"
        }
        # intake (the application), once the file is complete; the documents the customer
        # sent at completeness are due the same day, so they wait for a stage left a day
        # later, and the loan runs first (dropped); not the offer (answered)
        assert sorted(asked) == [f"{handle.id}:feedback:intake:1"]
        # which application, and the step in the customer's words
        assert asked[f"{handle.id}:feedback:intake:1"] == (
            f"Your application {app.application_id} for a working capital loan of "
            f"{money(app.amount)}: how did applying go for you? Score it 1 (poor) to 5 (very "
            "good).")
