"""Supporting documents through the real document activity: a permit the OCR cannot classify
is accepted as present (stored by reference), a reference the store does not hold fails its
condition with the reason, and a statement declared as a permit label is still only present."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from decimal import Decimal

import cv2
import numpy as np
import pytest
from temporalio.testing import WorkflowEnvironment

from journey.documents import DocumentKind, DocumentRef, FinancialStatement, ReadStatus
from journey.drawdowns import DrawdownState, SupportingDocument
from journey.settings import Settings
from store import blobs
from tests.drawdowns.kit import ask, at_drawdowns, permit, request
from tests.workflows import journey_kit
from tests.workflows.journey_kit import Documents, real_for_unknown

pytestmark = pytest.mark.usefixtures("server_today")


def scanned_permit(settings: Settings) -> DocumentRef:
    image = np.full((1754, 1240), 255, dtype=np.uint8)  # A4 at 150 dpi: read, not refused
    cv2.putText(image, "PLANNING PERMIT No. 2026-118", (30, 200), cv2.FONT_HERSHEY_SIMPLEX,
                1.2, 0, 2)
    ok, png = cv2.imencode(".png", image)
    assert ok
    return blobs.put(settings.documents_dir, png.tobytes(), "permit.png")


async def test_permits_by_reference_and_a_missing_blob(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    env, docs = time_skipping_env, Documents()
    async with at_drawdowns(env, tmp_path, docs, real_for_unknown(docs)) as (app, settings, handle):
        permit = scanned_permit(settings)
        gone = DocumentRef(sha256=hashlib.sha256(b"never stored").hexdigest(),
                           filename="capital.pdf", size=12)
        outcome = await request(handle, ask(app, "t1", 4_500_000, [
            SupportingDocument(label="planning_permit", ref=permit),
            SupportingDocument(label="capital_proof", ref=gone),
        ]))
        assert outcome.state is DrawdownState.CONDITIONS_FAILED
        by_name = {c.condition: c for c in outcome.conditions}
        assert by_name["document planning_permit"].met
        assert "stored by reference" in by_name["document planning_permit"].explanation
        capital = by_name["document capital_proof"]
        assert not capital.met and "is not in the document store" in capital.explanation, capital


async def test_another_companys_statement_does_not_set_the_projects_cover(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    """A loss-making income statement of another company, newer than the borrower's, sent
    with a drawdown: the projected DSCR stays the borrower's (journey/loan_file.py)."""
    env, docs = time_skipping_env, Documents()
    async with at_drawdowns(env, tmp_path, docs) as (app, _, handle):
        loss = docs.add("other-income", status=ReadStatus.READ,
                        kind=DocumentKind.INCOME_STATEMENT, statement=FinancialStatement(
                            kind=DocumentKind.INCOME_STATEMENT, company="广州新元电子有限公司",
                            period_end=journey_kit.TODAY - timedelta(days=10),
                            revenue=Decimal(1_000_000), operating_profit=Decimal(-5_000_000),
                            net_profit=Decimal(-5_000_000)))
        outcome = await request(handle, ask(app, "t1", 4_500_000, [
            permit(docs, "planning_permit"), SupportingDocument(label="capital_proof", ref=loss),
        ]))
        cover = next(c for c in outcome.conditions if c.condition.startswith("min_dscr"))
        assert cover.met, cover.explanation
