"""Entrusted payment (受托支付) figures are policy (2026.12-6): above them a payout goes to the
counterparties; a policy pinned before has none, and a project's drawdowns keep 5,000,000."""

from __future__ import annotations

import json
from decimal import Decimal

from journey.application import Product
from journey.drawdowns import ENTRUSTED_OVER, default_plan
from journey.policy import Policy, entrusted, parse_policy
from tests.journey.conftest import make_application


def test_the_figures_per_product_and_whose_they_are(policy: Policy) -> None:
    assert policy.entrusted_over(Product.FIXED_ASSET) == Decimal("5000000")
    assert policy.entrusted_over(Product.WORKING_CAPITAL) == Decimal("10000000")
    assert policy.entrusted_over(Product.PROJECT_FINANCE) == ENTRUSTED_OVER
    assert policy.entrusted_payment is not None
    assert "bank's own figure" in policy.entrusted_payment.note
    assert policy.entrusted_payment.instruction_sla is not None


def test_strictly_above_the_figure_is_entrusted() -> None:
    over = Decimal("5000000")
    assert entrusted(Decimal("5000000.01"), over)
    assert not entrusted(Decimal("5000000"), over)
    assert not entrusted(Decimal("90000000"), None)


def test_a_projects_drawdowns_take_the_policys_figure_or_the_one_before_it(
    policy: Policy
) -> None:
    project = make_application(product=Product.PROJECT_FINANCE, amount=Decimal("60000000"))
    assert default_plan(project).entrusted_over == ENTRUSTED_OVER
    assert default_plan(project, entrusted_over=Decimal("3000000")).entrusted_over == \
        Decimal("3000000")


def test_a_policy_pinned_before_2026_12_6_has_no_figures(policy: Policy) -> None:
    data = json.loads(policy.model_dump_json(exclude={"entrusted_payment"}))
    older = parse_policy(json.dumps({**data, "version": "2026.12-5"}))
    assert all(older.entrusted_over(p) is None for p in Product)
