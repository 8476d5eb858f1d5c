"""Post-loan reviews on the time-skipping server (it has no Schedules: the test starts
PostLoanReviewWorkflow itself at the times the schedule would)."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from decimal import Decimal

import pytest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from journey.actors import Actor, Role
from journey.classification import RiskClass
from journey.decisions import AddDocuments
from journey.documents import DocumentKind, DocumentRef, FinancialStatement, ReadStatus
from journey.post_loan_policy import first_review_on, start_of
from journey.post_loan_warnings import AcknowledgeWarning, WarningAction
from journey.repayment import add_months
from starter import audit, documents_used
from tests.cli_kit import cli, point_cli_at, said
from tests.post_loan.loan_kit import (
    DEFAULT_POLICY,
    disbursed_loan,
    later_balance_sheet,
    pay,
    review,
    skip_to,
    until,
)
from tests.workflows import journey_kit
from tests.workflows.journey_kit import Documents, customer, refused
from workflows import search_attributes as sa
from workflows.loan_journey import LoanJourneyWorkflow


async def test_quarterly_reviews_keep_a_sound_loan_normal(
    time_skipping_env: WorkflowEnvironment, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env, docs = time_skipping_env, Documents()
    async with disbursed_loan(env, tmp_path, docs) as (app, settings, handle, running):
        # the last full fiscal year: the DSCR has a statement of at least three months,
        # whatever the date the server's clock has reached
        label = f"{app.credit_code}-income-full-year"
        docs.add(
            label, status=ReadStatus.READ,
            kind=DocumentKind.INCOME_STATEMENT,
            statement=FinancialStatement(
                kind=DocumentKind.INCOME_STATEMENT,
                period_end=date(journey_kit.TODAY.year - 1, 12, 31),
                company=app.applicant_name, revenue=Decimal(80_000_000),
                operating_profit=Decimal(9_000_000), net_profit=Decimal(7_000_000),
            ),
        )
        scan = tmp_path / "income-full-year.png"
        scan.write_bytes(label.encode())  # the fake OCR knows it by this content's sha256
        point_cli_at(monkeypatch, env.client, data_dir=settings.data_dir)
        sent = await cli("documents", handle.id, str(scan), "--as", app.credit_code)
        assert sent.exit_code == 0, sent.output
        assert "statements: accepted" in said(sent)  # a running loan's: for its reviews
        assert "1 new document(s), read at the next review" in said(sent)
        shown = await cli("status", handle.id)  # received, and said to wait for the review
        assert ("received, not read yet (read at the next review): income-full-year.png"
                in said(shown)), shown.output
        plan = running.offer.schedule
        first = first_review_on(DEFAULT_POLICY, running.offer.starts_on)
        reviews = [add_months(first, 3 * k) for k in range(3)]
        steps = sorted([(start_of(i.due_on) + timedelta(hours=2), "pay", i) for i in plan[:8]]
                       + [(start_of(d) + timedelta(hours=1), "review", d) for d in reviews],
                       key=lambda s: s[0])
        done = 0
        for when, what, item in steps:
            await skip_to(env, when)
            if what == "pay":
                await handle.execute_update(
                    LoanJourneyWorkflow.record_repayment,
                    pay(f"P-{item.number}", item.payment),
                )
                continue
            done += 1
            outcome = await review(env, settings, handle.id, done)
            assert outcome.result is not None and not outcome.skipped
            assert outcome.result.risk_class is RiskClass.NORMAL
            # working capital: tested on leverage and liquidity; its DSCR is read, not tested
            assert [(c.covenant.id, c.breached) for c in outcome.result.checks] == [
                ("max-leverage", False), ("min-liquidity", False)]
            assert outcome.result.ratios["dscr"] is not None, outcome.result.notes
            await until(handle, lambda s, runs=done + 1: s.run == runs)  # a new run per review
        paid = sum(i.payment for i in plan[:8])
        now = await until(handle, lambda s: s.account.paid == paid)
        assert now.last_review is not None and now.last_review.review_id.endswith("-3")
        assert now.risk_class is RiskClass.NORMAL and now.warnings == []
        assert [d.verdict for d in now.decisions].count("reviewed") == 3
        # `list` and `queue` say when the journey began, not when its latest run did
        latest = await handle.describe()
        began = now.timeline[0].entered_at
        assert latest.start_time - began > timedelta(days=60)
        assert sa.journey_started(latest.typed_search_attributes, latest.start_time) == began


async def test_a_new_statement_that_breaches_a_covenant_raises_an_early_warning(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    env, docs = time_skipping_env, Documents()
    async with disbursed_loan(env, tmp_path, docs) as (app, settings, handle, running):
        # a loan paid out with no breach on file is 正常 until a review says otherwise
        classed = await until(handle, lambda s: s.risk_class_reason != "")
        assert (classed.risk_class, classed.risk_class_reason, classed.warnings) == (
            RiskClass.NORMAL, "normal (正常): 0 days past due (floor 正常), no review yet", [])
        # nothing open is said first, also to another team's officer: the queue is moot
        assert "no open early warning: none has been raised" in await refused(
            handle, LoanJourneyWorkflow.acknowledge_warning, AcknowledgeWarning(
                actor=Actor(id="risk-corp-1", role=Role.RISK_OFFICER),
                action=WarningAction.MONITOR, note="nothing yet"))
        await skip_to(env, start_of(running.offer.schedule[0].due_on) - timedelta(days=5))
        sheet = later_balance_sheet(docs, app, journey_kit.TODAY + timedelta(days=20))
        await handle.execute_update(
            LoanJourneyWorkflow.add_statements,
            AddDocuments(actor=customer(app), documents=[sheet]),
        )
        outcome = await review(env, settings, handle.id, 1)

        result = outcome.result
        assert result is not None and [r.ref for r in result.new_readings] == [sheet]
        # the history of the run the review ended has it as the review read it (its signal):
        # `records verify` holds its reading and file to that
        reviewed = audit.continued_from(await handle.fetch_history())
        used = await documents_used.read_in(
            await env.client.get_workflow_handle(handle.id, run_id=reviewed).fetch_history(),
            env.client.data_converter)
        assert [(u.workflow_id, u.status) for u in used if u.ref == sheet] == [
            (handle.id, ReadStatus.READ.value)]
        assert result.ratios["debt_to_asset"] == Decimal("0.8200")
        assert [c.covenant.id for c in result.breaches] == ["max-leverage"]
        assert result.risk_class is RiskClass.SPECIAL_MENTION and result.downgraded
        warned = await until(handle, lambda s: len(s.warnings) == 2)
        assert [w.kind for w in warned.warnings] == ["covenant_breach", "downgrade"]
        assert warned.risk_class is RiskClass.SPECIAL_MENTION
        attrs = (await handle.describe()).typed_search_attributes
        assert attrs.get(sa.TEAM) == "sme_risk" and attrs.get(sa.SLA_STATE) == "early_warning"
        # the statement was read once: the next review finds nothing new to read
        again = await review(env, settings, handle.id, 2)
        assert again.result is not None and again.result.new_readings == []


async def test_a_review_reads_a_restatement_and_leaves_out_another_companys_statement(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    """A restated balance sheet for the period already on file replaces it; a sheet of
    another company, and one of a period that has not ended, are left out, and the review
    says so."""
    env, docs = time_skipping_env, Documents()
    async with disbursed_loan(env, tmp_path, docs) as (app, settings, handle, running):
        on_file = next(r.statement for r in running.readings
                       if r.statement and r.kind is DocumentKind.BALANCE_SHEET)

        def sheet(label: str, company: str, liabilities: int, **more: object) -> DocumentRef:
            return docs.add(label, status=ReadStatus.READ, kind=DocumentKind.BALANCE_SHEET,
                            statement=on_file.model_copy(update={
                                "company": company, "total_liabilities": Decimal(liabilities),
                                "total_equity": on_file.total_assets - liabilities, **more}))

        other = sheet("other-company-balance", "广州新元电子有限公司", 95_000_000)
        restated = sheet(f"{app.credit_code}-balance-restated", app.applicant_name, 82_000_000)
        ahead = running.offer.schedule[-1].due_on + timedelta(days=400)
        early = sheet(f"{app.credit_code}-balance-ahead", app.applicant_name, 99_000_000,
                      period_end=ahead)
        await handle.execute_update(LoanJourneyWorkflow.add_statements, AddDocuments(
            actor=customer(app), documents=[other, restated, early]))
        result = (await review(env, settings, handle.id, 1)).result
        assert result is not None
        assert result.ratios["debt_to_asset"] == Decimal("0.8200")  # the restatement's
        assert result.notes["statements"] == (
            "left out: other-company-balance.png (广州新元电子有限公司), not the borrower's; "
            f"{app.credit_code}-balance-ahead.png, its period ends {ahead}, after the review")


async def test_updates_that_arrive_while_the_journey_continues_as_new_are_kept(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    env, docs = time_skipping_env, Documents()
    async with disbursed_loan(env, tmp_path, docs) as (app, settings, handle, running):
        refs = []
        for n in range(1, 4):  # each review ends a run; repayments race it
            batch = [f"RACE-{n}-{k}" for k in range(4)]
            refs += batch
            await asyncio.gather(
                review(env, settings, handle.id, n),
                *(repay(env.client, handle.id, ref) for ref in batch),
            )
            await until(handle, lambda s, n=n: s.run == n + 1)
        final = await until(handle, lambda s: s.account.paid == Decimal(100) * len(refs))
        assert [d.verdict for d in final.decisions].count("reviewed") == 3
        assert final.timeline[0].stage.value == "intake"


async def repay(client: Client, journey_id: str, reference: str) -> None:
    handle = client.get_workflow_handle_for(LoanJourneyWorkflow.run, journey_id)
    await handle.execute_update(
        LoanJourneyWorkflow.record_repayment, pay(reference, Decimal(100))
    )
