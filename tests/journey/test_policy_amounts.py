"""The least amount and the longest term the bank lends per product are policy: an application
below the one or beyond the other is refused with the figure and the product; a policy pinned
before the minimums takes any amount, one pinned before the maximum terms any term."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from journey.application import Product
from journey.policy import Policy, parse_policy
from journey.repayment import money
from tests.journey.conftest import make_application


@pytest.mark.parametrize(("product", "least"), [
    (Product.WORKING_CAPITAL, Decimal("500000")),
    (Product.FIXED_ASSET, Decimal("1000000")),
    (Product.PROJECT_FINANCE, Decimal("20000000")),
])
def test_an_amount_below_the_products_minimum_is_refused(
    policy: Policy, product: Product, least: Decimal
) -> None:
    assert policy.amount_refusal(make_application(product=product, amount=least)) is None
    below = policy.amount_refusal(make_application(product=product, amount=least - 1))
    assert below == (
        f"the amount {money(least - 1)} yuan is below the least the bank lends for a "
        f"{product} loan, {money(least)} yuan (policy {policy.version}): apply for at least "
        f"{money(least)}")


def test_one_yuan_is_refused_and_the_figures_say_whose_choice_they_are(policy: Policy) -> None:
    refusal = policy.amount_refusal(make_application(amount=Decimal("1")))
    assert refusal is not None and "the amount 1.00 yuan is below" in refusal
    assert "500,000.00 yuan" in refusal and "working_capital" in refusal
    assert policy.amounts is not None and "bank's own" in policy.amounts.note


def test_a_policy_pinned_before_the_minimums_takes_any_amount(policy: Policy) -> None:
    """What a journey started under 2026.12-2 pinned: no `amounts` section."""
    data = json.loads(policy.model_dump_json(exclude={"amounts"}))
    older = parse_policy(json.dumps({**data, "version": "2026.12-2"}))
    assert older.amounts is None
    assert older.amount_refusal(make_application(amount=Decimal("1"))) is None


@pytest.mark.parametrize(("product", "longest"), [
    (Product.WORKING_CAPITAL, 36),
    (Product.FIXED_ASSET, 120),
    (Product.PROJECT_FINANCE, 300),
])
def test_a_term_longer_than_the_products_maximum_is_refused(
    policy: Policy, product: Product, longest: int
) -> None:
    assert policy.term_refusal(make_application(product=product, term_months=longest)) is None
    beyond = policy.term_refusal(make_application(product=product, term_months=longest + 1))
    assert beyond == (
        f"the term of {longest + 1} months is longer than the bank lends a {product} loan "
        f"for, {longest} months (policy {policy.version}): apply for at most {longest} months")


def test_ten_years_of_working_capital_is_refused_and_the_figures_say_whose_choice_they_are(
    policy: Policy
) -> None:
    refusal = policy.term_refusal(make_application(term_months=120))
    assert refusal is not None and "120 months is longer" in refusal
    assert "working_capital loan for, 36 months" in refusal
    assert policy.amounts is not None and "longest terms are the bank's choice" in (
        policy.amounts.note)


def test_a_policy_pinned_before_the_maximum_terms_takes_any_term(policy: Policy) -> None:
    """What a journey started under 2026.12-4 pinned: minimums, no maximum terms."""
    data = json.loads(policy.model_dump_json())
    del data["amounts"]["maximum_term_months"]
    older = parse_policy(json.dumps({**data, "version": "2026.12-4"}))
    assert older.amounts is not None and older.amounts.maximum_term_months is None
    assert older.term_refusal(make_application(term_months=360)) is None
    assert older.amount_refusal(make_application(amount=Decimal("1"))) is not None
