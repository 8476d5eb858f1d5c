"""Who may give a CSAT or NPS score: the customer, or the case's own relationship manager
recording what the customer said through a channel where staff hear it; nobody else."""

from __future__ import annotations

import pytest

from journey.actors import Actor, Role
from journey.application import Channel
from journey.policy import DecisionRefused, Policy
from journey.policy.authority import authorize_customer_score, case_manager
from tests.journey.conftest import CREDIT_CODE

C = Channel
CASE_RM = "rm-chen"


@pytest.mark.parametrize(
    ("actor", "role", "channel", "refusal"),
    [
        (CREDIT_CODE, Role.CUSTOMER, C.WEB, None),
        (CREDIT_CODE, Role.CUSTOMER, C.PHONE, None),
        ("91310000MA1FL4QX2B", Role.CUSTOMER, C.APP, "only the borrowing customer"),
        (CASE_RM, Role.RELATIONSHIP_MANAGER, C.PHONE, None),
        (CASE_RM, Role.RELATIONSHIP_MANAGER, C.BRANCH, None),
        (CASE_RM, Role.RELATIONSHIP_MANAGER, C.RELATIONSHIP_MANAGER, None),
        # staff do not type a score into the customer's own digital channels
        (CASE_RM, Role.RELATIONSHIP_MANAGER, C.WEB, "recorded for the customer is what it said"),
        (CASE_RM, Role.RELATIONSHIP_MANAGER, C.API, "recorded for the customer is what it said"),
        # another manager's or an operations officer's score is their own opinion
        ("rm-zhang", Role.RELATIONSHIP_MANAGER, C.PHONE, "relationship manager 'rm-chen'"),
        ("ops-wang", Role.OPERATIONS, C.PHONE, "needs one of: relationship_manager"),
        ("risk-sme-1", Role.RISK_OFFICER, C.BRANCH, "needs one of: relationship_manager"),
        ("rm-chen", Role.OPERATIONS, C.PHONE, "act in your own role"),
        ("nobody", Role.RELATIONSHIP_MANAGER, C.PHONE, "not in the staff directory"),
    ],
)
def test_who_may_give_the_customers_score(
    policy: Policy, actor: str, role: Role, channel: Channel, refusal: str | None
) -> None:
    who = Actor(id=actor, role=role)
    if refusal is None:
        authorize_customer_score(policy, who, channel, CREDIT_CODE, CASE_RM)
    else:
        with pytest.raises(DecisionRefused, match=refusal):
            authorize_customer_score(policy, who, channel, CREDIT_CODE, CASE_RM)


def test_a_case_opened_by_operations_has_no_manager_to_record_scores(policy: Policy) -> None:
    assert case_manager(Actor(id="ops-li", role=Role.OPERATIONS)) is None
    assert case_manager(Actor(id="rm-chen", role=Role.RELATIONSHIP_MANAGER)) == "rm-chen"
    with pytest.raises(DecisionRefused, match="this case has no relationship manager"):
        authorize_customer_score(policy, Actor(id="rm-chen", role=Role.RELATIONSHIP_MANAGER),
                                 C.PHONE, CREDIT_CODE, None)
