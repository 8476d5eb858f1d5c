"""The bank's OCR control: a figure a decision uses that the reader was unsure of holds the case
at documents, on operations, not the customer, until a clerk other than the submitter checks
it against the paper, as read or corrected; a file read sure goes on untouched."""

from __future__ import annotations

from decimal import Decimal

import pytest
from temporalio.testing import WorkflowEnvironment

from journey.actors import Actor, Role
from journey.documents import DocumentReading
from journey.figures_checked import AS_READ
from journey.reading_corrections import ReadingCorrection
from journey.stages import Party, Stage
from journey.timeline import EventType
from store.outbox import messages_for
from store.timing import events_for
from tests.cli_kit import cli, point_cli_at, said
from tests.e2e.processes import eventually
from tests.post_loan.loan_kit import assert_replays
from tests.workflows.journey_kit import (
    SUBMITTER,
    Documents,
    new_application,
    refused,
    running_journey,
    until_stage,
)
from tests.workflows.test_entrusted_payout import patched, queue_wait
from workflows.loan_journey import LoanJourneyWorkflow
from workflows.reading_corrections import FIGURES_CHECKED

CLERK = Actor(id="ops-wang", role=Role.OPERATIONS)  # not the case's submitter (SUBMITTER)


def unsure_sheet(docs: Documents) -> DocumentReading:
    """The balance sheet of `docs` read right, but its total liabilities at 0.00 and its
    current assets flagged misread: two figures to check."""
    sheet = next(r for r in docs.readings.values() if r.ref.filename.endswith("-balance.png"))
    assert sheet.statement is not None
    docs.readings[sheet.ref.sha256] = sheet = sheet.model_copy(update={
        "statement": sheet.statement.model_copy(update={
            "confidence": {"total_liabilities": 0.0, "total_assets": 0.95},
            "problems": {"current_assets": "digit groups look misread: compare with the "
                                           "original"}})})
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
        wait = await queue_wait(handle)
        assert wait is not None and wait.awaiting == named

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
