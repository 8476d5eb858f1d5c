"""The bank's OCR control: a figure a decision uses that the reader was unsure of holds the case
at documents, on operations, not the customer, until a clerk other than the submitter checks
it against the paper, as read or corrected, under the policy's figures-check SLA; a file read
sure goes on untouched. A file read short of a document asks the customer for it first, and
the check waits until the file is complete, over what stands then, the customer told it is
complete before it. (A rescan's checks carried: tests/e2e/test_figures_rescan.py.)"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from prometheus_client import REGISTRY
from temporalio.testing import WorkflowEnvironment

from activities.policy import china_calendar
from journey.actors import Actor, Role
from journey.decisions import AddDocuments, RiskOpinion, Verdict, WrittenAnswer
from journey.documents import DocumentKind, DocumentReading, FinancialStatement, ReadStatus
from journey.figures_checked import AS_READ
from journey.policy.sla import Unit, add_duration
from journey.reading_corrections import ReadingCorrection
from journey.stages import Party, Stage
from journey.supplement_notices import supplements_received
from journey.timeline import EventType
from store.outbox import messages_for
from store.timing import events_for
from tests.cli_kit import cli, point_cli_at, said
from tests.e2e.processes import eventually
from tests.post_loan.loan_kit import assert_replays
from tests.workflows.journey_kit import (
    RISK_SME,
    SUBMITTER,
    Documents,
    asked_again,
    customer,
    new_application,
    refused,
    running_journey,
    status,
    until_sent,
    until_stage,
)
from tests.workflows.test_entrusted_payout import patched, queue_wait
from workflows.loan_journey import (
    ASK_BEFORE_FIGURES_CHECK,
    MET_BEFORE_FIGURES_CHECK,
    LoanJourneyWorkflow,
)
from workflows.reading_corrections import FIGURES_CHECK_SLA, FIGURES_CHECKED

CLERK = Actor(id="ops-wang", role=Role.OPERATIONS)  # not the case's submitter (SUBMITTER)


def balance_of(docs: Documents) -> DocumentReading:
    """The balance sheet the application of `docs` was made with."""
    return next(r for r in docs.readings.values() if r.ref.filename.endswith("-balance.png"))


def unsure(statement: FinancialStatement | None) -> FinancialStatement:
    """`statement` read right, but its total liabilities at 0.00 and its current assets
    flagged misread: two figures to check."""
    assert statement is not None
    return statement.model_copy(update={
        "confidence": {"total_liabilities": 0.0, "total_assets": 0.95},
        "problems": {"current_assets": "digit groups look misread: compare with the original"}})


def unsure_sheet(docs: Documents) -> DocumentReading:
    """The balance sheet of `docs`, read `unsure`."""
    sheet = balance_of(docs)
    docs.readings[sheet.ref.sha256] = sheet = sheet.model_copy(
        update={"statement": unsure(sheet.statement)})
    return sheet


async def test_an_unsure_figure_holds_the_case_for_operations_until_checked_as_read(
    time_skipping_env: WorkflowEnvironment, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs, app = new_application()
    sheet = unsure_sheet(docs)
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (settings, handle):
        held = await until_stage(handle, Stage.DOCUMENTS, asking=True)
        assert (held.waits_on, held.team) == (Party.BANK, "operations")
        named = (f"2 figures to check against the paper: {sheet.ref.filename} total "
                 f"liabilities 40,000,000.00 (read at 0.00); {sheet.ref.filename} current "
                 "assets 50,000,000.00 (digit groups look misread: compare with the original)")
        assert held.waiting_for == [f"operations: {named}"]
        wait = await queue_wait(handle)  # QueueWait, which no codec encrypts: no file name
        digest = sheet.ref.sha256[:12]
        assert wait is not None and wait.awaiting == (
            f"2 figures to check against the paper: balance sheet {digest} total liabilities; "
            f"balance sheet {digest} current assets")

        point_cli_at(monkeypatch, time_skipping_env.client, tmp_path)
        typed = ["correct", handle.id, "--document", sheet.ref.sha256[:12], "--as-read",
                 "--reason", "the signed copy"]
        assert "may not correct the readings it is decided on (four eyes)" in await refused(
            handle, LoanJourneyWorkflow.correct_reading, ReadingCorrection(
                actor=SUBMITTER, document=sheet.ref.sha256, field="total_liabilities",
                as_read=True))
        both = await cli(*typed, "--field", "total_liabilities", "--value", "1", "--as", CLERK.id)
        assert both.exit_code == 3 and "--as-read when the paper says what was read: one of " \
            "them" in said(both), both.output
        sure = await cli(*typed, "--field", "total_assets", "--as", CLERK.id)
        assert sure.exit_code == 3 and "read sure (100,000,000.00): nothing to check" in said(
            sure), sure.output
        first = await cli(*typed, "--field", "total_liabilities", "--as", CLERK.id)
        assert first.exit_code == 0, first.output
        assert (f"{sheet.ref.filename} total_liabilities 40,000,000.00 (read at 0.00): checked "
                "against the paper: as read; 1 figure to check against the paper") in said(first)
        assert (await until_stage(handle, Stage.DOCUMENTS, asking=True)).waiting_for == [
            f"operations: 1 figure to check against the paper: {sheet.ref.filename} current "
            "assets 50,000,000.00 (digit groups look misread: compare with the original)"]
        again = await cli(*typed, "--field", "total_liabilities", "--as", CLERK.id)
        assert again.exit_code == 3 and "was checked already: checked against the paper: as " \
            "read by ops-wang at " in said(again), again.output
        last = await cli(*typed, "--field", "current_assets", "--as", CLERK.id)
        assert last.exit_code == 0, last.output

        reviewed = await until_stage(handle, Stage.RISK_REVIEW)
        checks = [d for d in reviewed.decisions if d.verdict == AS_READ]
        assert [(d.actor, d.stage) for d in checks] == [(CLERK, Stage.DOCUMENTS)] * 2
        assert checks[0].reason.endswith("total_liabilities 40,000,000.00 (read at 0.00) "
                                         "(the signed copy)")
        read = next(r for r in reviewed.readings if r.ref == sheet.ref).statement
        assert read is not None and "current_assets" not in read.problems
        assert read.checked["total_liabilities"].startswith(
            "checked against the paper: as read by ops-wang at ")
        # the journey map's rows: the reading visit, then a visit of its own on operations,
        # ended by the clerk who checked the last figure, then completeness
        async def documents_rows() -> list[tuple[object, ...]]:
            rows = [(e.type, e.attempt, e.waits_on, e.team, e.actor, e.outcome)
                    for e in events_for(settings.db_url, handle.id)
                    if e.stage is Stage.DOCUMENTS]
            return rows if len(rows) == 4 else []

        assert await eventually("the documents rows written", documents_rows) == [
            (EventType.ENTERED, 1, Party.SYSTEM, None, None, None),
            (EventType.EXITED, 1, Party.SYSTEM, None, None, "documents"),
            (EventType.ENTERED, 2, Party.BANK, "operations", None, None),
            (EventType.EXITED, 2, Party.BANK, None, CLERK.id, "completeness")]
        # the wait was operations', never the customer's: nothing was sent to them for it
        assert [m.template for m in messages_for(settings.db_url, handle.id)
                if m.template.startswith("supplements")] == []
        assert await patched(handle, FIGURES_CHECKED)
        assert not await patched(handle, ASK_BEFORE_FIGURES_CHECK)  # the order as it was
        await assert_replays(handle)


def income_of(docs: Documents) -> DocumentReading:
    """The income statement of `docs`, which an application made with drop={"income"} lacks."""
    return next(r for r in docs.readings.values() if r.ref.filename.endswith("-income.png"))


async def test_a_file_short_of_a_statement_asks_the_customer_before_operations_check(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    """Unsure figures on the balance sheet and no income statement: the customer is asked for
    it at once; once it has come, operations check the figures, before the case is routed."""
    docs, app = new_application(drop={"income"})
    sheet = unsure_sheet(docs)
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (settings, handle):
        asked = await until_stage(handle, Stage.COMPLETENESS, asking=True)
        assert asked.waits_on is Party.CUSTOMER and asked.completeness is not None
        assert [f.code for f in asked.completeness.failures] == ["missing"]
        assert "income statement (利润表)" in asked.waiting_for[0], asked.waiting_for
        await until_sent(settings.db_url, handle.id, template="supplements_requested")
        assert [(v.stage, v.waits_on) for v in asked.timeline[1:]] == [
            (Stage.DOCUMENTS, Party.SYSTEM), (Stage.COMPLETENESS, Party.CUSTOMER)]
        assert await patched(handle, ASK_BEFORE_FIGURES_CHECK)

        await handle.execute_update(LoanJourneyWorkflow.add_documents, AddDocuments(
            actor=customer(app), documents=[income_of(docs).ref]))
        held = await until_stage(handle, Stage.DOCUMENTS, asking=True)
        assert (held.waits_on, held.team, held.route) == (Party.BANK, "operations", None)
        assert held.waiting_for == [
            f"operations: 2 figures to check against the paper: {sheet.ref.filename} total "
            f"liabilities 40,000,000.00 (read at 0.00); {sheet.ref.filename} current assets "
            "50,000,000.00 (digit groups look misread: compare with the original)"]
        for field in ("total_liabilities", "current_assets"):
            await handle.execute_update(LoanJourneyWorkflow.correct_reading, ReadingCorrection(
                actor=CLERK, document=sheet.ref.sha256, field=field, as_read=True))

        reviewed = await until_stage(handle, Stage.RISK_REVIEW)
        assert [(v.stage, v.waits_on) for v in reviewed.timeline[1:]] == [
            (Stage.DOCUMENTS, Party.SYSTEM), (Stage.COMPLETENESS, Party.CUSTOMER),
            (Stage.DOCUMENTS, Party.SYSTEM), (Stage.COMPLETENESS, Party.CUSTOMER),
            (Stage.DOCUMENTS, Party.BANK), (Stage.COMPLETENESS, Party.CUSTOMER),
            (Stage.ROUTING, Party.SYSTEM), (Stage.RISK_REVIEW, Party.BANK)]
        checks = [d for d in reviewed.decisions if d.verdict == AS_READ]
        assert [(d.actor, d.stage) for d in checks] == [(CLERK, Stage.DOCUMENTS)] * 2
        told = await until_sent(settings.db_url, handle.id, template="supplements_met")
        assert [m.template for m in messages_for(settings.db_url, handle.id)
                if m.template.startswith("supplements")] == [
            "supplements_requested", told.template]
        await assert_replays(handle)


async def test_the_customer_is_told_their_file_is_complete_before_operations_check_it(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    """Once the income statement the customer was asked for is read, the file is complete:
    they are told so at once (`supplements_met`), while the case waits on operations' check of
    the balance sheet's unsure figures, and it is routed only after that check
    (met-before-figures-check)."""
    docs, app = new_application(drop={"income"})
    sheet = unsure_sheet(docs)
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (settings, handle):
        await until_stage(handle, Stage.COMPLETENESS, asking=True)
        await handle.execute_update(LoanJourneyWorkflow.add_documents, AddDocuments(
            actor=customer(app), documents=[income_of(docs).ref]))
        held = await until_stage(handle, Stage.DOCUMENTS, asking=True)
        assert (held.waits_on, held.team, held.route) == (Party.BANK, "operations", None)
        told = await until_sent(settings.db_url, handle.id, template="supplements_met")
        # keyed by the completeness visit that found the file complete, before the check's
        assert told.key == f"{handle.id}:supplements-met:2"
        assert told.body == supplements_received(app, Stage.ROUTING)
        still = await status(handle)
        assert (still.stage, still.waits_on, still.route) == (Stage.DOCUMENTS, Party.BANK, None)
        assert f"operations: 2 figures to check against the paper: {sheet.ref.filename}" in \
            still.waiting_for[0]

        for field in ("total_liabilities", "current_assets"):
            await handle.execute_update(LoanJourneyWorkflow.correct_reading, ReadingCorrection(
                actor=CLERK, document=sheet.ref.sha256, field=field, as_read=True))
        reviewed = await until_stage(handle, Stage.RISK_REVIEW)
        assert [(v.stage, v.waits_on) for v in reviewed.timeline[3:]] == [
            (Stage.DOCUMENTS, Party.SYSTEM), (Stage.COMPLETENESS, Party.CUSTOMER),
            (Stage.DOCUMENTS, Party.BANK), (Stage.COMPLETENESS, Party.CUSTOMER),
            (Stage.ROUTING, Party.SYSTEM), (Stage.RISK_REVIEW, Party.BANK)]
        assert [(m.template, m.key) for m in messages_for(settings.db_url, handle.id)
                if m.template.startswith("supplements")] == [
            ("supplements_requested", f"{handle.id}:supplements:1"), (told.template, told.key)]
        assert await patched(handle, MET_BEFORE_FIGURES_CHECK)
        await assert_replays(handle)


async def test_a_figures_check_that_outlasts_the_customers_sla_never_reminds_them(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    """Told their file is complete, the customer owes nothing: a figures check that runs a week,
    past the round's SLA (completeness: 5 days, the customer reminded at its breach), reminds
    operations of their own SLA, never the customer of what they sent, and breaches nothing
    of theirs."""
    env = time_skipping_env
    docs, app = new_application(drop={"income"})
    sheet = unsure_sheet(docs)
    async with running_journey(env, tmp_path, docs, app) as (settings, handle):
        await until_stage(handle, Stage.COMPLETENESS, asking=True)
        await handle.execute_update(LoanJourneyWorkflow.add_documents, AddDocuments(
            actor=customer(app), documents=[income_of(docs).ref]))
        await until_stage(handle, Stage.DOCUMENTS, asking=True)
        await until_sent(settings.db_url, handle.id, template="supplements_met")
        await env.sleep(timedelta(days=7))
        for field in ("total_liabilities", "current_assets"):
            await handle.execute_update(LoanJourneyWorkflow.correct_reading, ReadingCorrection(
                actor=CLERK, document=sheet.ref.sha256, field=field, as_read=True))
        reviewed = await until_stage(handle, Stage.RISK_REVIEW)
        assert [(m.template, m.recipient) for m in messages_for(settings.db_url, handle.id)
                if m.template.startswith("sla_")] == [("sla_remind_owner", "operations")] * 2
        sla = (EventType.SLA_WARNED, EventType.SLA_BREACHED, EventType.ESCALATED)
        assert [(e.stage, e.attempt, e.type) for e in reviewed.events if e.type in sla] == [
            (Stage.DOCUMENTS, 3, t) for t in (EventType.SLA_WARNED, EventType.SLA_BREACHED,
                                               EventType.ESCALATED, EventType.ESCALATED)]
        await assert_replays(handle)


async def test_a_file_a_written_answer_completes_still_has_its_figures_checked_first(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    """The safety path with no document to read (`_figures_due`): asked why sales fell, the
    customer sends a letter that cannot be read and a restated balance sheet whose company is
    illegible and two figures read unsure; asked for the letter again, they answer in writing
    instead, which the file takes in its place. Complete, it is told once that the bank has
    what it asked for, and goes back to the risk review only after operations' check."""
    docs, app = new_application()
    letter = docs.unreadable("letter")
    restated = docs.add("balance-restated", status=ReadStatus.READ, kind=DocumentKind.BALANCE_SHEET,
                        statement=unsure(balance_of(docs).statement).model_copy(
                            update={"company": None}))
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (settings, handle):
        await until_stage(handle, Stage.RISK_REVIEW)
        await handle.execute_update(LoanJourneyWorkflow.record_risk_opinion, RiskOpinion(
            actor=RISK_SME, verdict=Verdict.REQUEST_INFO, reason="sales fell",
            question="why did sales fall?"))
        await until_stage(handle, Stage.COMPLETENESS, asking=True)
        await handle.execute_update(LoanJourneyWorkflow.add_documents, AddDocuments(
            actor=customer(app), documents=[letter, restated]))
        asked = await asked_again(handle, 3)  # the question's visit was 2
        assert asked.completeness is not None
        assert [f.code for f in asked.completeness.failures] == ["unreadable"]
        assert "a written answer to the bank's question" in asked.waiting_for[0]
        await handle.execute_update(LoanJourneyWorkflow.answer_question, WrittenAnswer(
            actor=customer(app), text="one lost order"))
        held = await until_stage(handle, Stage.DOCUMENTS, asking=True)
        assert (held.waits_on, held.team) == (Party.BANK, "operations")
        assert held.waiting_for[0].startswith(
            "operations: 2 figures to check against the paper: balance-restated.png total "
            "liabilities"), held.waiting_for
        told = await until_sent(settings.db_url, handle.id, template="supplements_met")
        assert told.body == supplements_received(app, Stage.RISK_REVIEW)

        for field in ("total_liabilities", "current_assets"):
            await handle.execute_update(LoanJourneyWorkflow.correct_reading, ReadingCorrection(
                actor=CLERK, document=restated.sha256, field=field, as_read=True))
        back = await until_stage(handle, Stage.RISK_REVIEW)
        assert back.attempt == 2
        assert [(v.stage, v.waits_on) for v in back.timeline[5:]] == [
            (Stage.COMPLETENESS, Party.CUSTOMER),  # the question
            (Stage.DOCUMENTS, Party.SYSTEM), (Stage.COMPLETENESS, Party.CUSTOMER),  # the letter
            (Stage.DOCUMENTS, Party.SYSTEM),  # the answer: nothing to read
            (Stage.COMPLETENESS, Party.CUSTOMER),  # complete, the figures due: told
            (Stage.DOCUMENTS, Party.BANK), (Stage.COMPLETENESS, Party.CUSTOMER),
            (Stage.RISK_REVIEW, Party.BANK)]
        assert [m.key for m in messages_for(settings.db_url, handle.id)
                if m.template == "supplements_met"] == [f"{handle.id}:supplements-met:4"]
        assert await patched(handle, MET_BEFORE_FIGURES_CHECK)
        await assert_replays(handle)


