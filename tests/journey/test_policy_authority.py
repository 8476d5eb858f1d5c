"""Authority boundaries: roles, teams, assignment, limits, committees, four eyes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from journey.actors import Actor, Role
from journey.decisions import Verdict
from journey.exposure import Exposure, ExposureLine
from journey.policy import (
    ApprovalTier,
    DecisionRefused,
    Policy,
    Route,
    authorize_approval,
    authorize_reassign,
    authorize_risk_opinion,
    authorize_staff,
)
from journey.policy.authority import (
    approval_settled,
    authorize_cancellation,
    authorize_customer_side,
    authorize_customer_voice,
    require_customer,
    short_of_voters,
)
from journey.policy.staff import StaffMember

D = Decimal
R = Role


def _route(team: str = "sme_risk", tier: ApprovalTier = ApprovalTier.BRANCH) -> Route:
    required = 2 if tier is ApprovalTier.CREDIT_COMMITTEE else 1
    return Route(
        team=team,
        tier=tier,
        approvals_required=required,
        rule="test",
        explanation="test",
        inputs={},
        policy_version="test",
    )


# (id, actor, role, team, submitted_by, assigned_to, refusal or None)
OPINIONS = [
    ("officer of the team", "risk-sme-1", R.RISK_OFFICER, "sme_risk", "rm-chen", None, None),
    ("assigned officer", "risk-sme-2", R.RISK_OFFICER, "sme_risk", "rm-chen", "risk-sme-2", None),
    (
        "supervisor overrides assignment",
        "sup-sme",
        R.SUPERVISOR,
        "sme_risk",
        "rm-chen",
        "risk-sme-2",
        None,
    ),
    (
        "other officer of an assigned case",
        "risk-sme-1",
        R.RISK_OFFICER,
        "sme_risk",
        "rm-chen",
        "risk-sme-2",
        "assigned to 'risk-sme-2'",
    ),
    (
        "officer of another team",
        "risk-corp-1",
        R.RISK_OFFICER,
        "sme_risk",
        "rm-chen",
        None,
        "routed to 'sme_risk'",
    ),
    (
        "supervisor of another team",
        "sup-corp",
        R.SUPERVISOR,
        "sme_risk",
        "rm-chen",
        None,
        "routed to 'sme_risk'",
    ),
    (
        "unknown actor",
        "mallory",
        R.RISK_OFFICER,
        "sme_risk",
        "rm-chen",
        None,
        "not in the staff directory",
    ),
    (
        "claims another role",
        "risk-sme-1",
        R.SUPERVISOR,
        "sme_risk",
        "rm-chen",
        None,
        "directory lists them as risk_officer",
    ),
    (
        "approver cannot review",
        "appr-branch-1",
        R.APPROVER,
        "sme_risk",
        "rm-chen",
        None,
        "needs one of",
    ),
    (
        "relationship manager cannot review",
        "rm-chen",
        R.RELATIONSHIP_MANAGER,
        "sme_risk",
        "rm-zhang",
        None,
        "needs one of",
    ),
    (
        "reviewer submitted it",
        "risk-sme-1",
        R.RISK_OFFICER,
        "sme_risk",
        "risk-sme-1",
        None,
        "four eyes",
    ),
]


@pytest.mark.parametrize(
    ("actor", "role", "team", "submitted", "assigned", "refusal"),
    [o[1:] for o in OPINIONS],
    ids=[o[0] for o in OPINIONS],
)
def test_risk_opinion(
    policy: Policy,
    actor: str,
    role: Role,
    team: str,
    submitted: str,
    assigned: str | None,
    refusal: str | None,
) -> None:
    call = lambda: authorize_risk_opinion(  # noqa: E731
        policy, _route(team), Actor(id=actor, role=role), submitted, assigned
    )
    if refusal is None:
        assert call().id == actor
    else:
        with pytest.raises(DecisionRefused, match=refusal):
            call()


B, H, C = ApprovalTier.BRANCH, ApprovalTier.HEAD_OFFICE, ApprovalTier.CREDIT_COMMITTEE
# (id, approver, tier, amount, reviewed_by, votes, refusal or None); submitted by rm-chen
APPROVALS = [
    ("branch at its limit", "appr-branch-1", B, D("5000000"), "risk-sme-1", [], None),
    (
        "branch a cent over",
        "appr-branch-1",
        B,
        D("5000000.01"),
        "risk-sme-1",
        [],
        "limit of 5,000,000",
    ),
    ("smaller branch limit", "appr-branch-2", B, D("4000000"), "risk-sme-1", [], "higher limit"),
    ("head office at 50m", "appr-ho-1", H, D("50000000"), "risk-corp-1", [], None),
    ("head office 30m limit", "appr-ho-2", H, D("30000001"), "risk-corp-1", [], "higher limit"),
    ("head office on a branch case", "appr-ho-1", B, D("100000"), "risk-sme-1", [], "needs branch"),
    (
        "branch on a head-office case",
        "appr-branch-1",
        H,
        D("100000"),
        "risk-sme-1",
        [],
        "needs head_office",
    ),
    ("committee has no limit", "cc-1", C, D("900000000"), "risk-corp-1", [], None),
    ("second committee vote", "cc-2", C, D("900000000"), "risk-corp-1", ["cc-1"], None),
    (
        "same member votes twice",
        "cc-1",
        C,
        D("900000000"),
        "risk-corp-1",
        ["cc-1"],
        "already voted",
    ),
    ("committee member on a branch case", "cc-1", B, D("100"), "risk-sme-1", [], "needs branch"),
    ("approver wrote the risk opinion", "cc-3", C, D("900000000"), "cc-3", [], "four eyes"),
    ("approver submitted it", "rm-chen", B, D("100"), "risk-sme-1", [], "needs one of"),
    ("risk officer cannot approve", "risk-sme-1", B, D("100"), None, [], "needs one of"),
    ("unknown approver", "eve", B, D("100"), None, [], "not in the staff directory"),
]


@pytest.mark.parametrize(
    ("actor", "tier", "amount", "reviewed", "votes", "refusal"),
    [a[1:] for a in APPROVALS],
    ids=[a[0] for a in APPROVALS],
)
def test_approval(
    policy: Policy,
    actor: str,
    tier: ApprovalTier,
    amount: D,
    reviewed: str | None,
    votes: list[str],
    refusal: str | None,
) -> None:
    member = policy.member(actor)
    role = member.role if member else R.APPROVER
    call = lambda: authorize_approval(  # noqa: E731
        policy, _route(tier=tier), Actor(id=actor, role=role), amount, "rm-chen", reviewed, votes
    )
    if refusal is None:
        assert call().id == actor
    else:
        with pytest.raises(DecisionRefused, match=refusal):
            call()


def test_approver_who_submitted_is_refused(policy: Policy) -> None:
    with pytest.raises(DecisionRefused, match="submitted this application"):
        authorize_approval(
            policy,
            _route(),
            Actor(id="appr-branch-1", role=R.APPROVER),
            D("100"),
            "appr-branch-1",
            None,
            [],
        )


def test_senior_tiers_may_approve_when_policy_says_so(policy: Policy) -> None:
    relaxed = policy.model_copy(
        update={"authority": policy.authority.model_copy(update={"senior_tiers_may_approve": True})}
    )
    ho = Actor(id="appr-ho-1", role=R.APPROVER)
    assert (
        authorize_approval(relaxed, _route(), ho, D("100"), "rm-chen", None, []).id == "appr-ho-1"
    )
    with pytest.raises(DecisionRefused, match="needs head_office"):
        authorize_approval(
            relaxed,
            _route(tier=H),
            Actor(id="appr-branch-1", role=R.APPROVER),
            D("100"),
            "rm-chen",
            None,
            [],
        )


# (id, actor, role, to, refusal or None); case routed to sme_risk
REASSIGN = [
    ("supervisor to officer", "sup-sme", R.SUPERVISOR, "risk-sme-2", None),
    ("operations to officer", "ops-wang", R.OPERATIONS, "risk-sme-1", None),
    ("to the supervisor", "ops-li", R.OPERATIONS, "sup-sme", None),
    ("other team's supervisor", "sup-corp", R.SUPERVISOR, "risk-sme-2", "ask the sme_risk"),
    ("officer cannot reassign", "risk-sme-1", R.RISK_OFFICER, "risk-sme-2", "needs one of"),
    ("target in another team", "sup-sme", R.SUPERVISOR, "risk-corp-1", "reassign to someone"),
    ("target is an approver", "sup-sme", R.SUPERVISOR, "appr-branch-1", "reassign to someone"),
    ("unknown target", "sup-sme", R.SUPERVISOR, "ghost", "not an active member"),
]


@pytest.mark.parametrize(
    ("actor", "role", "to", "refusal"), [r[1:] for r in REASSIGN], ids=[r[0] for r in REASSIGN]
)
def test_reassign(policy: Policy, actor: str, role: Role, to: str, refusal: str | None) -> None:
    call = lambda: authorize_reassign(policy, _route(), Actor(id=actor, role=role), to)  # noqa: E731
    if refusal is None:
        assert call().id == to
    else:
        with pytest.raises(DecisionRefused, match=refusal):
            call()


def test_authorize_staff(policy: Policy) -> None:
    assert authorize_staff(policy, Actor(id="audit-1", role=R.AUDITOR), {R.AUDITOR}).id == "audit-1"
    with pytest.raises(DecisionRefused, match="needs one of: operations"):
        authorize_staff(policy, Actor(id="audit-1", role=R.AUDITOR), {R.OPERATIONS})
    gone = policy.model_copy(
        update={"staff": [m.model_copy(update={"active": False}) for m in policy.staff]}
    )
    with pytest.raises(DecisionRefused, match="no longer active in policy .*: no active "
                       "operations is left in the staff directory"):
        authorize_staff(gone, Actor(id="ops-wang", role=R.OPERATIONS), {R.OPERATIONS})
    assert issubclass(DecisionRefused, ValueError)


def test_an_inactive_approver_is_told_who_may_vote_at_the_tier_now(policy: Policy) -> None:
    """Not "ask a supervisor", who may not vote: the tier's active approvers."""
    staff = [m.model_copy(update={"active": False}) if m.id == "appr-ho-2" else m
             for m in policy.staff]
    left = policy.model_copy(update={"staff": staff})
    with pytest.raises(DecisionRefused) as refused:
        authorize_approval(left, _route(tier=ApprovalTier.HEAD_OFFICE),
                           Actor(id="appr-ho-2", role=R.APPROVER), Decimal(8_000_000),
                           "ops-li", "risk-sme-1", [])
    assert str(refused.value) == (f"'appr-ho-2' is no longer active in policy {policy.version}: "
                                  "ask an active head_office approver: appr-ho-1")


