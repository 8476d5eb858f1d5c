"""The offer's notice in the customer's words: a project's, drawn in tranches, with its fees;
a rate agreed in the application, fixed; a covenant the statements on file already breach.
(The notice a journey queues: tests/workflows/test_happy_path.py.)"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from journey.decisions import RiskGrade
from journey.documents import DocumentKind
from journey.offer_notice import offer_notice
from journey.policy.pricing import PricingPolicy
from journey.post_loan_covenants import check_covenants
from journey.post_loan_policy import PrepaymentFee
from journey.post_loan_review import statements_read
from journey.pricing import offer_terms
from journey.stages import Party, Stage
from journey.status import JourneyStatus, Offer
from starter.offer_view import rate_now
from tests.drawdowns.kit import project
from tests.post_loan.loan_kit import DEFAULT_POLICY
from tests.workflows.journey_kit import Documents, application

PRICING = PricingPolicy(commitment_fee=Decimal("0.0050"))
FEE = PrepaymentFee(rate=Decimal("0.01"), months=12)
UNTIL = "2026-12-20 17:30 (UTC+8)"


def offered(app, fixing=None) -> Offer:  # noqa: ANN001
    terms = offer_terms(app, RiskGrade.G3, date(2026, 12, 7), DEFAULT_POLICY, PRICING, None,
                        fixing)
    return Offer(**terms.model_dump(), term_months=app.term_months,
                 expires_at=datetime(2026, 12, 20, 9, 30, tzinfo=UTC))


def test_a_projects_notice_says_it_draws_in_tranches_and_what_it_costs() -> None:
    app = project(Documents())
    told = offer_notice(app, offered(app), UNTIL, FEE, PRICING.commitment_fee)
    assert "Drawn in tranches" in told and "First instalment" not in told
    assert ("Fees: a commitment fee of 0.50% a year on what is not drawn yet, charged quarterly "
            "with the interest; repaying principal ahead of the plan within 12 months of the "
            "payout costs 1.00% of what is repaid ahead.") in told
    assert "signed until 2026-12-20 17:30 (UTC+8)" in told


def test_a_rate_agreed_in_the_application_is_told_fixed_and_no_commitment_fee() -> None:
    app = application(Documents()).model_copy(update={"annual_rate": Decimal("0.0400")})
    told = offer_notice(app, offered(app), UNTIL, PrepaymentFee(), PRICING.commitment_fee)
    assert "4.00% a year, as agreed in your application: the 1y LPR of 3.10% + 0.90%, " \
           "fixed" in told, told
    assert "Fees: none." in told and "First instalment: " in told


def test_a_floating_rate_is_reset_only_where_the_term_reaches_an_anniversary() -> None:
    """A loan of a year or less ends by its payout's first anniversary: its rate holds for
    the whole term; one of two years is reset once, on the first."""
    for months, said in ((12, "for the whole term, which ends by the payout's first "
                               "anniversary."),
                         (24, "reset to the 1y LPR then in force on each anniversary of the "
                              "payout.")):
        app = application(Documents(), term_months=months)
        told = offer_notice(app, offered(app), UNTIL, FEE, PRICING.commitment_fee)
        assert said in told, told


def test_status_says_the_rate_as_the_offer_notice_told_it() -> None:
    """A 12-month loan's status said "floating: repriced ... on each anniversary" while its
    notice told the customer the rate holds for the whole term (finance, session s36)."""
    status = JourneyStatus(workflow_id="loan-1", application_id="APP-1", stage=Stage.POST_LOAN,
                           attempt=1, waits_on=Party.CUSTOMER)
    for months, said in ((12, "3.60%, the 1y LPR + 0.50% fixed for the whole term, which ends "
                              "by the payout's first anniversary"),
                         (24, "3.60%, floating: repriced to the 1y LPR + 0.50% on each "
                              "anniversary of the payout")):
        offer = offered(application(Documents(), term_months=months))
        assert rate_now(offer, status) == said


def test_a_project_is_told_which_drawdowns_are_paid_to_a_counterparty() -> None:
    app = project(Documents())
    told = offer_notice(app, offered(app), UNTIL, FEE, PRICING.commitment_fee,
                        Decimal(5_000_000))
    assert ("Entrusted payment (受托支付): a drawdown above 5,000,000.00 is paid not into your "
            "account but to the counterparty of the contract it pays for") in told
    assert "Paid by entrusted payment" not in told


def test_a_covenant_the_statements_on_file_breach_is_told_with_the_figure_and_period() -> None:
    """Approved with min-liquidity already breached (current ratio 1.0990 against at least
    1.20): the customer signs knowing it, and what it means after the payout."""
    docs = Documents()
    app = application(docs)
    offer = offered(app)
    checks = check_covenants(offer.covenants or [], {"debt_to_asset": Decimal("0.40"),
                                                     "current_ratio": Decimal("1.0990")})
    breached = [c for c in checks if c.breached]
    told = offer_notice(app, offer, UNTIL, FEE, PRICING.commitment_fee, breached=breached,
                        statements=statements_read(list(docs.readings.values())))
    period = docs.period_of(DocumentKind.BALANCE_SHEET)
    assert ("Covenants to keep: total debt to total assets at most 70%; current assets to "
            "current liabilities at least 1.20 times (your statements of the period ending "
            f"{period} show 1.10 times: below it).") in told, told
    assert ("The bank offers the loan knowing your statements already breach this covenant: "
            "from the payout the bank follows the breach as an early warning and classes the "
            "loan special mention (关注), until newer statements show the covenant kept and "
            "your instalments are paid on time.") in told
    # kept covenants are listed as before, with no word of a breach
    kept = offer_notice(app, offer, UNTIL, FEE, PRICING.commitment_fee)
    assert "at least 1.20 times." in kept and "breach" not in kept
