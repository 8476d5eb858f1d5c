"""Supporting documents through the real document activity: a permit the OCR cannot classify
is accepted as present (stored by reference), a reference the store does not hold fails its
condition with the reason, and a statement declared as a permit label is still only present."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import cv2
import numpy as np
import pytest
from temporalio.testing import WorkflowEnvironment

from journey import review_contracts as rc
from journey.documents import DocumentKind, DocumentRef, FinancialStatement, ReadStatus
from journey.drawdowns import DrawdownOutcome, DrawdownState, SupportingDocument
from journey.settings import Settings
from store import blobs
from tests.drawdowns.kit import (
    CONTRACTOR,
    approve,
    ask,
    at_drawdowns,
    permit,
    request,
    skip_to,
)
from tests.post_loan.loan_kit import assert_replays
from tests.workflows import journey_kit
from tests.workflows.journey_kit import Documents, real_for_unknown

pytestmark = pytest.mark.usefixtures("server_today")


def scanned_permit(settings: Settings) -> DocumentRef:
    image = np.full((1754, 1240), 255, dtype=np.uint8)  # A4 at 150 dpi: read, not refused
    cv2.putText(image, "PLANNING PERMIT No. 2026-118", (30, 200), cv2.FONT_HERSHEY_SIMPLEX,
                1.2, 0, 2)
    ok, png = cv2.imencode(".png", image)
    assert ok
    return blobs.put(blobs.DocumentStore.of(settings), png.tobytes(), "permit.png")


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


async def test_statements_given_with_drawdowns_are_annualised_and_kept_on_file(
    time_skipping_env: WorkflowEnvironment, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A quarter's profit counts four times over, as reviews count it; a weaker half year sent
    with a refused drawdown stays on the file: the next request without it is tested on it,
    not on the older full year, and the review reads it too."""
    env, docs = time_skipping_env, Documents()
    now = (await env.get_current_time()).date()
    year = now.year if now < date(now.year, 7, 15) else now.year + 1
    await skip_to(env, datetime(year, 7, 15, 2, tzinfo=UTC))  # the half year is out
    # the application's statements: last year's; put back after the test, since a later
    # test on a real server in this process dates its statements from journey_kit.TODAY
    monkeypatch.setattr(journey_kit, "TODAY", date(year, 7, 15))

    def income(label: str, period_end: date, profit: int) -> SupportingDocument:
        ref = docs.add(label, status=ReadStatus.READ, kind=DocumentKind.INCOME_STATEMENT,
                       statement=FinancialStatement(
                           kind=DocumentKind.INCOME_STATEMENT, company=app.applicant_name,
                           period_end=period_end, revenue=Decimal(profit * 4),
                           operating_profit=Decimal(profit), net_profit=Decimal(profit)))
        return SupportingDocument(label="income_statement", ref=ref)

    def cover(outcome: DrawdownOutcome) -> tuple[bool, Decimal, str]:
        """Whether the DSCR condition is met, the DSCR, and its basis."""
        [c] = [c for c in outcome.conditions if c.condition.startswith("min_dscr")]
        found = re.search(r"projected DSCR ([\d.]+) (?:meets|is below) [\d.]+ \((.*)\)",
                          c.explanation)
        assert found is not None, c.explanation
        return c.met, Decimal(found.group(1)), found.group(2)

    def service(basis: str) -> Decimal:
        found = re.search(r"debt service ([\d,.]+) on", basis)
        assert found is not None, basis
        return Decimal(found.group(1).replace(",", ""))

    async with at_drawdowns(env, tmp_path, docs) as (app, _, handle):
        floor = Decimal("1.30")  # the project's min-DSCR covenant
        q1 = income("is_q1", date(year, 3, 31), 750_000)
        met, dscr, basis = cover(await request(handle, ask(app, "t1", 4_500_000, [
            permit(docs, "planning_permit"), permit(docs, "capital_proof"), q1])))
        assert basis.startswith(
            f"the newest income statement, is_q1.png: operating profit 750,000.00 for the 3 "
            f"months to {year}-03-31, 3,000,000.00 a year / first amortising year's debt "
            "service ")
        paid = service(basis)  # 4,500,000 drawn: a third repaid in the year, and interest
        assert dscr == (Decimal(3_000_000) / paid).quantize(Decimal("0.01")) >= floor and met
        assert Decimal(750_000) / paid < floor  # a quarter's profit taken as a year's fails
        assert (await approve(handle, "t1")).state is DrawdownState.BOOKED

        t2 = [permit(docs, "construction_progress"), permit(docs, "insurance")]
        h1 = income("is_h1", date(year, 6, 30), 600_000)
        refused = await request(handle, ask(app, "t2", 6_000_000, [*t2, h1], CONTRACTOR))
        met, dscr, basis = cover(refused)
        assert refused.state is DrawdownState.CONDITIONS_FAILED and not met
        h1_said = (f"the newest income statement, is_h1.png: operating profit 600,000.00 for "
                   f"the 6 months to {year}-06-30, 1,200,000.00 a year")
        assert basis.startswith(h1_said)
        assert dscr == (Decimal(1_200_000) / service(basis)).quantize(Decimal("0.01"))
        # asked again without it: still tested on it, the newest on file, not last year's
        again = await request(handle, ask(app, "t2", 6_000_000, t2, CONTRACTOR))
        met, _, basis = cover(again)
        assert again.state is DrawdownState.CONDITIONS_FAILED and not met
        assert basis.startswith(h1_said)
        facts = await handle.query(rc.REVIEW_FACTS_QUERY, result_type=rc.ReviewFacts)
        on_file = {r.ref.filename for r in facts.statements}
        assert {"is_q1.png", "is_h1.png"} <= on_file  # the reviews read them too
        await assert_replays(handle)