async def test_figures_on_a_page_the_customer_replaces_while_asked_are_never_checked(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    """The customer, asked for the missing income statement, sends it with a clear copy of the
    balance sheet read unsure: the copy supersedes it, and nothing is left to check."""
    docs, app = new_application(drop={"income"})
    sheet = unsure_sheet(docs)
    assert sheet.statement is not None
    clear = docs.add("balance-signed-copy", status=ReadStatus.READ, kind=sheet.kind,
                     statement=sheet.statement.model_copy(update={"confidence": {},
                                                                   "problems": {}}))
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (_, handle):
        await until_stage(handle, Stage.COMPLETENESS, asking=True)
        await handle.execute_update(LoanJourneyWorkflow.add_documents, AddDocuments(
            actor=customer(app), documents=[income_of(docs).ref, clear]))
        reviewed = await until_stage(handle, Stage.RISK_REVIEW)
        assert [(v.stage, v.waits_on) for v in reviewed.timeline[1:]] == [
            (Stage.DOCUMENTS, Party.SYSTEM), (Stage.COMPLETENESS, Party.CUSTOMER),
            (Stage.DOCUMENTS, Party.SYSTEM), (Stage.COMPLETENESS, Party.CUSTOMER),
            (Stage.ROUTING, Party.SYSTEM), (Stage.RISK_REVIEW, Party.BANK)]
        assert reviewed.standing is not None and sheet.ref.sha256 not in reviewed.standing
        assert clear.sha256 in reviewed.standing
        assert not [d for d in reviewed.decisions if d.verdict == AS_READ]
        await assert_replays(handle)


async def test_a_correction_releases_the_hold_and_a_sure_file_is_not_held(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    docs, app = new_application()
    sheet = unsure_sheet(docs)
    sure_docs, sure_app = new_application()
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (_, handle):
        await until_stage(handle, Stage.DOCUMENTS, asking=True)
        await handle.execute_update(LoanJourneyWorkflow.correct_reading, ReadingCorrection(
            actor=CLERK, document=sheet.ref.sha256, field="total_liabilities", as_read=True))
        assert (await until_stage(handle, Stage.DOCUMENTS)).team == "operations"
        await handle.execute_update(LoanJourneyWorkflow.correct_reading, ReadingCorrection(
            actor=CLERK, document=sheet.ref.sha256, field="current_assets",
            value="49,000,000.00", reason="the signed copy"))
        reviewed = await until_stage(handle, Stage.RISK_REVIEW)
        read = next(r for r in reviewed.readings if r.ref == sheet.ref).statement
        assert read is not None and read.current_assets == Decimal("49000000.00")
        assert "current_assets" in read.corrected
    async with running_journey(time_skipping_env, tmp_path, sure_docs, sure_app) as (_, sure):
        went = await until_stage(sure, Stage.RISK_REVIEW)
        assert [v.stage for v in went.timeline[:3]] == [
            Stage.INTAKE, Stage.DOCUMENTS, Stage.COMPLETENESS]
        assert went.timeline[1].waits_on is Party.SYSTEM
        assert not await patched(sure, FIGURES_CHECKED)


async def test_an_unchecked_figure_warns_breaches_and_reminds_operations(
    time_skipping_env: WorkflowEnvironment, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The figures check runs under the policy's SLA of its own (default: one working day,
    warned at half of it, operations reminded 4 working hours and a working day past it),
    listed on operations' queue; left unchecked, the case is warned, breached and escalated
    as a stage is, in the timing events, the SQL rows and the metrics."""
    env = time_skipping_env
    docs, app = new_application()
    sheet = unsure_sheet(docs)
    breaches = {"stage": "documents", "type": "breached", "waits_on": "bank"}
    before = REGISTRY.get_sample_value("journey_sla_events_total", breaches) or 0
    async with running_journey(env, tmp_path, docs, app) as (settings, handle):
        held = await until_stage(handle, Stage.DOCUMENTS, asking=True)
        entered = held.timeline[-1].entered_at
        calendar = china_calendar(entered.date(), 2)

        def working(start: datetime, days: float, unit: Unit = Unit.BUSINESS_DAYS) -> datetime:
            return add_duration(calendar, start, timedelta(days=days), unit)

        due = working(entered, 1)
        expected = [(EventType.SLA_WARNED, working(entered, 0.5)), (EventType.SLA_BREACHED, due),
                    (EventType.ESCALATED, working(due, 4 / 24, Unit.BUSINESS)),
                    (EventType.ESCALATED, working(due, 1))]
        for wait in (held.wait, await queue_wait(handle)):  # status, and operations' queue
            assert wait is not None and wait.business, wait
            assert abs(wait.since - entered) < timedelta(seconds=1)
            assert wait.warn_at is not None and wait.due_at is not None
            assert abs(wait.warn_at - expected[0][1]) < timedelta(seconds=1), wait
            assert abs(wait.due_at - due) < timedelta(seconds=1), wait

        await env.sleep(timedelta(days=10))
        late = await status(handle)
        assert (late.stage, late.attempt, late.sla_state) == (Stage.DOCUMENTS, 2, "breached")
        sla = [e for e in late.events if e.stage is Stage.DOCUMENTS
               and e.type not in (EventType.ENTERED, EventType.EXITED)]
        assert [e.type for e in sla] == [t for t, _ in expected]
        for event, (_, at) in zip(sla, expected, strict=True):
            assert abs(event.at - at) < timedelta(seconds=1), (event, at)
            assert (event.attempt, event.waits_on, event.team) == (2, Party.BANK, "operations")
        reminders = [m for m in messages_for(settings.db_url, handle.id)
                     if m.template == "sla_remind_owner"]
        assert [m.recipient for m in reminders] == ["operations"] * 2
        assert (f"is past its time limit at documents (escalation level 1): it waits for "
                f"operations: 2 figures to check against the paper: {sheet.ref.filename} total "
                "liabilities") in reminders[0].body
        assert not [m for m in messages_for(settings.db_url, handle.id)
                    if m.recipient == app.credit_code and m.template.startswith("sla_")]

        async def breached_rows() -> list[object]:
            return [e for e in events_for(settings.db_url, handle.id)
                    if (e.stage, e.type) == (Stage.DOCUMENTS, EventType.SLA_BREACHED)]

        assert len(await eventually("the breach written", breached_rows)) == 1
        counted = REGISTRY.get_sample_value("journey_sla_events_total", breaches) or 0
        assert counted - before == 1
        assert await patched(handle, FIGURES_CHECK_SLA)
        point_cli_at(monkeypatch, env.client, tmp_path)
        report = await cli("report", "--db", settings.db_url)
        assert report.exit_code == 0, report.output
        documents = next(line for line in report.output.splitlines()
                         if line.startswith("│ documents"))  # the stage table's
        assert "1 working d (figures" in documents, report.output

        for field in ("total_liabilities", "current_assets"):  # checked late: the case goes on
            await handle.execute_update(LoanJourneyWorkflow.correct_reading, ReadingCorrection(
                actor=CLERK, document=sheet.ref.sha256, field=field, as_read=True))
        went = await until_stage(handle, Stage.RISK_REVIEW)
        assert went.sla_state == "ok" and went.wait is not None  # risk review's own wait
        assert went.wait.since == went.timeline[-1].entered_at.replace(microsecond=0)
        await assert_replays(handle)
