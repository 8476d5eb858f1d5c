"""The loan book as risk reads it, on the real dev server: each loan names its borrower, two
loans of one borrower are one exposure ("by borrower"), a loan signed and not paid out is in
the pipeline and counted as committed, each loan has its review dates, and `list
--credit-code` pulls one borrower's whole file (the CreditCode search attribute)."""

from __future__ import annotations

import asyncio
import json
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from uuid import uuid4

import pytest
from rich.console import Console
from temporalio.testing import WorkflowEnvironment
from typer.testing import CliRunner, Result

from journey.application import Product
from journey.classification import RiskClass
from journey.credit_code import generate
from journey.policy.calendar import moment_at
from journey.post_loan_policy import review_calendar, start_of
from journey.review_dates import review_due, reviews_late
from journey.stages import Party, Stage
from journey.status import JourneyStatus
from starter import book_reviews, listings_cli, schedules, status_cli, work_lists
from starter.cli import app as loan_journey
from tests.post_loan.loan_kit import DEFAULT_POLICY, disbursed, loan_worker
from tests.workflows.journey_kit import Documents, application, drive_to, start, until_stage
from tests.workflows.test_entrusted_payout import MANAGER, signed
from workflows import search_attributes as sa

pytestmark = pytest.mark.e2e


async def test_one_borrowers_loans_pipeline_and_file(
    dev_env: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, docs = dev_env.client, Documents()
    code = generate()
    company = (f"杭州风控测试有限公司{code[-4:]}", code)
    first = application(docs, company=company, amount=3_000_000)
    second = application(docs, company=company, amount=2_000_000)
    # above the entrusted payout's figure: signed, it waits at disbursement for operations'
    # payment instruction, paid out to no one yet
    large = application(docs, company=company, amount=20_000_000, product=Product.FIXED_ASSET,
                        term_months=60, submitted_by=MANAGER)
    other = application(docs, amount=1_000_000)  # another borrower's
    async with loan_worker(client, tmp_path, docs) as settings:
        one, _ = await disbursed(client, settings, first)
        two, _ = await disbursed(client, settings, second)
        elsewhere, _ = await disbursed(client, settings, other)
        waiting = await start(client, settings, large)
        await signed(waiting, large)
        at_payout = await until_stage(waiting, Stage.DISBURSEMENT, asking=True)
        assert at_payout.disbursement is None
        left_out = await start(client, settings, application(docs, company=company))
        await drive_to(left_out, large, Stage.RISK_REVIEW)  # applied for, not signed: no line

        address = client.service_client.config.target_host
        monkeypatch.setenv("LOAN_JOURNEY_TEMPORAL_ADDRESS", address)
        monkeypatch.setenv("LOAN_JOURNEY_DATA_DIR", str(settings.data_dir))
        monkeypatch.setenv("LOAN_JOURNEY_TASK_QUEUE", settings.task_queue)
        monkeypatch.delenv("LOAN_JOURNEY_CODEC_KEYS", raising=False)
        monkeypatch.setattr(listings_cli, "console", Console(width=300))
        monkeypatch.setattr(status_cli, "console", Console(width=300))

        def invoke(*args: str) -> asyncio.Future[Result]:
            return asyncio.to_thread(CliRunner().invoke, loan_journey, list(args))

        # `list --credit-code`: every journey of the borrower, whatever its stage
        mine = {one.id, two.id, waiting.id, left_out.id}
        query = work_lists.borrower_query(code.lower())  # as typed, in any case
        assert query == f"CreditCode = '{code}'"
        for _ in range(100):
            if await work_lists.count_journeys(client, query) == len(mine):
                break
            await asyncio.sleep(0.1)
        listed = await invoke("list", "--credit-code", code)
        assert listed.exit_code == 0, listed.output
        assert {w for w in mine if w in listed.output} == mine, listed.output
        assert elsewhere.id not in listed.output
        assert (await one.describe()).typed_search_attributes.get(sa.CREDIT_CODE) == [code]
        queried = await invoke("list", "--query", f"CreditCode='{code}'")
        assert queried.exit_code == 0, queried.output
        assert {w for w in mine if w in queried.output} == mine, queried.output
        wrong = await invoke("list", "--credit-code", code[:-1] + "Y" if code[-1] != "Y" else
                             code[:-1] + "X")
        assert wrong.exit_code != 0 and "check character" in wrong.output, wrong.output

        # `book --json`: the loans name their borrower, the pipeline has the signed loan, and
        # by borrower the two loans are one exposure with the signed one committed
        for _ in range(100):
            if await work_lists.count_journeys(client, work_lists.book_query()) >= 4:
                break
            await asyncio.sleep(0.1)
        shown = await invoke("book", "--json")
        assert shown.exit_code == 0, shown.output
        book = json.loads(shown.output)
        loans = {b["workflow_id"]: b for b in book["loans"]}
        assert {w for w in loans if w in mine} == {one.id, two.id}
        assert (loans[one.id]["borrower"], loans[one.id]["credit_code"]) == company
        assert [(p["workflow_id"], p["amount"], p["credit_code"])
                for p in book["signed_not_paid_out"]] == [(waiting.id, "20000000.00", code)]
        assert book["signed_not_paid_out_total"] == "20000000.00"
        borrowers = {e["credit_code"]: e for e in book["by_borrower"]}
        assert set(borrowers) == {code, other.credit_code}
        theirs = borrowers[code]
        assert (theirs["loans"], theirs["principal"], theirs["committed"],
                theirs["signed_not_paid"], theirs["worst_class"], theirs["exposure"]) == (
            2, "5000000.00", "20000000.00", 1, "normal", "25000000.00")
        assert Decimal(theirs["to_settle"]) == sum(
            (Decimal(loans[w]["to_settle"]) for w in (one.id, two.id)), Decimal(0))
        assert book["by_borrower"][0]["credit_code"] == code  # the largest exposure first

        # each loan's review dates: none run yet, the next its schedule's, due a cadence
        # (quarterly, class normal) after the payout; none late
        for handle in (one, two):
            described = await schedules.describe(client, handle.id)
            line = loans[handle.id]
            assert line["last_review"] is None and line["reviews_late"] is False
            assert datetime.fromisoformat(line["next_review"]) == described.next_runs[0]
            assert line["review_due"] is not None
        assert book["reviews_late"] == 0

        # `status`'s post-loan panel says them too
        status = await invoke("status", one.id)
        assert status.exit_code == 0, status.output
        panel = " ".join(status.output.replace("│", " ").split())
        next_at = moment_at(datetime.fromisoformat(loans[one.id]["next_review"]), 8)
        assert f"last review none yet next review {next_at}" in panel, status.output
        assert "reviews late" not in panel

        text = await invoke("book")
        assert text.exit_code == 0, text.output
        out = text.output
        assert "signed, not paid out" in out and "by borrower" in out
        assert "20,000,000.00 (1 signed)" in out and "25,000,000.00" in out
        assert "reviews late: 0" in out
        assert company[0] in out


def test_reviews_are_late_a_cadence_after_the_last_or_the_payout() -> None:
    paid, last = date(2026, 1, 10), date(2026, 4, 5)
    now = datetime.fromisoformat("2026-08-01T00:00:00+00:00")
    assert review_due(None, paid, 3) == date(2026, 4, 10)  # none run yet: from the payout
    assert review_due(last, paid, 1) == date(2026, 5, 5)
    assert review_due(None, None, 3) is None  # not reviewed
    due = review_due(last, paid, 3)
    assert not reviews_late(due, None, date(2026, 7, 5), now)  # the day it is due
    assert reviews_late(due, None, date(2026, 7, 6), now)
    past = datetime.fromisoformat("2026-07-31T01:00:00+00:00")
    assert reviews_late(None, past, date(2026, 8, 1), now)  # the next one listed is past



async def test_the_book_gives_a_loan_its_next_review_as_soon_as_its_schedule_exists(
    dev_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    """The loan book (the demo's last table) dates each loan's reviews as `book` does: it
    once said "-" (none: paused or deleted) of a loan whose schedule was created 3 s before.
    The schedules' list comes a moment behind, so a reviewed loan it leaves out is described
    before it is said to have none; one with no schedule at all has none."""
    client, docs = dev_env.client, Documents()
    async with loan_worker(client, tmp_path, docs) as settings:
        handle, _ = await disbursed(client, settings, application(docs))
        book = await work_lists.loan_book(client, settings=settings)
        scheduled = await schedules.describe(client, handle.id)
        line = next(b for b in book.lines if b.workflow_id == handle.id)
        assert line.next_review == scheduled.next_runs[0]

    first = date.today() + timedelta(days=30)
    calendar = review_calendar(DEFAULT_POLICY, first, 3, first + timedelta(days=365))
    new, gone, applied = (JourneyStatus(
        workflow_id=f"loan-{uuid4().hex[:12]}", application_id="a", stage=stage, attempt=1,
        waits_on=Party.BANK, risk_class=RiskClass.NORMAL)
        for stage in (Stage.POST_LOAN, Stage.POST_LOAN, Stage.APPROVAL))
    # a list read before the schedule was created: the reviewed loans are described
    assert book_reviews.unlisted([new, gone, applied], []) == [new, gone]
    assert await schedules.create(client, new.workflow_id, calendar, "no-worker")
    try:
        nexts = await book_reviews.next_reviews(client, [new, gone, applied])
    finally:
        await schedules.delete(client, new.workflow_id)
    assert nexts[new.workflow_id] == start_of(first) + timedelta(hours=1)
    assert gone.workflow_id not in nexts and applied.workflow_id not in nexts
