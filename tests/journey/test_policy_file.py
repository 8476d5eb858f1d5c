"""The default policy file loads, and a broken one is refused with what to fix."""

from __future__ import annotations

import json
from typing import Any

import pytest

from journey.actors import Role
from journey.application import Product
from journey.policy import DEFAULT_POLICY_FILE, ApprovalTier, Policy, PolicyError, parse_policy


def _default() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DEFAULT_POLICY_FILE.read_text(encoding="utf-8"))
    return data


def test_default_policy_is_complete(policy: Policy) -> None:
    assert policy.version
    assert set(policy.checklist) == set(Product)
    for team in ("sme_risk", "corporate_risk", "project_finance_risk"):
        assert policy.supervisor_of(team) is not None, team
        assert len(policy.team_members(team, {Role.RISK_OFFICER})) >= 2, team
    assert policy.authority.tier(ApprovalTier.CREDIT_COMMITTEE).approvals_required == 2
    assert len(policy.approvers(ApprovalTier.CREDIT_COMMITTEE)) == 3
    assert policy.member("appr-branch-1") is not None
    assert policy.member("nobody") is None


def _break(path: str, value: Any) -> dict[str, Any]:
    data = _default()
    *parents, last = path.split(".")
    node: Any = data
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    if value is _DELETE:
        del node[last]
    elif isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return data


_DELETE = object()

BROKEN = [
    ("no version", "version", _DELETE, "version"),
    ("checklist lacks a product", "checklist.project_finance", _DELETE, "project_finance"),
    ("unknown document kind", "checklist.fixed_asset", ["passport"], "checklist.fixed_asset"),
    ("default rule not last", "routing.rules.7.when", {"amount_over": "1"}, "must be the default"),
    ("unknown tier", "routing.rules.0.tier", "board", "routing.rules.0.tier"),
    ("team without officers", "routing.rules.0.team", "nobody_risk", "no active risk officer"),
    (
        "committee too small",
        "authority.tiers.credit_committee.approvals_required",
        4,
        "needs 4 distinct approvers",
    ),
    ("bad duration", "sla.stages.risk_review.target", "soon", "sla.stages.risk_review.target"),
    ("bad unit", "sla.stages.risk_review.unit", "fortnight", "unit"),
    ("warning ratio above 1", "sla.stages.offer.warning_ratio", 1.5, "warning_ratio"),
    ("unknown stage", "sla.stages.lunch", {"target": "P1D"}, "sla.stages.lunch"),
    ("unknown supervisor", "staff.2.supervisor", "ghost", "'ghost'"),
    ("approver without tier", "staff.20.tier", None, "needs a 'tier'"),
    ("unknown top-level field", "colour", "blue", "colour"),
    ("no base rate for long terms", "pricing.base_rates.1.up_to_months", 120, "no up_to_months"),
    ("base rates out of order", "pricing.base_rates.0.up_to_months", None, "shortest term up"),
    ("negative base rate", "pricing.base_rates.0.rate", "-0.01", "pricing.base_rates.0.rate"),
    ("rule names an industry not listed", "routing.rules.2.when.industries", ["房地产"],
     "names industry ['房地产'], not codes of the policy's industry list"),
    ("a name under two codes", "industries.codes.construction", ["房地产"],
     "industry name '房地产' stands for both"),
    ("rule names a region not listed", "routing.rules.4.when.regions", ["Macau SAR"],
     "names region ['Macau SAR']"),
    ("negative minimum amount", "amounts.minimum.working_capital", "-500000",
     "amounts.minimum.working_capital: Input should be greater than 0"),
    ("a product without a minimum amount", "amounts.minimum.project_finance", _DELETE,
     "amounts.minimum has no entry for project_finance"),
    ("a product without a maximum term", "amounts.maximum_term_months.fixed_asset", _DELETE,
     "amounts.maximum_term_months has no entry for fixed_asset"),
    ("a maximum term no application reaches", "amounts.maximum_term_months.fixed_asset", 0,
     "amounts.maximum_term_months.fixed_asset: Input should be greater than or equal to 1"),
    ("a rate ceiling under the floor", "pricing.highest_agreed_spread", "-0.0100",
     "highest_agreed_spread -0.0100 is not above lowest_agreed_spread"),
    ("an entrusted-payment figure of nothing", "entrusted_payment.over.fixed_asset", "0",
     "entrusted_payment.over.fixed_asset: Input should be greater than 0"),
    ("an entrusted-payment field the engine does not take", "entrusted_payment.over_by", {},
     "entrusted_payment.over_by"),
    ("a negative routing threshold", "routing.rules.3.when.amount_over", "-5000000",
     "routing rule 'corporate-large' has amount_over -5000000, below 0"),
    ("a negative escalation threshold", "routing.escalations.0.when.term_months_over", -1,
     "has term_months_over -1, below 0"),
    ("staff on a team nothing routes to", "staff.6.team", "retail_risk",
     "staff 'risk-sme-1' is in team 'retail_risk', which no routing rule sends work to"),
]


@pytest.mark.parametrize(
    ("path", "value", "says"), [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN]
)
def test_broken_policy_is_refused_with_what_to_fix(path: str, value: Any, says: str) -> None:
    text = json.dumps(_break(path, value), ensure_ascii=False)
    with pytest.raises(PolicyError, match="fix") as exc:
        parse_policy(text)
    assert says in str(exc.value)


def test_operations_and_the_approval_tiers_are_teams_work_waits_on() -> None:
    """An entrusted payout waits on operations, an approval on its tier: teams no routing
    rule names, whose staff are on work lists all the same."""
    data = _default()
    data["staff"][0]["team"] = "operations"
    data["staff"][14]["team"] = "branch"
    assert parse_policy(json.dumps(data, ensure_ascii=False)).member("ops-wang") is not None


def test_a_journey_pinned_before_the_file_rules_still_reads_its_policy(policy: Policy) -> None:
    """The file rules are the file's, not the model's: a policy pinned in a history with staff
    on a team no rule routes to comes back as it was when the journey replays."""
    staff = [m.model_copy(update={"team": "retail_risk"}) if m.id == "audit-1" else m
             for m in policy.staff]
    pinned = policy.model_copy(update={"staff": staff}).model_dump_json()
    assert Policy.model_validate_json(pinned).member("audit-1").team == "retail_risk"  # type: ignore[union-attr]
    with pytest.raises(PolicyError, match="'audit-1' is in team 'retail_risk'"):
        parse_policy(pinned)


def test_team_without_supervisor_is_refused() -> None:
    data = _default()
    data["staff"] = [m for m in data["staff"] if m["id"] != "sup-pf"]
    for m in data["staff"]:
        if m.get("supervisor") == "sup-pf":
            m["supervisor"] = None
    with pytest.raises(PolicyError, match="'project_finance_risk'.*no active supervisor"):
        parse_policy(json.dumps(data))


def test_duplicate_staff_id_is_refused() -> None:
    data = _default()
    data["staff"].append(dict(data["staff"][0]))
    with pytest.raises(PolicyError, match="repeated"):
        parse_policy(json.dumps(data))


def test_not_json_is_refused() -> None:
    with pytest.raises(PolicyError):
        parse_policy("{not json")
    assert issubclass(PolicyError, ValueError)


def test_policy_survives_a_json_round_trip(policy: Policy) -> None:
    """The workflow pins the policy in its history as JSON: it must come back equal."""
    again = parse_policy(policy.model_dump_json())
    assert again == policy
    assert again.sla == policy.sla
