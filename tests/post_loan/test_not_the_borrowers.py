"""A statement of another company, sent by mistake after the payout and read by the real
OCR, is kept but never stands in for the borrower's: the borrower's balance sheet of that
period stays current, and status marks the other one as not the borrower's."""

from __future__ import annotations

import json
from pathlib import Path

from rich.console import Console
from temporalio.testing import WorkflowEnvironment

from journey.decisions import AddDocuments
from journey.documents import DocumentKind, ReadStatus
from journey.settings import Settings
from ocr.corpus.samples import PERIOD
from starter.status_view import status_view
from store import blobs
from tests.post_loan.loan_kit import disbursed, review, until
from tests.workflows.journey_kit import (
    Documents,
    application,
    customer,
    journey_worker,
    real_for_unknown,
)
from workflows.loan_journey import LoanJourneyWorkflow

DEMO = Path(__file__).resolve().parents[2] / "samples" / "demo"  # statements of PERIOD
OTHER = "company2_balance_sheet.jpg"  # 广州新元电子有限公司's


async def test_another_companys_statement_is_kept_but_the_borrowers_stays_current(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    env, docs = time_skipping_env, Documents()
    labels = next(p for p in json.loads((DEMO / "labels.json").read_text("utf-8"))
                  if p["file"] == OTHER)
    app = application(docs, period=PERIOD)  # the borrower's statements: the sample's period
    scan = blobs.put(blobs.DocumentStore.of(Settings(data_dir=tmp_path)),
                     (DEMO / OTHER).read_bytes(),
                     OTHER)
    async with journey_worker(env.client, tmp_path, docs, real_for_unknown(docs)) as settings:
        handle, running = await disbursed(env.client, settings, app)
        own = next(r for r in running.readings if r.kind is DocumentKind.BALANCE_SHEET)
        await handle.execute_update(LoanJourneyWorkflow.add_statements,
                                    AddDocuments(actor=customer(app), documents=[scan]))
        result = (await review(env, settings, handle.id, 1)).result
        assert result is not None and [r.ref for r in result.new_readings] == [scan]
        read = result.new_readings[0]
        assert read.status is ReadStatus.READ and read.kind is DocumentKind.BALANCE_SHEET
        assert read.statement is not None and read.statement.period_end == PERIOD
        now = await until(handle, lambda s: scan.sha256 in {r.ref.sha256 for r in s.readings})
    assert now.standing is not None
    assert own.ref.sha256 in now.standing and scan.sha256 not in now.standing
    assert now.not_the_borrowers == {scan.sha256: (
        f"{OTHER} is the balance sheet (资产负债表) of {PERIOD} of {labels['company']}, not of "
        f"the borrower {app.applicant_name}: kept, counted nowhere; the borrower's own stands")}
    console = Console(record=True, width=400)  # what operations see in `status`
    console.print(status_view(now))
    assert any(OTHER in line and "read, not the borrower's" in line and "not of the borrower"
               in line for line in console.export_text().splitlines())
