"""Every routing rule and escalation of the default policy, one row each."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from journey.application import LoanApplication
from journey.exposure import Exposure, ExposureLine
from journey.policy import ApprovalTier, Policy, Ratios, route
from journey.policy.routing import reroute

B, H, C = ApprovalTier.BRANCH, ApprovalTier.HEAD_OFFICE, ApprovalTier.CREDIT_COMMITTEE
D = Decimal

# (id, application overrides, ratios, rule, team, tier, escalations)
ROWS: list[tuple[str, dict[str, Any], dict[str, D], str, str, ApprovalTier, list[str]]] = [
    ("small sme", {}, {}, "sme-default", "sme_risk", B, []),
    ("at branch ceiling", {"amount": D("5000000")}, {}, "sme-default", "sme_risk", B, []),
    ("a cent over", {"amount": D("5000000.01")}, {}, "corporate-mid", "corporate_risk", H, []),
    (
        "at head-office ceiling",
        {"amount": D("50000000")},
        {},
        "corporate-mid",
        "corporate_risk",
        H,
        [],
    ),
    (
        "large corporate",
        {"amount": D("50000000.01")},
        {},
        "corporate-large",
        "corporate_risk",
        C,
        [],
    ),
    (
        "project finance",
        {"product": "project_finance", "amount": D("1000000")},
        {},
        "pf",
        "project_finance_risk",
        H,
        [],
    ),
    (
        "large project finance",
        {"product": "project_finance", "amount": D("80000000")},
        {},
        "pf-large",
        "project_finance_risk",
        C,
        [],
    ),
    (
        "restricted industry",
        {"industry": "real_estate"},
        {},
        "restricted-industry",
        "corporate_risk",
        C,
        [],
    ),
    (
        "restricted industry in Chinese",
        {"industry": "房地产"},
        {},
        "restricted-industry",
        "corporate_risk",
        C,
        [],
    ),
    (
        "industry is case-insensitive",
        {"industry": "Coal"},
        {},
        "restricted-industry",
        "corporate_risk",
        C,
        [],
    ),
    (
        "restricted industry under another name the policy lists for it",
        {"industry": "房地产开发"},
        {},
        "restricted-industry",
        "corporate_risk",
        C,
        [],
    ),
    ("offshore borrower", {"region": "HK"}, {}, "offshore", "corporate_risk", H, []),
    ("offshore borrower by name", {"region": "香港"}, {}, "offshore", "corporate_risk", H, []),
    (
        "long fixed-asset loan",
        {"product": "fixed_asset", "term_months": 72},
        {},
        "fixed-asset-long",
        "corporate_risk",
        B,
        [],
    ),
    (
        "five-year fixed-asset loan",
        {"product": "fixed_asset", "term_months": 60},
        {},
        "sme-default",
        "sme_risk",
        B,
        [],
    ),
    ("leverage at 70% stays", {}, {"debt_to_asset": D("0.7")}, "sme-default", "sme_risk", B, []),
    (
        "leverage over 70% escalates",
        {},
        {"debt_to_asset": D("0.7001")},
        "sme-default",
        "sme_risk",
        H,
        ["high-leverage"],
    ),
    (
        "leverage and loss escalate twice",
        {},
        {"debt_to_asset": D("0.8"), "net_margin": D("-0.02")},
        "sme-default",
        "sme_risk",
        C,
        ["high-leverage", "loss-making"],
    ),
    (
        "mid corporate with leverage",
        {"amount": D("8000000")},
        {"debt_to_asset": D("0.75")},
        "corporate-mid",
        "corporate_risk",
        C,
        ["high-leverage"],
    ),
    (
        "committee cannot rise",
        {"amount": D("60000000")},
        {"debt_to_asset": D("0.9")},
        "corporate-large",
        "corporate_risk",
        C,
        [],
    ),
    (
        "illiquid working capital",
        {},
        {"current_ratio": D("0.5")},
        "sme-default",
        "sme_risk",
        H,
        ["illiquid"],
    ),
    (
        "illiquid fixed asset is fine",
        {"product": "fixed_asset"},
        {"current_ratio": D("0.5")},
        "sme-default",
        "sme_risk",
        B,
        [],
    ),
    ("break-even is not a loss", {}, {"net_margin": D("0")}, "sme-default", "sme_risk", B, []),
]


@pytest.mark.parametrize(
    ("app", "ratios", "rule", "team", "tier", "escalations"),
    [r[1:] for r in ROWS],
    ids=[r[0] for r in ROWS],
)
def test_route(
    policy: Policy,
    make_app: Callable[..., LoanApplication],
    app: dict[str, Any],
    ratios: dict[str, D],
    rule: str,
    team: str,
    tier: ApprovalTier,
    escalations: list[str],
) -> None:
    got = route(policy, make_app(**app), Ratios.model_validate(ratios))
    assert (got.rule, got.team, got.tier, got.escalations) == (rule, team, tier, escalations)
    assert got.approvals_required == (2 if tier is C else 1)
    assert got.policy_version == policy.version
    assert f"Rule {rule} fired" in got.explanation


def test_route_explains_its_inputs(
    policy: Policy, make_app: Callable[..., LoanApplication]
) -> None:
    app = make_app(amount=D("8000000.00"))
    got = route(policy, app, Ratios(debt_to_asset=D("0.7512")))
    assert got.inputs["amount"] == "8000000.00"
    assert got.inputs["debt_to_asset"] == "0.7512"
    assert got.inputs["net_margin"] == "n/a"
    assert "amount 8,000,000.00 > 5,000,000" in got.explanation
    assert "debt_to_asset 0.7512 > 0.7" in got.explanation


def test_missing_ratios_never_escalate(
    policy: Policy, make_app: Callable[..., LoanApplication]
) -> None:
    assert route(policy, make_app(), Ratios()).tier is B


def test_tier_rises_until_someone_has_the_limit(
    policy: Policy, make_app: Callable[..., LoanApplication]
) -> None:
    staff = [
        m.model_copy(update={"active": False}) if m.id == "appr-branch-1" else m
        for m in policy.staff
    ]
    narrow = policy.model_copy(update={"staff": staff})
    got = route(narrow, make_app(amount=D("4000000")), Ratios())
    assert (got.rule, got.tier, got.escalations) == ("sme-default", H, ["limit:branch"])
    assert "No branch approver has a limit of 4,000,000.00" in got.explanation


def _exposure(amount: str, *others: str) -> Exposure:
    return Exposure(credit_code="91310000MA1FL8LQ1X", amount=D(amount), others=[
        ExposureLine(workflow_id=f"loan-APP-{n}", amount=D(o), running=n == 0)
        for n, o in enumerate(others)])


def test_the_tier_is_chosen_on_the_borrowers_exposure(
    policy: Policy, make_app: Callable[..., LoanApplication]
) -> None:
    app = make_app(amount=D("12000000"))
    got = route(policy, app, Ratios(), _exposure("12000000", "50000000"))
    assert (got.rule, got.team, got.tier) == ("corporate-large", "corporate_risk", C)
    assert "exposure 62,000,000.00 > 50,000,000.00" in got.explanation
    assert got.why_tier() == (
        "tier credit_committee on exposure CNY 62,000,000.00: this 12,000,000.00 + loan-APP-0 "
        "50,000,000.00 (loan running, principal owed)")
    assert got.decided_on == D("62000000")


def test_with_no_other_exposure_the_route_is_the_amounts(
    policy: Policy, make_app: Callable[..., LoanApplication]
) -> None:
    app = make_app(amount=D("8000000"))
    alone = route(policy, app, Ratios(), _exposure("8000000"))
    assert alone.model_copy(update={"exposure": None}) == route(policy, app, Ratios())
    assert alone.decided_on is None
    assert alone.why_tier() == "tier head_office on the amount 8,000,000.00"


def test_approvers_limits_are_weighed_on_the_exposure(
    policy: Policy, make_app: Callable[..., LoanApplication]
) -> None:
    staff = [
        m.model_copy(update={"active": False}) if m.id == "appr-branch-1" else m
        for m in policy.staff
    ]
    narrow = policy.model_copy(update={"staff": staff})  # branch limits: 3,000,000 left
    got = route(narrow, make_app(amount=D("2000000")), Ratios(), _exposure("2000000", "2000000"))
    assert (got.rule, got.tier) == ("sme-default", H)
    assert "No branch approver has a limit of an exposure of 4,000,000" in got.explanation


def test_an_exposure_that_falls_keeps_the_tier_saying_why(
    policy: Policy, make_app: Callable[..., LoanApplication]
) -> None:
    app = make_app(amount=D("12000000"))
    chosen = route(policy, app, Ratios(), _exposure("12000000", "50000000"))
    fallen = reroute(chosen, route(policy, app, Ratios(), _exposure("12000000", "37876562.50")))
    assert (fallen.tier, fallen.rules_give) == (C, H)
    assert fallen.why_tier() == (
        "tier credit_committee on exposure CNY 62,000,000.00: this 12,000,000.00 + loan-APP-0 "
        "50,000,000.00 (loan running, principal owed); kept: an exposure that falls while the "
        "case is decided does not lower its tier (the rules give head_office on exposure "
        "CNY 49,876,562.50: this 12,000,000.00 + loan-APP-0 37,876,562.50 (loan running, "
        "principal owed), read last)")
    assert "62,000,000.00" in fallen.explanation  # the route's words name the figures that chose it
    assert fallen.decided_on == D("49876562.50")  # the limits: on the exposure read last
    twice = reroute(fallen, route(policy, app, Ratios(), _exposure("12000000")))
    assert twice.why_tier().startswith("tier credit_committee on exposure CNY 62,000,000.00")
    again = reroute(fallen, chosen)  # risen back: the rules give the tier again
    assert again.rules_give is None and "kept" not in again.why_tier()
    assert again.chosen_on is None and again.explanation == chosen.explanation
