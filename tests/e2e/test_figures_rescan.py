"""A figure a clerk checked as read, on the real dev server: the customer sends the page again
(a rescan that replaces it) and the rescan reads the figure unsure at the same value, which the
clerk checked against the paper: the check carries; a figure the rescan reads otherwise is
checked again, operations told which and what it was checked at."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from journey.decisions import AddDocuments
from journey.reading_corrections import ReadingCorrection
from journey.stages import Party, Stage
from tests.dev_server import fresh_dev_server
from tests.post_loan.loan_kit import assert_replays
from tests.workflows import journey_kit
from tests.workflows.journey_kit import (
    asked_again,
    customer,
    journey_worker,
    new_application,
    ref,
    start,
    until_stage,
)
from tests.workflows.test_entrusted_payout import patched
from tests.workflows.test_figures_checked import CLERK, unsure_sheet
from workflows.loan_journey import LoanJourneyWorkflow
from workflows.reading_corrections import CHECKS_CARRIED

pytestmark = pytest.mark.e2e


@pytest.fixture
async def dev() -> AsyncIterator[WorkflowEnvironment]:
    async with fresh_dev_server() as env:
        yield env


async def test_a_rescan_takes_the_checks_of_figures_it_reads_the_same(
    dev: WorkflowEnvironment, tmp_path: Path
) -> None:
    docs, app = new_application()
    sheet = unsure_sheet(docs)  # total liabilities read at 0.00, current assets flagged
    assert sheet.statement is not None
    rescan = ref("balance-rescan")  # the same page again, its current assets read otherwise
    docs.readings[rescan.sha256] = sheet.model_copy(update={
        "ref": rescan, "statement": sheet.statement.model_copy(update={
            "current_assets": Decimal("51000000.00")})})
    # the income statement sent is of the year before the sheet's: once the figures are checked
    # (a file short of a document alone would ask the customer first: ask-before-figures-check),
    # the customer is asked for the one of the sheet's period
    sent = docs.readings[ref(f"{app.credit_code}-{journey_kit.TODAY - timedelta(days=60)}-"
                             "income").sha256]
    assert sent.statement is not None and sent.statement.period_end is not None
    docs.readings[sent.ref.sha256] = sent.model_copy(update={
        "statement": sent.statement.model_copy(update={
            "period_end": sent.statement.period_end - timedelta(days=365)})})
    income = ref("income-of-the-period")
    docs.readings[income.sha256] = sent.model_copy(update={"ref": income})
    async with journey_worker(dev.client, tmp_path, docs) as settings:
        handle = await start(dev.client, settings, app)
        await until_stage(handle, Stage.DOCUMENTS, asking=True)
        for field in ("total_liabilities", "current_assets"):
            await handle.execute_update(LoanJourneyWorkflow.correct_reading, ReadingCorrection(
                actor=CLERK, document=sheet.ref.sha256, field=field, as_read=True))
        await asked_again(handle, 1)
        await handle.execute_update(LoanJourneyWorkflow.add_documents, AddDocuments(
            actor=customer(app), documents=[rescan, income]))

        held = await until_stage(handle, Stage.DOCUMENTS, asking=True)
        assert (held.attempt, held.waits_on, held.team) == (4, Party.BANK, "operations")
        assert held.waiting_for == [
            f"operations: 1 figure to check against the paper: {rescan.filename} current "
            "assets 51,000,000.00 (digit groups look misread: compare with the original)"]
        carried = next(d for d in held.decisions if d.verdict == "checks carried")
        assert (carried.actor.id, carried.stage) == ("document-reader", Stage.DOCUMENTS)
        assert carried.reason == (
            f"{rescan.filename} is a rescan of {sheet.ref.filename}: takes its checks against "
            "the paper where it reads the same: total_liabilities 40,000,000.00; reads "
            "otherwise, to check against the paper again: current_assets 51,000,000.00 "
            "(checked at 50,000,000.00)")

        await handle.execute_update(LoanJourneyWorkflow.correct_reading, ReadingCorrection(
            actor=CLERK, document=rescan.sha256, field="current_assets", as_read=True))
        reviewed = await until_stage(handle, Stage.RISK_REVIEW)
        read = next(r for r in reviewed.readings if r.ref == rescan).statement
        assert read is not None and read.confidence["total_liabilities"] == 1.0
        assert read.checked["total_liabilities"].startswith(
            f"carried from {sheet.ref.filename}: checked against the paper: as read by "
            f"{CLERK.id} at ")
        assert read.checked["current_assets"].startswith(
            f"checked against the paper: as read by {CLERK.id} at ")
        assert rescan.sha256 in reviewed.standing and sheet.ref.sha256 not in reviewed.standing
        assert await patched(handle, CHECKS_CARRIED)
        await assert_replays(handle)
