"""Covenants are loan terms: chosen by product, tightened by risk grade, kept in the offer."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from rich.console import Console
from temporalio.testing import WorkflowEnvironment

from activities.review import post_loan_policy_text
from journey.actors import Actor, Role
from journey.application import Product
from journey.classification import RiskClass
from journey.decisions import ApprovalDecision, RiskGrade, Verdict
from journey.documents import DocumentKind
from journey.loan_book import by_class, non_performing_ratio
from journey.post_loan_covenants import Covenant, CovenantTightening, check_covenants
from journey.post_loan_policy import loan_covenants
from journey.pricing import offer_terms
from journey.review_contracts import REVIEW_FACTS_QUERY, ReviewFacts
from journey.stages import Stage
from starter import work_lists
from starter.queue_view import queue_view
from starter.quotes import QuoteFixings
from starter.repayment_view import plan_table
from starter.status_view import status_view
from starter.work_lists import JourneyRow, book_of
from store.policies import sha256_of
from tests.post_loan.loan_kit import (
    DEFAULT_POLICY,
    TIGHT,
    assert_replays,
    disbursed,
    loan_worker,
    policy,
    review,
    until,
)
from tests.workflows import journey_kit
from tests.workflows.journey_kit import (
    BRANCH_APPROVER,
    Documents,
    application,
    drive_to,
    offer_signature,
    refused,
    start,
    until_stage,
)
from workflows import search_attributes as sa
from workflows.loan_journey import LoanJourneyWorkflow


def limits(covenants: list[Covenant]) -> dict[str, Decimal]:
    return {c.id: c.limit for c in covenants}


def test_the_policy_file_gives_defaults_by_product() -> None:
    """A term loan is tested on its debt service; working capital, whose principal falls due
    within the year (a DSCR far below 1 on any statements), on leverage and liquidity only."""
    fa = loan_covenants(DEFAULT_POLICY, Product.FIXED_ASSET, RiskGrade.G3)
    assert limits(fa) == {
        "max-leverage": Decimal("0.70"), "min-liquidity": Decimal("1.20"),
        "min-dscr": Decimal("1.20"),
    }
    version = DEFAULT_POLICY.version
    assert fa[0].basis == f"post-loan policy {version}, default covenants, limit 0.70"
    wc = loan_covenants(DEFAULT_POLICY, Product.WORKING_CAPITAL, RiskGrade.G3)
    assert limits(wc) == {"max-leverage": Decimal("0.70"), "min-liquidity": Decimal("1.20")}
    assert wc[0].basis == f"post-loan policy {version}, working_capital covenants, limit 0.70"
    pf = loan_covenants(DEFAULT_POLICY, Product.PROJECT_FINANCE, RiskGrade.G3)
    assert limits(pf) == {"max-leverage": Decimal("0.80"), "min-dscr": Decimal("1.30")}


def test_weaker_grades_get_tighter_limits_and_the_rules_add_up() -> None:
    g6 = loan_covenants(DEFAULT_POLICY, Product.FIXED_ASSET, RiskGrade.G6)
    assert limits(g6) == {
        "max-leverage": Decimal("0.65"), "min-liquidity": Decimal("1.30"),
        "min-dscr": Decimal("1.30"),
    }
    wc = loan_covenants(DEFAULT_POLICY, Product.WORKING_CAPITAL, RiskGrade.G6)
    assert limits(wc) == {"max-leverage": Decimal("0.65"), "min-liquidity": Decimal("1.30")}
    g9 = loan_covenants(DEFAULT_POLICY, Product.PROJECT_FINANCE, RiskGrade.G9)
    assert limits(g9) == {"max-leverage": Decimal("0.75"), "min-dscr": Decimal("1.50")}
    assert g9[1].basis.endswith("limit 1.30, tightened by 0.20 for risk grade 9")


def test_the_offer_carries_the_loans_own_covenants() -> None:
    app = application(Documents(), term_months=12)
    tight = policy(covenant_tightening=[
        CovenantTightening(from_grade=3, ratio="debt_to_asset", step=Decimal("0.35")),
    ])
    terms = offer_terms(app, RiskGrade.G3, date(2026, 1, 15), tight)
    assert terms.covenants is not None
    assert limits(terms.covenants)["max-leverage"] == Decimal("0.35")
    assert offer_terms(app, RiskGrade.G3, date(2026, 1, 15)).covenants is None  # no policy
    # the same ratio passes the policy's default and breaches this loan's covenant
    values: dict[str, Decimal | None] = {"debt_to_asset": Decimal("0.40")}
    assert not check_covenants(DEFAULT_POLICY.covenants[:1], values)[0].breached
    assert check_covenants(terms.covenants[:1], values)[0].breached


def test_a_ratio_without_a_value_says_why() -> None:
    dscr = Covenant(id="min-dscr", ratio="dscr", bound="min", limit=Decimal("1.2"))
    [check] = check_covenants([dscr], {"dscr": None}, {"dscr": "the plan is not known"})
    assert not check.breached
    assert check.detail == "min-dscr: dscr not available: the plan is not known"


async def test_reviews_check_the_covenants_of_the_loans_offer(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    env, docs = time_skipping_env, Documents()
    app = application(docs, term_months=12)  # the kit grades it 3; debt/assets 0.40
    async with loan_worker(env.client, tmp_path, docs, post_loan_policy=TIGHT) as settings:
        handle, running = await disbursed(env.client, settings, app)
        offered = running.offer.covenants
        assert offered == loan_covenants(TIGHT, Product.WORKING_CAPITAL, RiskGrade.G3)
        assert limits(offered)["max-leverage"] == Decimal("0.35")
        facts = await handle.query(REVIEW_FACTS_QUERY, result_type=ReviewFacts)
        assert facts.covenants == offered and facts.plan == running.offer.schedule

        outcome = await review(env, settings, handle.id, 1)
        result = outcome.result
        assert result is not None and [c.covenant for c in result.checks] == offered
        assert [c.detail for c in result.breaches] == [
            "max-leverage: debt_to_asset 0.4000 above the maximum 0.35"
        ]
        # `loan-journey plan` shows them under the plan
        caption = str(plan_table(running).caption)
        assert caption.startswith("covenants: max-leverage: debt_to_asset <= 0.35; ")


async def test_a_working_capital_loan_is_not_tested_on_its_debt_service(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    """A 12-month working-capital loan's whole principal falls due within the year: on an
    operating profit of 1,000,000 its DSCR is far below 1.20 (about 0.3), with leverage
    (0.40) and liquidity (2.00) sound. The packaged policy monitors it on those two: no
    breach on file, 正常 from the payout, and 正常 after a review that finds the DSCR low."""
    env, docs = time_skipping_env, Documents()
    app = application(docs, period=date(journey_kit.TODAY.year - 1, 12, 31))  # a whole year
    [income] = [r for r in docs.readings.values() if r.kind is DocumentKind.INCOME_STATEMENT]
    assert income.statement is not None
    docs.readings[income.ref.sha256] = income.model_copy(update={
        "statement": income.statement.model_copy(update={
            "operating_profit": Decimal(1_000_000), "net_profit": Decimal(700_000)})})
    async with loan_worker(env.client, tmp_path, docs) as settings:
        handle = await start(env.client, settings, app)
        at_approval = await drive_to(handle, app, Stage.APPROVAL)
        assert [c.detail for c in at_approval.covenants_on_file if c.breached] == []
        await handle.execute_update(LoanJourneyWorkflow.decide, ApprovalDecision(
            actor=BRANCH_APPROVER, verdict=Verdict.APPROVE, reason="within limit"))
        offered = await until_stage(handle, Stage.OFFER)
        assert offered.offer is not None
        assert [c.id for c in offered.offer.covenants] == ["max-leverage", "min-liquidity"]
        await handle.execute_update(LoanJourneyWorkflow.sign, offer_signature(app))
        handle = env.client.get_workflow_handle_for(LoanJourneyWorkflow.run, handle.id)
        classed = await until(handle, lambda s: s.risk_class_reason != "")
        assert classed.risk_class is RiskClass.NORMAL, classed.risk_class_reason

        outcome = await review(env, settings, handle.id, 1)
        result = outcome.result
        assert result is not None and not outcome.skipped
        dscr = result.ratios["dscr"]
        assert dscr is not None and dscr < Decimal("0.5"), result.notes
        assert [(c.covenant.id, c.breached) for c in result.checks] == [
            ("max-leverage", False), ("min-liquidity", False)]
        assert result.risk_class is RiskClass.NORMAL
        now = await until(handle, lambda s: s.last_review is not None)
        assert now.risk_class is RiskClass.NORMAL
        # the run the review continued as new into carries the pinned policy and its hash
        assert (now.run, now.post_loan_policy_version, now.post_loan_policy_sha256) == (
            2, DEFAULT_POLICY.version, sha256_of(post_loan_policy_text()))


async def test_a_covenant_the_file_already_breaches_shows_before_the_payout(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    """Leverage of 0.40 against a maximum tightened to 0.35 for the grade: approvers and
    the offer see the breach on the statements the loan is decided on, not only the first
    review after the payout."""
    env, docs = time_skipping_env, Documents()
    app = application(docs)
    async with loan_worker(env.client, tmp_path, docs, post_loan_policy=TIGHT) as settings:
        handle = await start(env.client, settings, app)
        at_approval = await drive_to(handle, app, Stage.APPROVAL)
        breached = [c.detail for c in at_approval.covenants_on_file if c.breached]
        assert breached == ["max-leverage: debt_to_asset 0.4000 above the maximum 0.35"]
        console = Console(record=True, width=300)
        console.print(status_view(at_approval))
        assert "covenants on file" in console.export_text()
        # the approval work list names it, with the figure and the limit
        row = JourneyRow(workflow_id=handle.id, status="running", stage="approval",
                         team="branch", sla="ok", product="working_capital",
                         amount_band="1m-5m", started=datetime.now(UTC))
        [listed] = await work_lists.tier_reasons(env.client, [row])
        assert listed.breached == breached
        console.print(queue_view([listed], "waiting on branch",
                                 *work_lists.queue_clock(datetime.now(UTC))))
        assert f"covenants already breached: {breached[0]}" in console.export_text()
        # approving is an exception, which has its reason, and the answer says what it is
        for said in ("   ", "...", "ok", "同意"):  # an exception's reason says why, in words
            why = await refused(handle, LoanJourneyWorkflow.decide, ApprovalDecision(
                actor=BRANCH_APPROVER, verdict=Verdict.APPROVE, reason=said))
            assert why.endswith(f"covenant(s) this loan would carry ({breached[0]}): "
                                "approving it is an exception; give its reason, what makes the "
                                "breach acceptable (at least ten letters or four Chinese "
                                "characters)"), said
        # a second application of the borrower: the branch's vote is set aside, nothing approved
        more = await start(env.client, settings, application(
            docs, company=(app.applicant_name, app.credit_code)))
        await until_stage(more, Stage.RISK_REVIEW)
        aside = await handle.execute_update(LoanJourneyWorkflow.decide, ApprovalDecision(
            actor=BRANCH_APPROVER, verdict=Verdict.APPROVE, reason="within limit"))
        assert aside.stage is Stage.APPROVAL and "approved with" not in aside.message
        assert aside.message.startswith("not counted: ")
        head_office = Actor(id="appr-ho-1", role=Role.APPROVER)
        approved = await handle.execute_update(LoanJourneyWorkflow.decide, ApprovalDecision(
            actor=head_office, verdict=Verdict.APPROVE, reason="within limit"))
        assert approved.message == f"approved with covenant(s) already breached: {breached[0]}"
        at_offer = await until_stage(handle, Stage.OFFER)
        assert [c.detail for c in at_offer.covenants_on_file if c.breached] == breached
        # and so is the customer, in the offer they sign
        offer = await journey_kit.until_sent(settings.db_url, handle.id, template="offer_ready")
        assert ("total debt to total assets at most 35% (your statements of the period ending "
                f"{docs.period_of(DocumentKind.BALANCE_SHEET)} show 40.00%: above it)"
                ) in offer.body, offer.body
        assert "already breach this covenant" in offer.body
        await handle.execute_update(LoanJourneyWorkflow.sign, offer_signature(app))
        paid = await until(handle, lambda s: s.risk_class_reason != "")  # first classed
        assert paid.covenants_on_file == []
        # the running loan carries the breach from the payout: an open early warning on the
        # risk team's queue, with the figure, the limit and the reason of the approval that
        # counted (the branch's vote was set aside)
        warning, downgrade = paid.warnings
        assert (warning.kind, warning.subject, warning.open) == (
            "covenant_breach", "max-leverage", True)
        assert warning.detail == (
            f"{breached[0]}: breached on the statements the loan was approved on, approved "
            f"as an exception ({head_office.id}: within limit)")
        # and it is 关注 from the payout, as a review finding the breach would class it
        why = ("special_mention (关注): 0 days past due (floor 正常), max-leverage breached on "
               f"file since the payout on {warning.at} (the statements it was approved on), no "
               "review yet")
        assert (paid.risk_class, paid.risk_class_reason) == (RiskClass.SPECIAL_MENTION, why)
        assert (downgrade.kind, downgrade.detail) == ("downgrade", f"normal (正常) -> {why}")
        assert [d.reason for d in paid.decisions if d.verdict == "reclassified"] == [
            downgrade.detail]
        attrs = (await handle.describe()).typed_search_attributes
        assert (attrs.get(sa.TEAM), attrs.get(sa.SLA_STATE), attrs.get(sa.LOAN_CLASS)) == (
            "sme_risk", "early_warning", "special_mention")  # what `book --class` lists
        book = book_of([("working_capital", paid)], RiskClass.SPECIAL_MENTION, QuoteFixings())
        assert [b.risk_class for b in book.lines] == [RiskClass.SPECIAL_MENTION]
        totals = {t.risk_class: t.loans for t in by_class(book.lines)}
        assert totals[RiskClass.SPECIAL_MENTION] == 1 and sum(totals.values()) == 1
        assert non_performing_ratio(book.lines) == 0  # 关注 is performing
        console.print(status_view(paid))
        shown = " ".join(console.export_text().split())
        assert "open warnings #1, #2" in shown and "classification 关注" in shown
        # a review of the same statements adds no second task for it, nor a second downgrade
        await review(env, settings, handle.id, 1)
        reviewed = await until(handle, lambda s: s.last_review is not None)
        assert [w.kind for w in reviewed.warnings] == ["covenant_breach", "downgrade"]
        assert reviewed.risk_class_reason.endswith("last review assessed 关注")
        await assert_replays(handle)
