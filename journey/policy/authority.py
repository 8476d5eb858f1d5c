"""Who may record which decision: roles, teams, limits, committees and four eyes.

Each function returns the acting staff member or raises `DecisionRefused` with a message
that says who may act instead. Temporal update validators call them, so a refusal never
reaches the history.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from journey import credit_code
from journey.actors import Actor, Role
from journey.application import Channel
from journey.decisions import ApprovalDecision, Verdict
from journey.policy.errors import DecisionRefused
from journey.policy.routing import ApprovalTier, Route
from journey.policy.staff import StaffMember
from journey.policy.stand_ins import no_longer_active, payee_checkers, reading_checkers
from journey.repayment import money

if TYPE_CHECKING:
    from journey.policy.models import Policy


class TierAuthority(BaseModel):
    approvals_required: int = Field(default=1, ge=1)  # N distinct approvers
    committee: bool = False  # a committee votes: members have no individual limit


class AuthorityPolicy(BaseModel):
    tiers: dict[ApprovalTier, TierAuthority] = Field(
        default_factory=lambda: {
            ApprovalTier.BRANCH: TierAuthority(),
            ApprovalTier.HEAD_OFFICE: TierAuthority(),
            ApprovalTier.CREDIT_COMMITTEE: TierAuthority(approvals_required=2, committee=True),
        }
    )
    senior_tiers_may_approve: bool = False  # may a head-office approver decide a branch case?

    def tier(self, tier: ApprovalTier) -> TierAuthority:
        return self.tiers.get(tier) or TierAuthority()

    def covers(self, staff: list[StaffMember], tier: ApprovalTier, amount: Decimal) -> bool:
        """Whether someone at `tier` may approve `amount` (a committee always may)."""
        if self.tier(tier).committee or tier is ApprovalTier.CREDIT_COMMITTEE:
            return True
        return any(
            m.role is Role.APPROVER and m.tier is tier and m.active and (m.limit or 0) >= amount
            for m in staff
        )


# the roles of a risk team: a case's opinion, its reassignment, an early warning on its queue
_TEAM_ROLES = {Role.RISK_OFFICER, Role.SUPERVISOR}


def authorize_staff(policy: Policy, actor: Actor, roles: set[Role], team: str | None = None,
                    needs: str = "", may: list[StaffMember] | None = None) -> StaffMember:
    """The directory entry for `actor`, if it exists, is active and has one of `roles`. A
    member whose role cannot act is told which roles can and who holds them: `may`, who may
    act on the case, when the caller knows, else `holders` (of the case's risk team `team`,
    when given); `needs` says the rule in words instead of "this needs one of: <roles>"."""
    member = policy.member(actor.id)
    if member is None:
        raise DecisionRefused(
            f"{actor.id!r} is not in the staff directory of policy {policy.version}: "
            "act under your own staff id, or ask operations to add you to the policy"
        )
    if not member.active:
        raise DecisionRefused(no_longer_active(policy, actor.id))
    if member.role not in roles:
        needs = needs or f"this needs one of: {', '.join(sorted(roles))}"
        who = holders(policy, roles, team) if may is None else named(policy, may)
        raise DecisionRefused(f"{actor.id!r} is {member.role}; {needs} ({who})")
    if actor.role != member.role:
        raise DecisionRefused(
            f"{actor.id!r} acted as {actor.role} but the directory lists them as "
            f"{member.role}: act in your own role (--role {member.role}, or leave --role out)"
        )
    return member


def holders(policy: Policy, roles: set[Role], team: str | None = None) -> str:
    """Who holds `roles` in `policy`'s staff directory, active: a risk team's roles (risk
    officer, supervisor) of `team` only, when given, and its members first."""
    held = [m for m in policy.staff if m.active and m.role in roles
            and (team is None or m.role not in _TEAM_ROLES or m.team == team)]
    return named(policy, sorted(held, key=lambda m: team is not None and m.team != team),
                 len(roles) > 1)


def named(policy: Policy, members: list[StaffMember], roles: bool = False,
          lead: str = "ask ") -> str:
    """`members`, who may act, as a refusal names them after `lead` (each with their role
    when `roles`), or that none may and what to do."""
    if not members:
        return (f"none is active in policy {policy.version}: ask operations to add one to "
                "the policy")
    return lead + ", ".join(f"{m.id} ({m.role})" if roles else m.id for m in members)


def authorize_receipt(policy: Policy, actor: Actor) -> StaffMember:
    """Only operations record money received on a loan (a repayment, a prepayment, an early
    settlement, a project's interest): they see it arrive on the bank's books. Nobody else,
    the borrower least of all, may say it has; no process of the bank records receipts on
    its own, so no system actor may either."""
    if actor.role is Role.CUSTOMER:
        raise DecisionRefused(
            f"{actor.id!r} is the customer: operations record receipts once the money has "
            "arrived at the bank; pay by the reference on your notice and operations record it"
        )
    return authorize_staff(policy, actor, {Role.OPERATIONS}, needs=(
        "only operations record money received: a repayment, a prepayment, a settlement, a "
        "project's interest"))


def authorize_reading_correction(policy: Policy, actor: Actor, submitted_by: str
                                 ) -> StaffMember:
    """Only operations, the clerks who hold the paper, correct what OCR read of a document:
    not the customer, whose papers they are, nor a decider, who decides on the reading, nor
    the clerk who submitted the case, who would set the figures it is decided on (four eyes)."""
    if actor.role is Role.CUSTOMER:
        raise DecisionRefused(
            f"{actor.id!r} is the customer: the bank's operations check a reading against "
            "the paper; if a document says something else, send it again")
    member = authorize_staff(policy, actor, {Role.OPERATIONS})
    others = [m.id for m in reading_checkers(policy, submitted_by)]
    if actor.id not in others:  # the submitter: the one operations clerk it leaves out
        raise DecisionRefused(
            f"{actor.id!r} submitted this application and may not correct the readings it is "
            "decided on (four eyes): another operations clerk checks them against the paper ("
            + (", ".join(others) or "none other in the staff directory: ask a supervisor to "
               "add one") + ")")
    return member



def authorize_payment_instruction(policy: Policy, actor: Actor,
                                  submitted_by: str) -> StaffMember:
    """Only operations enter an entrusted payout's instruction (受托支付): they check the
    commercial contracts and pay the counterparties from the bank's books. The borrower, whom
    the rule keeps away from the money, may not say where it goes; nor may `submitted_by`,
    who submitted the case (four eyes)."""
    if actor.role is Role.CUSTOMER:
        raise DecisionRefused(
            f"{actor.id!r} is the customer: under entrusted payment the bank pays your "
            "counterparties itself; give operations the commercial contracts and they record "
            "the payment instruction"
        )
    others = reading_checkers(policy, submitted_by)  # operations, not the submitter
    member = authorize_staff(policy, actor, {Role.OPERATIONS}, may=others)
    _not_the_submitter(actor, submitted_by, "enter", others)
    return member


class CheckedWords(BaseModel):
    """How a maker-checker refusal names what is checked (`what`: "payment instruction",
    "refund"), what its checker does with it (`checks`), and what its maker may do until it
    is confirmed (`until`)."""

    what: str
    checks: str
    until: str


PAYEE_WORDS = CheckedWords(what="payment instruction",
                           checks="checks it against the contracts and confirms it",
                           until="you may replace it with `pay-to` until then")


def authorize_payment_confirmation(policy: Policy, actor: Actor, maker: str,
                                   submitted_by: str) -> StaffMember:
    """The checker of an entrusted payout's instruction: a second operations person, neither
    `maker`, who entered it, nor `submitted_by`, who submitted the case (maker-checker)."""
    return authorize_checker(policy, actor, maker, submitted_by, PAYEE_WORDS)


def authorize_checker(policy: Policy, actor: Actor, maker: str, submitted_by: str,
                      words: CheckedWords) -> StaffMember:
    """The bank's four-eyes rule for money it pays out (an entrusted payout's instruction, a
    refund or a return to a payer): the checker is a second operations person of the staff
    directory, active, neither `maker`, who entered it, nor `submitted_by`, who submitted the
    case; `words` name what is checked in the refusal."""
    checkers = payee_checkers(policy, maker, submitted_by)
    member = authorize_staff(policy, actor, {Role.OPERATIONS}, may=checkers)
    if member in checkers:
        return member
    if actor.id == maker:
        raise DecisionRefused(
            f"{actor.id!r} entered this {words.what} and cannot confirm it (four eyes): a "
            f"second operations person {words.checks} ({named(policy, checkers)}); "
            f"{words.until}"
        )
    _not_the_submitter(actor, submitted_by, "confirm", checkers, words.what)
    raise AssertionError("payee_checkers excludes only the maker and the submitter")


def authorize_booking_again(policy: Policy, actor: Actor, submitted_by: str) -> None:
    """Either pair of eyes on a held payout booked again under a new key, which pays the money
    out again: not `submitted_by`, who submitted the case (four eyes, as for an entrusted
    payout's instruction)."""
    _not_the_submitter(actor, submitted_by, "book", reading_checkers(policy, submitted_by),
                       "payout again", steps="ask for it and confirm it")


def _not_the_submitter(actor: Actor, submitted_by: str, what: str,
                       others: list[StaffMember], thing: str = "payment instruction",
                       steps: str = "enter it and confirm it") -> None:
    if actor.id == submitted_by:
        raise DecisionRefused(
            f"{actor.id!r} submitted this application and cannot {what} its {thing} "
            f"(four eyes): two other operations people {steps} "
            f"({', '.join(m.id for m in others) or 'none other is active in the policy'})"
        )


# who acts for a customer: submits the application, sends documents, records inquiries
FRONT_OFFICE = {Role.RELATIONSHIP_MANAGER, Role.OPERATIONS}
# who may pause, resume, run or delete a loan's post-loan reviews
SCHEDULING_ROLES = {Role.OPERATIONS, Role.RISK_OFFICER, Role.SUPERVISOR}
# who may record a published LPR fixing, which floating-rate loans are repriced to
LPR_ROLES = {Role.OPERATIONS, Role.SUPERVISOR}


ONLY_THE_CUSTOMER = ("only the borrowing customer can do this: act as role customer with the "
                     "company's unified social credit code as id")
FRONT_OFFICE_INSTEAD = ("front office acting for the customer: your staff id with role "
                        "relationship_manager or operations")


def require_customer(actor: Actor, customer: str) -> None:
    """`actor` is the borrowing customer, whose id is its credit code `customer`: refused
    without naming the borrower's code, which a customer who is not it may not learn."""
    if actor.role is Role.CUSTOMER and actor.id != customer and credit_code.is_valid(actor.id):
        raise DecisionRefused(
            f"{actor.id} is not this loan's borrower: the borrowing customer acts under its "
            "own unified social credit code"
        )
    if actor.role is not Role.CUSTOMER or actor.id != customer:
        raise DecisionRefused(ONLY_THE_CUSTOMER)


def authorize_customer_side(policy: Policy, actor: Actor, customer: str) -> None:
    """The customer `customer` itself, or front office staff acting for it."""
    if actor.role is Role.CUSTOMER:
        try:
            require_customer(actor, customer)
        except DecisionRefused as refused:
            raise DecisionRefused(f"{refused}; {FRONT_OFFICE_INSTEAD}") from None
    else:
        authorize_staff_for_customer(policy, actor)


def authorize_case_front_office(policy: Policy, actor: Actor, customer: str,
                                manager: str | None, what: str) -> None:
    """`authorize_customer_side`, and a relationship manager only on the case that is
    their own, `manager`'s (another manager's word for the customer would be their own, as
    `authorize_customer_voice` refuses it): operations act for any customer."""
    authorize_customer_side(policy, actor, customer)
    if actor.role is Role.RELATIONSHIP_MANAGER and actor.id != manager:
        whose = (f"this is relationship manager {manager!r}'s case: only they, the customer "
                 "or operations may" if manager else
                 "this case has no relationship manager: only the customer or operations may")
        raise DecisionRefused(f"{actor.id!r} may not {what} for the customer: {whose}")


def authorize_amendment(policy: Policy, actor: Actor, manager: str | None) -> StaffMember:
    """An application's amount or term is amended by the bank for the customer who asked: its
    own relationship manager (`manager`) or operations, never the customer itself, whose word
    the bank takes and records (another manager's case is theirs, as `authorize_case_front_
    office` says)."""
    if actor.role is Role.CUSTOMER:
        raise DecisionRefused(
            "a customer does not amend its application itself: ask its relationship manager "
            "or operations, who record the change and why")
    member = authorize_staff(policy, actor, FRONT_OFFICE)
    if actor.role is Role.RELATIONSHIP_MANAGER and actor.id != manager:
        whose = (f"this is relationship manager {manager!r}'s case: only they or operations "
                 "may" if manager else
                 "this case has no relationship manager: only operations may")
        raise DecisionRefused(f"{actor.id!r} may not amend the application: {whose}")
    return member


def staff_as_customer(policy: Policy, actor: Actor) -> bool:
    """Whether `actor` acts as the customer under an id of the staff directory: whoever the
    borrower is, it is not a member of the bank's staff."""
    return actor.role is Role.CUSTOMER and policy.member(actor.id) is not None


def authorize_staff_for_customer(policy: Policy, actor: Actor) -> None:
    """The part of `authorize_customer_side` that needs no journey: staff acting for a
    customer are front office of the staff directory, in their own role, not as the customer
    (`staff_as_customer`, refused as the journey refuses them); another customer is checked
    against the journey's borrower, which only the journey knows."""
    if staff_as_customer(policy, actor):
        raise DecisionRefused(f"{ONLY_THE_CUSTOMER}; {FRONT_OFFICE_INSTEAD}")
    if actor.role is not Role.CUSTOMER:
        authorize_staff(policy, actor, FRONT_OFFICE)


# where front office staff hear what the customer says, and may record its score for it
HEARD_CHANNELS = {Channel.BRANCH, Channel.PHONE, Channel.RELATIONSHIP_MANAGER}


def case_manager(submitted_by: Actor) -> str | None:
    """The case's own relationship manager: who submitted the application, if a manager."""
    return submitted_by.id if submitted_by.role is Role.RELATIONSHIP_MANAGER else None


def authorize_customer_score(policy: Policy, actor: Actor, channel: Channel, customer: str,
                             manager: str | None) -> None:
    """A CSAT or NPS score (a complaint's too) is the customer `customer`'s own: given by
    it, or recorded for it by `manager`, the case's own relationship manager, from what the
    customer said at the branch, on the phone or in person. The policy's staff directory
    names no other front office team that speaks for a customer: an operations officer's or
    another manager's score would be their own opinion."""
    authorize_customer_voice(policy, actor, customer, manager, "a score")
    if actor.role is not Role.CUSTOMER and channel not in HEARD_CHANNELS:
        heard = ", ".join(sorted(HEARD_CHANNELS))
        raise DecisionRefused(
            f"{actor.id!r} records the customer's score through {channel}: a score recorded "
            f"for the customer is what it said through one of: {heard}; the customer gives "
            f"its own through {channel}"
        )


def authorize_customer_voice(policy: Policy, actor: Actor, customer: str,
                             manager: str | None, what: str) -> None:
    """`what` (a score, a written answer to a decider's question) is the customer
    `customer`'s own word: given by it, or typed for it by `manager`, the case's own
    relationship manager, who heard it; anyone else's would be their own."""
    if actor.role is Role.CUSTOMER:
        require_customer(actor, customer)
        return
    authorize_customer_voice_typist(policy, actor)
    if actor.id != manager:
        whose = f"its relationship manager {manager!r}" if manager else "no relationship manager"
        raise DecisionRefused(
            f"{what} is the customer's own and this case has {whose}: only the customer, or "
            f"the case's relationship manager recording what the customer said, may give one"
        )


def authorize_customer_voice_typist(policy: Policy, actor: Actor) -> None:
    """The part of `authorize_customer_voice` that needs no journey: staff typing the
    customer's own word are relationship managers of the staff directory, in their own role,
    not as the customer (`staff_as_customer`, refused as the journey refuses them); whether
    the case's own, and the customer's id, only the journey knows."""
    if staff_as_customer(policy, actor):
        raise DecisionRefused(ONLY_THE_CUSTOMER)
    if actor.role is not Role.CUSTOMER:
        authorize_staff(policy, actor, {Role.RELATIONSHIP_MANAGER})


def authorize_cancellation(policy: Policy, actor: Actor, customer: str, team: str) -> None:
    """Who may withdraw a signed loan, cancelling what the bank committed to lend: the
    borrowing customer `customer` on its own instruction, or, on the bank's side, the
    supervisor of the loan's risk team `team`, deciding with a reason (a covenant breach, a
    material adverse change). Front office staff alone may not: they withdraw only before
    signature (`authorize_customer_side`)."""
    signed = (f"the loan is signed: its commitment is cancelled on the customer's instruction "
              f"(role customer, the credit code as id) or by the {team} supervisor's decision "
              "with a reason")
    if actor.role is Role.CUSTOMER:
        require_customer(actor, customer)
        return
    authorize_team_supervisor(policy, actor, team, signed)


def authorize_team_supervisor(policy: Policy, actor: Actor, team: str, what: str) -> None:
    """Only the supervisor of the loan's risk team `team` may: refused otherwise, saying
    `what` the rule is and why the actor is not that supervisor."""
    try:
        member = authorize_staff(policy, actor, {Role.SUPERVISOR}, team)
    except DecisionRefused as err:
        raise DecisionRefused(f"{what}; {err}") from None
    if member.team != team:
        raise DecisionRefused(f"{what}; {actor.id!r} supervises {member.team!r}")


def _four_eyes(policy: Policy, actor: Actor, what: str, submitted_by: str,
               reviewed_by: str | None, may: list[StaffMember]) -> None:
    """Neither the case's submitter nor its risk reviewer may `what` it: refused naming
    `may`, who may."""
    if actor.id == submitted_by:
        raise DecisionRefused(
            f"{actor.id!r} submitted this application and cannot {what} it (four eyes): "
            f"ask a colleague ({named(policy, may, lead='')})"
        )
    if reviewed_by is not None and actor.id == reviewed_by:
        raise DecisionRefused(
            f"{actor.id!r} wrote the risk opinion and cannot {what} it (four eyes): "
            f"ask another approver ({named(policy, may, lead='')})"
        )


def _supervises(policy: Policy, member: StaffMember, team: str) -> bool:
    return member.role is Role.SUPERVISOR and member.team == team


def authorize_risk_opinion(
    policy: Policy,
    route: Route,
    actor: Actor,
    submitted_by: str,
    assigned_to: str | None,
) -> StaffMember:
    may = [m for m in policy.staff if m.active and m.role in _TEAM_ROLES
           and m.team == route.team and m.id != submitted_by
           and (not assigned_to or m.id == assigned_to or m.role is Role.SUPERVISOR)]
    member = authorize_staff(policy, actor, _TEAM_ROLES, may=may)
    if member.team != route.team:
        raise DecisionRefused(
            f"{actor.id!r} is in team {member.team!r}; this case is routed to {route.team!r}: "
            f"a {route.team} risk officer must give the opinion ({named(policy, may, True)})"
        )
    _four_eyes(policy, actor, "review", submitted_by, None, may)
    if assigned_to and actor.id != assigned_to and not _supervises(policy, member, route.team):
        raise DecisionRefused(
            f"this case is assigned to {assigned_to!r}: only they or the {route.team} "
            f"supervisor may give the opinion ({named(policy, may, True)}); ask the "
            "supervisor to reassign it"
        )
    return member


def authorize_approval(
    policy: Policy,
    route: Route,
    actor: Actor,
    amount: Decimal,
    submitted_by: str,
    reviewed_by: str | None,
    votes_so_far: list[str],
) -> StaffMember:
    may = [m for m in eligible(policy, route, voters(policy, route, submitted_by, reviewed_by),
                               amount) if m.id not in votes_so_far]
    member = authorize_staff(policy, actor, {Role.APPROVER}, may=may)
    tier = member.tier
    senior_ok = (
        policy.authority.senior_tiers_may_approve
        and tier is not None
        and tier.rank > route.tier.rank
    )
    if tier is not route.tier and not senior_ok:
        raise DecisionRefused(
            f"{actor.id!r} approves at {tier or 'no'} tier; this case needs {route.tier}: "
            f"ask a {route.tier} approver ({named(policy, may, lead='')})"
        )
    _four_eyes(policy, actor, "approve", submitted_by, reviewed_by, may)
    if actor.id in votes_so_far:
        raise DecisionRefused(
            f"{actor.id!r} has already voted on this case: "
            f"{route.approvals_required} distinct approvers are needed"
        )
    if (short := limit_short(policy, route, member, amount)) is not None:
        raise DecisionRefused(short)
    return member


def limit_short(policy: Policy, route: Route, member: StaffMember, amount: Decimal) -> str | None:
    """Why `member`'s limit does not cover the case on `route`, or None when it does. A limit
    is on the borrower's exposure when routing weighed it (统一授信), else on `amount`; a
    committee's members have none of their own."""
    if member.tier is not None and policy.authority.tier(member.tier).committee:
        return None
    weighed, called = ((amount, "the amount") if route.decided_on is None
                       else (route.decided_on, "the borrower's exposure"))
    if member.limit is not None and member.limit >= weighed:
        return None
    limit = "no limit set" if member.limit is None else f"a limit of {money(member.limit)}"
    return (f"{member.id!r} has {limit}, below {called} {money(weighed)}: "
            "ask an approver with a higher limit")


def votes_standing(
    policy: Policy, route: Route, votes: list[ApprovalDecision], amount: Decimal,
    submitted_by: str, reviewed_by: str | None,
) -> tuple[list[ApprovalDecision], dict[str, str]]:
    """The votes that still count on `route` (re-routed on the exposure as it stands), and
    why each other one does not, by approver: its approver's tier or limit no longer suffices."""
    kept: list[ApprovalDecision] = []
    aside: dict[str, str] = {}
    for vote in votes:
        try:
            authorize_approval(policy, route, vote.actor, amount, submitted_by, reviewed_by,
                               [v.actor.id for v in kept])
        except DecisionRefused as refused:
            aside[vote.actor.id] = str(refused)
            continue
        kept.append(vote)
    return kept, aside


def voters(
    policy: Policy, route: Route, submitted_by: str, reviewed_by: str | None
) -> list[StaffMember]:
    """Who may vote on the case at its tier: the tier's active approvers (and senior ones
    where the policy lets them), less its submitter and its risk reviewer (four eyes)."""
    return [m for m in policy.staff
            if m.role is Role.APPROVER and m.active and m.tier is not None
            and (m.tier is route.tier or (policy.authority.senior_tiers_may_approve
                                          and m.tier.rank > route.tier.rank))
            and m.id not in {submitted_by, reviewed_by}]


def eligible(policy: Policy, route: Route, members: list[StaffMember], amount: Decimal
             ) -> list[StaffMember]:
    """Those of `members` (the case's `voters`) whose limit covers the case on `route`
    (`limit_short`): whose approval would count."""
    return [m for m in members if limit_short(policy, route, m, amount) is None]


def approval_settled(verdicts: list[Verdict], needed: int, voters: int) -> bool:
    """Whether the votes so far decide the case: `needed` approvals, of `voters` who may
    vote (since the marker workflows.journey_updates.ELIGIBLE_SETTLE, those whose approval
    would count: `eligible`). A request for more information decides at once (the case goes
    back for it). With one approval needed, so does a rejection; with several (a committee,
    N of M), rejections decide once the approvals can no longer reach N. Only a vote against
    rejects: fewer voters than N from the start leave the case waiting (`short_of_voters`)."""
    if verdicts.count(Verdict.APPROVE) >= needed or Verdict.REQUEST_INFO in verdicts:
        return True
    rejections = verdicts.count(Verdict.REJECT)
    return rejections > 0 and (needed == 1 or rejections > voters - needed)


def short_of_voters(needed: int, members: list[StaffMember]) -> str:
    """What to do when fewer of the case's `eligible` approvers (`members`) than the `needed`
    approvals can vote, or "" when enough can."""
    if len(members) >= needed:
        return ""
    return (f"only {len(members)} approver(s) may approve and {needed} approvals are needed: "
            "ask operations to raise the committee members' limits in the policy, or "
            "withdraw the application")


def authorize_reassign(policy: Policy, route: Route, actor: Actor, to: str) -> StaffMember:
    """The target of a reassignment: actor is the team's supervisor or operations."""
    deciders = {Role.SUPERVISOR, Role.OPERATIONS}
    member = authorize_staff(policy, actor, deciders, route.team)
    if member.role is Role.SUPERVISOR and member.team != route.team:
        raise DecisionRefused(
            f"{actor.id!r} supervises {member.team!r}, not {route.team!r}: "
            f"ask the {route.team} supervisor or operations "
            f"({holders(policy, deciders, route.team)})"
        )
    target = policy.member(to)
    team = named(policy, [m for m in policy.staff if m.active and m.role in _TEAM_ROLES
                          and m.team == route.team], True, "")
    if target is None or not target.active:
        raise DecisionRefused(f"{to!r} is not an active member of the staff directory: "
                              f"reassign to someone in {route.team} ({team})")
    if target.team != route.team or target.role not in _TEAM_ROLES:
        raise DecisionRefused(
            f"{to!r} is not a risk officer or supervisor of {route.team!r}: "
            f"reassign to someone in {route.team} ({team})"
        )
    return target


def authorize_warning_acknowledgement(
    policy: Policy, actor: Actor, team: str, waives: bool = False
) -> StaffMember:
    """A risk officer or supervisor of `team`, the team whose queue the warning is on; a
    waiver of a covenant breach (`waives`) is the supervisor's alone."""
    member = authorize_staff(policy, actor, _TEAM_ROLES, team)
    if member.team != team:
        raise DecisionRefused(
            f"{actor.id!r} is in team {member.team!r}; this early warning is on {team!r}'s "
            f"queue: a {team} risk officer or supervisor must acknowledge it "
            f"({holders(policy, _TEAM_ROLES, team)})"
        )
    if waives and member.role is not Role.SUPERVISOR:
        raise DecisionRefused(
            f"{actor.id!r} is a risk officer: waiving a covenant breach is the {team} "
            "supervisor's decision; acknowledge it with another action, or ask the supervisor"
        )
    return member


def authorize_classification(policy: Policy, actor: Actor, team: str,
                             confirming: bool) -> None:
    """Who classifies a loan on judgement: a risk officer or supervisor of its risk team
    `team` proposes the class; the team's supervisor, not the proposer, confirms it (four
    eyes)."""
    if confirming:
        authorize_team_supervisor(policy, actor, team, (
            f"a class proposed on judgement is confirmed by the {team} supervisor (four eyes)"))
        return
    member = authorize_staff(policy, actor, _TEAM_ROLES, team, needs=(
        "a loan's class is proposed on judgement by its risk team's risk officers and "
        "supervisor"))
    if member.team != team:
        raise DecisionRefused(
            f"{actor.id!r} is in team {member.team!r}; this loan is {team!r}'s: a {team} risk "
            f"officer or supervisor proposes its class ({holders(policy, _TEAM_ROLES, team)})")
