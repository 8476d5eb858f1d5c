"""A balance sheet whose company, read surely by the real OCR, is one character off the
borrower's name (a misread, as 鼎 read as 易 at 0.82) is the borrower's, held for people to
check: the completeness check does not ask the customer for the applicant's own statements
(marker near-names-held), and the loan file counts it. (Its figures, which add up, need no
clerk: none holds the case at documents.)"""

from __future__ import annotations

import json
from pathlib import Path

from temporalio.testing import WorkflowEnvironment

from journey.credit_code import generate
from journey.figures_checked import to_check
from journey.settings import Settings
from ocr.corpus.samples import PERIOD
from store import blobs
from tests.post_loan.loan_kit import until
from tests.workflows.journey_kit import (
    Documents,
    application,
    real_for_unknown,
    running_journey,
)

DEMO = Path(__file__).resolve().parents[2] / "samples" / "demo"
SHEET = "company2_balance_sheet.jpg"  # 广州新元电子有限公司's


async def test_a_sure_read_one_character_off_the_borrowers_name_is_held_for_a_check(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    labels = next(p for p in json.loads((DEMO / "labels.json").read_text("utf-8"))
                  if p["file"] == SHEET)
    borrower = labels["company"].replace("新元", "新源")  # the name the sheet is a misread of
    docs = Documents()
    app = application(docs, drop={"balance"}, company=(borrower, generate()), period=PERIOD)
    scan = blobs.put(blobs.DocumentStore.of(Settings(data_dir=tmp_path)),
                     (DEMO / SHEET).read_bytes(),
                     SHEET)
    app.documents.append(scan)
    async with running_journey(time_skipping_env, tmp_path, docs, app,
                               real_for_unknown(docs)) as (_, handle):
        checked = await until(handle, lambda s: s.completeness is not None, seconds=120)
    assert to_check(checked.readings) == []  # nothing for a clerk: the name is shown, not held
    [read] = [r for r in checked.readings if r.ref.sha256 == scan.sha256]
    assert read.statement is not None and read.statement.company == labels["company"]
    assert read.statement.confidence["company"] >= 0.6  # read surely: the old rule's other company
    assert checked.completeness is not None
    assert "statement_company_mismatch" not in {f.code for f in checked.completeness.failures}
    assert checked.not_the_borrowers == {}
    assert checked.standing is not None and scan.sha256 in checked.standing
