"""A loan's rate: its term's base rate (1-year LPR up to five years, 5-year LPR beyond) plus
spreads per grade step and product, all from the pinned policy; the offer keeps how it was
set, and a policy from before pricing was data prices as the code did then."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from journey.application import Product
from journey.decisions import RiskGrade
from journey.lpr import LprFixing
from journey.policy import DEFAULT_POLICY_FILE, Policy, parse_policy
from journey.policy.pricing import PricingPolicy, RateBasis
from journey.pricing import agreed_on, offer_terms
from journey.status import Offer
from starter.offer_view import rate_basis
from tests.journey.conftest import make_application

DAY = date(2026, 12, 1)


def test_the_term_picks_the_base_rate_and_the_grade_and_product_add_spreads(
    policy: Policy,
) -> None:
    three_years = offer_terms(make_application(term_months=36), RiskGrade.G3, DAY,
                              pricing=policy.pricing)
    assert three_years.rate_basis == RateBasis(base="1y LPR", base_rate=Decimal("0.0310"),
                                               spread=Decimal("0.0050"))
    assert three_years.annual_rate == Decimal("0.0360")
    eight_years = offer_terms(
        make_application(term_months=96, product=Product.FIXED_ASSET), RiskGrade.G3, DAY,
        pricing=policy.pricing,
    )
    assert eight_years.rate_basis == RateBasis(base="5y LPR", base_rate=Decimal("0.0360"),
                                               spread=Decimal("0.0090"))
    assert eight_years.annual_rate == Decimal("0.0450")
    five_years = policy.pricing.basis(60, 0, Product.WORKING_CAPITAL)
    assert (five_years.base, five_years.spread) == ("1y LPR", Decimal("0.0000"))


def test_a_policy_pinned_before_pricing_was_data_prices_as_before() -> None:
    data = json.loads(DEFAULT_POLICY_FILE.read_text(encoding="utf-8"))
    del data["pricing"]
    older = parse_policy(json.dumps(data))
    app = make_application(term_months=96, product=Product.FIXED_ASSET)
    terms = offer_terms(app, RiskGrade.G3, DAY, pricing=older.pricing)
    assert terms.annual_rate == Decimal("0.0400")  # 3.10% + 2 steps of 0.25% + 0.40%
    assert offer_terms(app, RiskGrade.G3, DAY).annual_rate == terms.annual_rate  # no policy


def test_a_rate_agreed_in_the_application_shows_its_spread_over_the_base(
    policy: Policy,
) -> None:
    agreed = make_application(annual_rate=Decimal("0.0280"))
    terms = offer_terms(agreed, RiskGrade.G3, DAY, pricing=policy.pricing)
    offer = Offer(**terms.model_dump(), term_months=agreed.term_months)
    assert terms.annual_rate == Decimal("0.0280")
    assert rate_basis(offer) == " (1y LPR 3.10% - 0.30%, agreed in the application)"


def test_an_agreed_rate_below_the_policys_floor_is_refused(policy: Policy) -> None:
    """0% or anything more than half a point under the term's LPR is no price the policy
    allows: the application is refused before it starts (starter.applications)."""
    pricing = policy.pricing
    assert refused(pricing, Decimal("0.0260"), 12) is None  # 3.10% - 0.50%
    low = refused(pricing, Decimal("0"), 12)
    assert low is not None and "below the policy's floor of 2.6000% (1y LPR 3.10% -0.50%)" in low
    assert refused(pricing, Decimal("0.0305"), 96) is not None  # 5y LPR 3.60% - 0.50%


def test_an_agreed_rate_above_the_policys_ceiling_is_refused(policy: Policy) -> None:
    """35% is no rate the bank agrees: the ceiling is the term's base rate + 4.00%, above the
    policy's own price for the worst grade of every product; a policy pinned before the
    ceiling (2026.12-4) has none."""
    pricing = policy.pricing
    assert refused(pricing, Decimal("0.0710"), 12) is None  # 3.10% + 4.00%
    high = refused(pricing, Decimal("0.35"), 12)
    assert high == ("the agreed rate 35.0000% is above the policy's ceiling of 7.1000% (1y LPR "
                    "3.10% +4.00%): agree a lower rate, or leave annual_rate out to price by "
                    "the policy")
    assert refused(pricing, Decimal("0.0760"), 96) is None  # 5y LPR 3.60% + 4.00%
    assert refused(pricing, Decimal("0.0761"), 96) is not None
    worst = max(pricing.basis(term, len(RiskGrade) - 1, product).spread
                for term in (12, 96) for product in Product)
    assert pricing.highest_agreed_spread is not None and worst < pricing.highest_agreed_spread
    data = json.loads(policy.model_dump_json())
    del data["pricing"]["highest_agreed_spread"]
    older = parse_policy(json.dumps({**data, "version": "2026.12-4"}))
    assert refused(older.pricing, Decimal("0.35"), 12) is None


def refused(pricing: PricingPolicy, rate: Decimal, term_months: int,
            fixing: LprFixing | None = None) -> str | None:
    return pricing.agreed_refusal(agreed_on(pricing, rate, term_months, fixing))


def test_an_agreed_rate_is_held_to_the_lpr_fixing_in_force(policy: Policy) -> None:
    """Over a fixing of 1y 3.05% the band is 2.55%..7.05%, not the policy's 3.10% one: the
    rate a tester had accepted, 7.08%, is 4.03% over the LPR the offer prices on."""
    fixing = LprFixing(fixed_on=date(2026, 11, 20), one_year=Decimal("0.0305"),
                       five_year=Decimal("0.0350"))
    assert refused(policy.pricing, Decimal("0.0708"), 12) is None  # over the policy's 3.10%
    high = refused(policy.pricing, Decimal("0.0708"), 12, fixing)
    assert high is not None and ("above the policy's ceiling of 7.0500% (1y LPR 3.05% of "
                                 "2026-11-20 +4.00%)") in high
    assert refused(policy.pricing, Decimal("0.0705"), 12, fixing) is None
    low = refused(policy.pricing, Decimal("0.0254"), 12, fixing)
    assert low is not None and "floor of 2.5500% (1y LPR 3.05% of 2026-11-20 -0.50%)" in low
    terms = offer_terms(make_application(annual_rate=Decimal("0.0600")), RiskGrade.G3, DAY,
                        pricing=policy.pricing, fixing=fixing)
    offer = Offer(**terms.model_dump(), term_months=12)
    assert rate_basis(offer) == (" (1y LPR 3.05% of 2026-11-20 + 2.95%, agreed in the "
                                 "application)")


def test_the_status_says_how_the_rate_was_set(policy: Policy) -> None:
    terms = offer_terms(make_application(term_months=36), RiskGrade.G5, DAY,
                        pricing=policy.pricing)
    offer = Offer(**terms.model_dump(), term_months=36)
    assert rate_basis(offer) == " (1y LPR 3.10% + 1.00%)"
    assert rate_basis(offer.model_copy(update={"rate_basis": None})) == ""


def test_an_agreed_rate_below_the_grades_price_says_by_how_much(policy: Policy) -> None:
    pricing = policy.pricing
    gap = pricing.agreed_gap(Decimal("0.0260"), 12, 8, Product.WORKING_CAPITAL)  # grade 9
    assert gap == ("agreed 2.6000%, 2.50% below the policy's price of 5.1000% for grade 9 "
                   "(1y LPR 3.10% + 2.00%)")
    assert pricing.agreed_gap(Decimal("0.0600"), 12, 8, Product.WORKING_CAPITAL) is None
