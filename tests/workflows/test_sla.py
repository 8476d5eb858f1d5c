"""SLA timers race the awaited decision: warning, breach and escalations at the policy's
business-hour deadlines, across a weekend and a public holiday; timing events written
once even when the sink's activity is retried."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from temporalio import activity
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from journey import contracts
from journey.actors import Actor, Role
from journey.contracts import RecordTimingInput, RecordTimingResult
from journey.decisions import (
    AddDocuments,
    Reassignment,
    RiskGrade,
    RiskOpinion,
    Verdict,
    Withdrawal,
)
from journey.documents import DocumentKind
from journey.policy.calendar import moment_at
from journey.queue_wait import QueueWait
from journey.settings import Settings
from journey.stages import Stage
from journey.timeline import EventType
from starter import work_lists
from store.outbox import messages_for
from store.timing import events_for, record_events
from tests.post_loan.loan_kit import skip_to, until
from tests.workflows import journey_kit
from tests.workflows.journey_kit import (
    RISK_SME,
    customer,
    drive_to,
    new_application,
    running_journey,
    status,
    until_stage,
)
from workflows import search_attributes as sa
from workflows.loan_journey import LoanJourneyWorkflow


def cst(day: str, hhmm: str) -> datetime:
    return datetime.fromisoformat(f"{day}T{hhmm}:00+08:00").astimezone(UTC)


async def test_risk_review_warns_breaches_and_escalates_on_business_hours(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    env = time_skipping_env
    # Thursday 31 December 2026, 14:00 in Shanghai: New Year's Day (Friday) and the weekend
    # follow. 24 working hours of 09:00-17:30 days: 3.5 h on Thursday, 8.5 on Monday 4
    # January, 8.5 on Tuesday, 3.5 on Wednesday.
    await env.sleep(cst("2026-12-31", "14:00") - await env.get_current_time())
    journey_kit.TODAY = (await env.get_current_time()).date()
    docs, app = new_application()
    async with running_journey(env, tmp_path, docs, app) as (settings, handle):
        entered = (await until_stage(handle, Stage.RISK_REVIEW)).timeline[-1].entered_at
        assert entered - cst("2026-12-31", "14:00") < timedelta(minutes=1)
        await env.sleep(timedelta(days=10))
        s = await handle.query(LoanJourneyWorkflow.status)
        assert s.stage is Stage.RISK_REVIEW  # a breach escalates and keeps waiting
        sla = [(e.type, e.at - (entered - cst("2026-12-31", "14:00")))
               for e in s.events if e.stage is Stage.RISK_REVIEW and e.type not in
               (EventType.ENTERED, EventType.EXITED)]
        expected = [
            (EventType.SLA_WARNED, cst("2027-01-05", "16:12")),  # 80% = 19.2 h
            (EventType.SLA_BREACHED, cst("2027-01-06", "12:30")),  # 24 h
            (EventType.ESCALATED, cst("2027-01-06", "16:30")),  # +4 working hours: remind
            (EventType.ESCALATED, cst("2027-01-07", "12:30")),  # +1 working day: supervisor
            (EventType.ASSIGNED, cst("2027-01-07", "12:30")),  # ... whose the wait is since
            (EventType.ESCALATED, cst("2027-01-08", "12:30")),  # +2 working days: customer
        ]
        assert [t for t, _ in sla] == [t for t, _ in expected]
        for (_, at), (_, want) in zip(sla, expected, strict=True):
            assert abs(at - want) < timedelta(seconds=1), (at, want)
        assert s.sla_state == "breached"
        assert s.assigned_to == "sup-sme"
        assert [e.actor for e in s.events if e.type is EventType.ASSIGNED] == ["sup-sme"]
        assert (await handle.describe()).typed_search_attributes.get(sa.ASSIGNEE) == "sup-sme"
        # the team's queue: waiting since the entry, 46 working hours by now (3.5 on the
        # Thursday, 8.5 on each working day of the week after), due at the breach point
        listed = (await handle.describe()).typed_search_attributes.get(sa.QUEUE_WAIT)
        wait = QueueWait.of(listed)
        assert wait is not None and wait.business, listed
        assert abs(wait.since - entered) < timedelta(seconds=1)
        shift = entered - cst("2026-12-31", "14:00")
        assert abs(wait.due_at - shift - expected[1][1]) < timedelta(seconds=1), listed
        assert abs(wait.warn_at - shift - expected[0][1]) < timedelta(seconds=1), listed
        now = await env.get_current_time()
        assert wait.waited(now, work_lists.queue_clock(now)[1]) == "46.0 working h"
        sent = {m.template: m for m in messages_for(settings.db_url, handle.id)}
        assert "sla_remind_owner" in sent and "sla_notify_customer" in sent
        # the reassignment is told: to the supervisor, and to the queue it was taken from
        case = (f"{handle.id} ({app.applicant_name}, credit code {app.credit_code}, "
                f"application {app.application_id}) is past its time limit of 24 working "
                "hours at risk_review: SLA escalation level 2 reassigned it")
        told, away = sent["sla_reassign_supervisor"], sent["sla_reassigned_from"]
        assert (told.recipient, told.body) == ("sup-sme", (
            f"{case} to you, taken from sme_risk; it waits for risk opinion from sup-sme."))
        assert (away.recipient, away.body) == ("sme_risk", (
            f"{case} to supervisor sup-sme: they decide it now; hand them what you have on "
            "it."))
        # the rows in SQL are the events the journey emitted, once each
        stored = events_for(settings.db_url, handle.id)
        assert [(e.sequence, e.type) for e in stored] == [(e.sequence, e.type) for e in s.events]


async def at_review_assigned_to_risk_sme_2(handle: WorkflowHandle) -> None:
    """The journey at risk review, its supervisor having assigned it to risk-sme-2."""
    await until_stage(handle, Stage.RISK_REVIEW)
    await handle.execute_update(LoanJourneyWorkflow.reassign, Reassignment(
        actor=Actor(id="sup-sme", role=Role.SUPERVISOR), to="risk-sme-2", reason="leave"))


async def test_an_escalation_tells_the_officer_it_takes_the_case_from(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    """A case its supervisor assigned to an officer: the escalation to the supervisor tells
    that officer, not the team's queue, that the case is no longer theirs."""
    env = time_skipping_env
    docs, app = new_application()
    async with running_journey(env, tmp_path, docs, app) as (settings, handle):
        await at_review_assigned_to_risk_sme_2(handle)
        await env.sleep(timedelta(days=10))
        await journey_kit.until_sent(settings.db_url, handle.id, template="sla_reassigned_from")
        sent = {m.template: m for m in messages_for(settings.db_url, handle.id)}
    assert sent["sla_remind_owner"].recipient == "risk-sme-2"
    told, away = sent["sla_reassign_supervisor"], sent["sla_reassigned_from"]
    assert told.recipient == "sup-sme" and "to you, taken from risk-sme-2;" in told.body
    assert away.recipient == "risk-sme-2" and away.body.endswith(
        "reassigned it to supervisor sup-sme: they decide it now; hand them what you have on it.")