def test_a_case_is_settled_when_the_votes_decide_it() -> None:
    yes, no, info = Verdict.APPROVE, Verdict.REJECT, Verdict.REQUEST_INFO
    assert approval_settled([no], needed=1, voters=3)  # one approver decides alone
    assert approval_settled([yes], needed=1, voters=3)
    assert not approval_settled([yes, no], needed=2, voters=3)  # the third can still approve
    assert approval_settled([no, no], needed=2, voters=3)
    assert approval_settled([no], needed=2, voters=2)  # two of two: one against decides
    assert approval_settled([info], needed=2, voters=3)
    assert not approval_settled([], needed=1, voters=1)
    # fewer eligible than N: only a vote against decides, never no vote or an approval
    assert not approval_settled([], needed=2, voters=1)
    assert not approval_settled([yes], needed=2, voters=1)
    assert approval_settled([no], needed=2, voters=1)


def test_fewer_eligible_than_needed_says_what_to_do() -> None:
    one = [StaffMember(id="cc-1", name="罗建国", role=Role.APPROVER,
                       tier=ApprovalTier.CREDIT_COMMITTEE, limit=D(100_000_000))]
    assert short_of_voters(1, one) == ""
    assert short_of_voters(2, one).startswith(
        "only 1 approver(s) may approve and 2 approvals are needed: ask operations to raise")


