"""A balance sheet printed in 万元 with no unit line, read by the real OCR on the time-skipping
server beside the fake's income statement of the company: read as yuan, its total assets
(32,253.81) pass the check against the loan (1% of it) but are thousands of times below the
revenue, so the file is held at completeness naming the likely unit, every figure of the sheet
shown low; the clerk's unit from the paper (`correct --field unit`) scales the figures, makes
them sure again and the case goes on."""

from __future__ import annotations

import io
import random
from datetime import date
from decimal import Decimal

from temporalio.testing import WorkflowEnvironment

from journey.actors import Actor, Role
from journey.credit_code import generate
from journey.documents import LOW_CONFIDENCE, UNIT_ASSUMED, DocumentKind
from journey.figures_checked import to_check
from journey.policy.completeness import FIGURE_NAMES
from journey.reading_corrections import ReadingCorrection
from journey.settings import Settings
from journey.stages import Stage
from ocr.corpus._fonts import FACES
from ocr.corpus._statement_page import render_statement
from starter.reading_view import reading_text
from store import blobs
from tests.post_loan.loan_kit import assert_replays
from tests.workflows.journey_kit import (
    Documents,
    application,
    real_for_unknown,
    running_journey,
    until_stage,
)
from workflows.loan_journey import LoanJourneyWorkflow

NAME = "天津金桥信息技术有限公司"
PERIOD = date(2025, 12, 31)
REVENUE = Decimal("883167524.73")  # the income statement's, printed in yuan
CLERK = Actor(id="ops-wang", role=Role.OPERATIONS)
SHEET = DocumentKind.BALANCE_SHEET


async def test_a_sheet_far_below_the_revenue_for_want_of_a_unit_is_held_for_the_clerk(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    docs = Documents()  # the licence and income statement from the fake, the sheet real
    app = application(docs, drop={"balance"}, period=PERIOD, company=(NAME, generate()))
    income = next(r for r in docs.readings.values() if r.kind is DocumentKind.INCOME_STATEMENT)
    assert income.statement is not None
    docs.readings[income.ref.sha256] = income.model_copy(update={
        "statement": income.statement.model_copy(update={"revenue": REVENUE})})
    page, labels = render_statement("balance_sheet", "zh", "ruled", NAME, PERIOD, "万元",
                                    FACES[0], random.Random(0), unit_line=False)
    printed = io.BytesIO()
    page.save(printed, format="JPEG", quality=90)
    sheet = blobs.put(blobs.DocumentStore.of(Settings(data_dir=tmp_path)), printed.getvalue(),
                      "bs_wan_nounit.jpg")
    app.documents.append(sheet)
    async with running_journey(time_skipping_env, tmp_path, docs, app,
                               real_for_unknown(docs)) as (_, handle):
        # every figure read low for the unit guessed: held at documents for operations
        unsure = await until_stage(handle, Stage.DOCUMENTS, asking=True, seconds=120)
        read = next(r for r in unsure.readings if r.ref == sheet)
        assert read.statement is not None
        figures = [f for f in FIGURE_NAMES[SHEET] if getattr(read.statement, f) is not None]
        assert all(read.statement.confidence[f] < LOW_CONFIDENCE
                   and read.statement.problems[f].endswith(UNIT_ASSUMED) for f in figures)
        assert "total assets 32,253.81 [0.48 low: check against the paper]" in reading_text(
            read, NAME)
        # a clerk who checks them all as read, the unit too, still leaves the scale to the
        # completeness check: the unit's note stays
        for figure in to_check([read]):
            await handle.execute_update(LoanJourneyWorkflow.correct_reading, ReadingCorrection(
                actor=CLERK, document=sheet.sha256[:12], field=figure.field, as_read=True))
        held = await until_stage(handle, Stage.COMPLETENESS, asking=True, seconds=120)
        assert held.completeness is not None
        [failure] = held.completeness.failures
        assert (failure.code, failure.document) == ("unit_scale", sheet.sha256)
        assert ("its total assets (资产总计) of 32,253.81 is 27,382 times below the revenue "
                "(营业收入) of 883,167,524.73 on the income statement (利润表) of the period: it "
                "is likely printed in 万元") in failure.message

        await handle.execute_update(LoanJourneyWorkflow.correct_reading, ReadingCorrection(
            actor=CLERK, document=sheet.sha256[:12], field="unit", value="万元"))
        on = await until_stage(handle, Stage.RISK_REVIEW)
        fixed = next(r for r in on.readings if r.ref == sheet).statement
        assert fixed is not None and fixed.total_assets == Decimal(labels["total_assets"])
        assert all(fixed.confidence[f] >= LOW_CONFIDENCE and f not in fixed.problems
                   for f in figures)
        await assert_replays(handle)