async def test_a_decision_in_time_disarms_the_timers(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    env = time_skipping_env
    docs, app = new_application()
    async with running_journey(env, tmp_path, docs, app) as (settings, handle):
        await drive_to(handle, app, Stage.OFFER)
        await env.sleep(timedelta(days=3))
        s = await handle.query(LoanJourneyWorkflow.status)
        assert not [e for e in s.events if e.stage in (Stage.RISK_REVIEW, Stage.APPROVAL)
                    and e.type in (EventType.SLA_WARNED, EventType.SLA_BREACHED)]
        assert not [m for m in messages_for(settings.db_url, handle.id)
                    if m.template.startswith("sla_") and "risk" in m.recipient]


async def test_timing_events_are_written_once_when_the_sink_is_retried(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    docs, app = new_application()
    db_url = Settings(data_dir=tmp_path).db_url  # the database journey_worker's settings use
    failures: list[int] = []

    @activity.defn(name=contracts.RECORD_TIMING)
    def record_timing_events(request: RecordTimingInput) -> RecordTimingResult:
        """A sink that loses its answer the first time, after its commit."""
        inserted = record_events(db_url, request.events)
        if activity.info().attempt == 1:
            failures.append(len(request.events))
            raise RuntimeError("connection lost after the commit")
        return RecordTimingResult(inserted=inserted)

    sink = [record_timing_events]
    async with running_journey(time_skipping_env, tmp_path, docs, app, sink) as (settings, handle):
        s = await until_stage(handle, Stage.RISK_REVIEW)
        for _ in range(100):  # the last batch lands after its retry
            stored = events_for(settings.db_url, handle.id)
            if len(stored) >= len(s.events):
                break
            await asyncio.sleep(0.1)
    assert len(failures) >= 3, "the sink never failed: the test proves nothing"
    assert [e.sequence for e in stored] == [e.sequence for e in s.events]


async def test_a_request_unmet_is_one_sla_clock_a_new_request_another_and_an_end_none(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    """Asked for two statements, the customer sends one after the request's SLA (5 days)
    breached: the request is still unmet, so the next visit stays breached and the round's
    points (warning, breach, two escalations) come once each, from the first request. A
    question of the risk officer is a new request: a new clock. A journey that ended runs no
    SLA: none listed, none in its status."""
    env = time_skipping_env
    docs, app = new_application(drop={"income", "balance"})
    sent = {r.ref.filename.rsplit("-", 1)[-1]: r.ref for r in docs.readings.values()}
    async with running_journey(env, tmp_path, docs, app) as (settings, handle):

        async def send(document: str) -> None:
            await handle.execute_update(LoanJourneyWorkflow.add_documents, AddDocuments(
                actor=customer(app), documents=[sent[document]]))

        async def listed_sla() -> str | None:
            return (await handle.describe()).typed_search_attributes.get(sa.SLA_STATE)

        first = await until_stage(handle, Stage.COMPLETENESS, asking=True)
        asked, requested = first.timeline[-1], first.waiting_for[0]
        await skip_to(env, asked.entered_at + timedelta(days=5, hours=1))
        await send("balance.png")
        again = await until(handle, lambda s: s.stage is Stage.COMPLETENESS and s.attempt == 2
                            and bool(s.waiting_for))
        assert (again.attempt, again.sla_state, await listed_sla()) == (2, "breached", "breached")
        await skip_to(env, asked.entered_at + timedelta(days=12))  # a second breach on main
        await send("income.png")
        await until_stage(handle, Stage.RISK_REVIEW)
        await handle.execute_update(LoanJourneyWorkflow.record_risk_opinion, RiskOpinion(
            actor=RISK_SME, verdict=Verdict.REQUEST_INFO, reason="a dip",
            question="why the dip?"))
        new = await until_stage(handle, Stage.COMPLETENESS, asking=True)
        assert (new.attempt, new.sla_state, await listed_sla()) == (4, "ok", "ok")
        await skip_to(env, new.timeline[-1].entered_at + timedelta(days=4, hours=1))
        await handle.execute_update(LoanJourneyWorkflow.withdraw, Withdrawal(
            actor=customer(app), reason="found cheaper funding"))
        await handle.result()
        ended = await status(handle)
        clock = [(e.type, e.attempt, e.detail) for e in ended.events
                 if e.stage is Stage.COMPLETENESS and e.type in
                 (EventType.SLA_WARNED, EventType.SLA_BREACHED, EventType.ESCALATED)]
        assert clock == [
            (EventType.SLA_WARNED, 1, "warning level 0"),
            (EventType.SLA_BREACHED, 1, "breach level 0"),
            (EventType.ESCALATED, 1, "escalation level 1 notify_customer"),
            (EventType.ESCALATED, 2, "escalation level 2 remind_owner"),  # breach + 2 days
            (EventType.SLA_WARNED, 4, "warning level 0"),  # the risk officer's question's
        ]
        assert (ended.stage, ended.sla_state, await listed_sla()) == (Stage.WITHDRAWN, "-", "-")
    # the reminders say what is awaited, for which application, by when: the customer's in
    # their words, the staff's to the case's submitter
    expiry = requested.split(" before ")[1].split(", when")[0]  # the round's
    awaited = ("Please send the balance sheet (资产负债表); Please send the income statement "
               "(利润表)")
    sent = {m.template: m for m in messages_for(settings.db_url, handle.id)}
    told = sent["sla_notify_customer"]
    assert (told.recipient, told.body) == ("customer", (
        f"Your application {app.application_id} for a working capital loan of 3,000,000.00 "
        f"still waits for what the bank asked you for: {awaited}. Please send it in the "
        "bank's app, on its web site or with your relationship manager by "
        f"{expiry}; if it has not come by then, the application expires."))
    reminded = sent["sla_remind_owner"]
    assert (reminded.recipient, reminded.body) == (journey_kit.SUBMITTER.id, (
        f"{handle.id} ({app.applicant_name}, credit code {app.credit_code}, application "
        f"{app.application_id}) is past its time limit at completeness (escalation level 2): "
        "the customer has not sent what they were asked for: Please send the income "
        f"statement (利润表) of the period ending {docs.period_of(DocumentKind.BALANCE_SHEET)}, "
        f"the latest of the statements you sent; it expires at {expiry}. Contact the "
        "customer."))


async def test_an_offer_unsigned_reminds_the_customer_and_its_submitter_in_words(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    """The offer's SLA (14 days): at its breach the customer is reminded to sign, by when
    and how; 7 days on, the case's submitter, in staff words."""
    env = time_skipping_env
    docs, app = new_application()
    async with running_journey(env, tmp_path, docs, app) as (settings, handle):
        offered = await drive_to(handle, app, Stage.OFFER)
        assert offered.offer is not None and offered.offer.expires_at is not None
        await skip_to(env, offered.timeline[-1].entered_at + timedelta(days=21, hours=1))
        await journey_kit.until_sent(settings.db_url, handle.id, template="sla_remind_owner")
        sent = {m.template: m for m in messages_for(settings.db_url, handle.id)}
    expiry = moment_at(offered.offer.expires_at, 8)  # the bank's clock
    told = sent["sla_notify_customer"]
    assert (told.recipient, told.body) == ("customer", (
        f"Your application {app.application_id} for a working capital loan of 3,000,000.00: "
        "the bank's loan offer still waits for your signature. To accept it, sign it as "
        f"{app.applicant_name} (credit code {app.credit_code}) in the bank's app, on its web "
        f"site or with your relationship manager by {expiry}; unsigned by then, it "
        "expires."))
    reminded = sent["sla_remind_owner"]
    assert reminded.recipient == journey_kit.SUBMITTER.id
    assert reminded.body.endswith(
        "is past its time limit at offer (escalation level 2): the customer has not signed "
        f"the offer; it expires at {expiry}. Contact the customer.")


async def test_an_approvals_escalation_is_its_tiers_not_the_risk_reviews_assignee(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    """An assignment belongs to the stage it was made at: the risk review's officer is not
    reminded of the approval's breach, the approval's tier is."""
    env = time_skipping_env
    docs, app = new_application()
    async with running_journey(env, tmp_path, docs, app) as (settings, handle):
        await at_review_assigned_to_risk_sme_2(handle)
        await handle.execute_update(LoanJourneyWorkflow.record_risk_opinion, RiskOpinion(
            actor=Actor(id="risk-sme-2", role=Role.RISK_OFFICER), verdict=Verdict.APPROVE,
            grade=RiskGrade.G3, reason="sound"))
        await until_stage(handle, Stage.APPROVAL)
        await env.sleep(timedelta(days=30))
        reminded = await journey_kit.until_sent(settings.db_url, handle.id,
                                                template="sla_remind_owner")
        assert (reminded.key.split(":")[1], reminded.recipient) == (Stage.APPROVAL, "branch")