CUSTOMER = "91110000MA01C3D5X0"
# who cancels a signed loan's commitment: (actor, role, refusal or None)
CANCELLATIONS = [
    (CUSTOMER, R.CUSTOMER, None),
    ("sup-pf", R.SUPERVISOR, None),
    ("91440300HNAG2PQU4A", R.CUSTOMER, "91440300HNAG2PQU4A is not this loan's borrower: "),
    ("ACME", R.CUSTOMER, "only the borrowing customer can do this"),  # no credit code
    ("rm-zhang", R.RELATIONSHIP_MANAGER, "this needs one of: supervisor"),
    ("ops-li", R.OPERATIONS, "this needs one of: supervisor"),
    ("sup-sme", R.SUPERVISOR, "'sup-sme' supervises 'sme_risk'"),
    ("risk-pf-1", R.RISK_OFFICER, "this needs one of: supervisor"),
]


@pytest.mark.parametrize(("actor", "role", "refusal"), CANCELLATIONS)
def test_a_signed_commitment_is_cancelled_by_the_customer_or_the_teams_supervisor(
    policy: Policy, actor: str, role: Role, refusal: str | None
) -> None:
    def cancel() -> None:
        authorize_cancellation(policy, Actor(id=actor, role=role), CUSTOMER,
                               "project_finance_risk")

    if refusal is None:
        cancel()
        return
    with pytest.raises(DecisionRefused) as err:
        cancel()
    assert refusal in str(err.value)
    if role is not R.CUSTOMER:
        assert str(err.value).startswith("the loan is signed: its commitment is cancelled on "
                                         "the customer's instruction")


