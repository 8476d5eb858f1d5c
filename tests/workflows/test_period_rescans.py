"""An income statement photographed at an angle whose period could not be read, read by the
real OCR on the time-skipping server: the customer is asked for a copy with its date visible,
and the legible rescan they send replaces it, so the file goes on (journey/loan_file.py
`rescans`); or a clerk types the period from the paper (`correct --field period_end`)."""

from __future__ import annotations

import json
import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path

from PIL import Image
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from journey.actors import Actor, Role
from journey.decisions import AddDocuments
from journey.documents import DocumentRef
from journey.reading_corrections import ReadingCorrection
from journey.settings import Settings
from journey.stages import Stage
from ocr.corpus._damage import damage
from store import blobs
from store.outbox import messages_for
from tests.workflows.journey_kit import (
    Documents,
    application,
    customer,
    real_for_unknown,
    running_journey,
    until_stage,
)
from workflows.loan_journey import LoanJourneyWorkflow

DEMO = Path(__file__).resolve().parents[2] / "samples" / "demo"
INCOME = "company1_income_statement.jpg"
# a photo at an angle, blurred and grainy, of the demo's income statement: the real OCR reads
# its company and figures but not the date of its period
PHOTO_SEED = 5
ILLEGIBLE = ("The period of the income statement (利润表) is illegible: send a copy with the "
             "reporting date visible")
CLERK = Actor(id="ops-wang", role=Role.OPERATIONS)


@asynccontextmanager
async def _photographed(env: WorkflowEnvironment, tmp_path: Path
                        ) -> AsyncIterator[tuple[Settings, WorkflowHandle, DocumentRef,
                                                 DocumentRef, Actor]]:
    """The journey of the demo's company1 with its licence and balance sheet (the fake's)
    and its income statement photographed: asked for the statement's period. Yields the
    photo's and the clear scan's references (the scan stored, not sent) and the customer."""
    labels = {p["file"]: p for p in json.loads((DEMO / "labels.json").read_text("utf-8"))}
    licence = labels["company1_business_license.jpg"]
    docs = Documents()  # the licence and balance sheet from the fake; the income statement
    app = application(docs, drop={"income"}, period=date(2025, 12, 31),  # through real OCR
                      company=(licence["name"], licence["credit_code"]))
    photo, _ = damage(Image.open(DEMO / INCOME).convert("RGB"), random.Random(PHOTO_SEED),
                      photo=True)
    store = blobs.DocumentStore.of(Settings(data_dir=tmp_path))
    shot = blobs.put(store, photo, "photo_income_statement.jpg")
    scan = blobs.put(store, (DEMO / INCOME).read_bytes(), INCOME)
    app.documents.append(shot)
    async with running_journey(env, tmp_path, docs, app, real_for_unknown(docs)) as (
            settings, handle):
        asked = await until_stage(handle, Stage.COMPLETENESS, asking=True, seconds=120)
        assert asked.completeness is not None
        assert [(f.code, f.document, f.message) for f in asked.completeness.failures] == [
            ("period_unread", shot.sha256, ILLEGIBLE)]
        yield settings, handle, shot, scan, customer(app)


async def test_a_legible_rescan_replaces_a_photo_whose_period_was_illegible(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    async with _photographed(time_skipping_env, tmp_path) as (settings, handle, shot, scan,
                                                              borrower):
        await handle.execute_update(LoanJourneyWorkflow.add_documents,
                                    AddDocuments(actor=borrower, documents=[scan]))
        reviewed = await until_stage(handle, Stage.RISK_REVIEW, seconds=120)
        read = next(r for r in reviewed.readings if r.ref.sha256 == scan.sha256).statement
        assert read is not None and read.period_end == date(2025, 12, 31)
        assert scan.sha256 in reviewed.standing and shot.sha256 not in reviewed.standing
        requests = [m.body for m in messages_for(settings.db_url, handle.id)
                    if m.template == "supplements_requested"]
        assert len(requests) == 1 and ILLEGIBLE in requests[0]  # asked once, never again


async def test_a_clerk_types_the_period_the_photo_prints(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    async with _photographed(time_skipping_env, tmp_path) as (_, handle, shot, _scan, _c):
        await handle.execute_update(LoanJourneyWorkflow.correct_reading, ReadingCorrection(
            actor=CLERK, document=shot.sha256[:12], field="period_end", value="2025-12-31",
            reason="the date is legible on the paper"))
        reviewed = await until_stage(handle, Stage.RISK_REVIEW, seconds=60)
        read = next(r for r in reviewed.readings if r.ref.sha256 == shot.sha256).statement
        assert read is not None and read.period_end == date(2025, 12, 31)
        assert "by ops-wang" in read.corrected["period_end"]