def test_an_approvers_limit_is_on_the_borrowers_exposure_when_routing_weighed_it(
    policy: Policy,
) -> None:
    within = Actor(id="appr-branch-1", role=R.APPROVER)  # a limit of 5,000,000
    exposure = Exposure(credit_code="91310000MA1FL8LQ1X", amount=D("3000000"),
                        others=[ExposureLine(workflow_id="loan-APP-1", amount=D("3000000"))])
    weighed = _route().model_copy(update={"exposure": exposure})
    with pytest.raises(DecisionRefused, match="below the borrower's exposure 6,000,000"):
        authorize_approval(policy, weighed, within, D("3000000"), "rm-chen", None, [])
    alone = _route().model_copy(update={"exposure": exposure.model_copy(update={"others": []})})
    assert authorize_approval(policy, alone, within, D("3000000"), "rm-chen", None, []) is not None


def test_a_customer_side_refusal_names_front_office_acting_for_the_customer(
    policy: Policy,
) -> None:
    """Staff typing an act of the customer's side with the default role (customer) are told
    the role they act in, not only that the customer alone may."""
    with pytest.raises(DecisionRefused) as err:
        authorize_customer_side(policy, Actor(id="ops-wang", role=R.CUSTOMER), CUSTOMER)
    assert "only the borrowing customer can do this" in str(err.value)
    assert "your staff id with role relationship_manager or operations" in str(err.value)
    authorize_customer_side(policy, Actor(id="rm-zhang", role=R.RELATIONSHIP_MANAGER), CUSTOMER)


def test_another_companys_credit_code_is_told_it_is_not_the_borrower() -> None:
    """A customer acting under a valid credit code that is not the borrower's is told so;
    an id that is no credit code is told how the borrower acts."""
    with pytest.raises(DecisionRefused) as err:
        require_customer(Actor(id="91310000MA1FL8LQ1X", role=R.CUSTOMER), CUSTOMER)
    assert str(err.value).startswith("91310000MA1FL8LQ1X is not this loan's borrower: the "
                                     "borrowing customer acts under its own")
    assert CUSTOMER not in str(err.value)  # the borrower's code is not told to another
    with pytest.raises(DecisionRefused, match="act as role customer with the company's"):
        require_customer(Actor(id="91310000MA1FL8LQ1Y", role=R.CUSTOMER), CUSTOMER)  # checksum
    require_customer(Actor(id=CUSTOMER, role=R.CUSTOMER), CUSTOMER)


@pytest.mark.parametrize(("actor", "role", "manager", "refusal"), [
    (CUSTOMER, R.CUSTOMER, "rm-chen", None),
    ("rm-chen", R.RELATIONSHIP_MANAGER, "rm-chen", None),
    ("rm-zhang", R.RELATIONSHIP_MANAGER, "rm-chen", "this case has its relationship manager "
                                                    "'rm-chen': only the customer, or"),
    ("rm-chen", R.RELATIONSHIP_MANAGER, None, "this case has no relationship manager"),
    ("ops-li", R.OPERATIONS, "rm-chen", "this needs one of: relationship_manager"),
])
def test_a_written_answer_is_the_customers_or_its_own_managers(
    policy: Policy, actor: str, role: Role, manager: str | None, refusal: str | None
) -> None:
    def answer() -> None:
        authorize_customer_voice(policy, Actor(id=actor, role=role), CUSTOMER, manager,
                                 "a written answer")

    if refusal is None:
        answer()
        return
    with pytest.raises(DecisionRefused) as err:
        answer()
    assert refusal in str(err.value)
