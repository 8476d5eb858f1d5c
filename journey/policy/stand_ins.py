"""Who may act in the place of someone the staff directory no longer lets act: the active
staff of their role, at their approval tier or in their risk team. A refusal names them, so
that the act goes to someone who may do it, not to whoever is asked first."""

from __future__ import annotations

from typing import TYPE_CHECKING

from journey.actors import Actor, Role
from journey.policy.errors import DecisionRefused
from journey.policy.routing import ApprovalTier
from journey.policy.staff import StaffMember

if TYPE_CHECKING:
    from journey.policy.models import Policy
    from journey.status import JourneyStatus


def reading_checkers(policy: Policy, submitted_by: str) -> list[StaffMember]:
    """Who of `policy`'s staff may correct a case's readings: active operations, not the
    case's submitter `submitted_by` (four eyes)."""
    return _operations_but(policy, submitted_by)


def payee_checkers(policy: Policy, maker: str, submitted_by: str) -> list[StaffMember]:
    """Who of `policy`'s staff may confirm a payment instruction: active operations, neither
    its `maker` nor the case's submitter `submitted_by` (maker-checker, four eyes)."""
    return _operations_but(policy, maker, submitted_by)


def _operations_but(policy: Policy, *excluded: str) -> list[StaffMember]:
    return [m for m in policy.staff
            if m.active and m.role is Role.OPERATIONS and m.id not in excluded]


def who_instead(policy: Policy, role: Role, tier: ApprovalTier | None = None,
                team: str | None = None) -> str:
    """Whom to ask instead: the active staff of `role` in `policy` (at `tier`, of `team`,
    when given; an approver's tier not known, those of every tier, each said with it)."""
    others = [m for m in policy.staff
              if m.active and m.role is role and tier in (None, m.tier) and team in (None, m.team)]
    what = " ".join(w for w in (team, tier, role.replace("_", " ")) if w)
    if not others:
        return (f"no active {what} is left in the staff directory of policy {policy.version}: "
                "ask operations to add one to the policy")
    named = [f"{m.id} ({m.tier})" if role is Role.APPROVER and tier is None and m.tier else m.id
             for m in others]
    return f"ask an active {what}: {', '.join(named)}"


def no_longer_active(policy: Policy, actor_id: str) -> str:
    """Why `actor_id`, listed in `policy` but not active, may not act, and whom to ask."""
    member = policy.member(actor_id)
    assert member is not None and not member.active
    return (f"{actor_id!r} is no longer active in policy {policy.version}: "
            + who_instead(policy, member.role, member.tier,
                          member.team if member.role in (Role.RISK_OFFICER, Role.SUPERVISOR)
                          else None))


def authorize_listed(policy: Policy, actor: Actor, instead: str | None = None) -> None:
    """Staff `actor` is listed and active in `policy`'s directory, or `DecisionRefused`
    naming whom to ask instead (`instead`, who may do the act on its case, when known; else
    the active staff of the actor's role); a customer, or a process of the bank (system), is
    not staff: who they may be, the journey checks."""
    if actor.role in (Role.CUSTOMER, Role.SYSTEM):
        return
    member = policy.member(actor.id)
    if member is None:
        raise DecisionRefused(
            f"{actor.id!r} is not in the staff directory of policy {policy.version}, the "
            "policy in force: act under your own staff id, or "
            + (instead or who_instead(policy, actor.role)))
    if not member.active:
        raise DecisionRefused(
            f"{actor.id!r} is no longer active in policy {policy.version}: {instead}"
            if instead else no_longer_active(policy, actor.id))


def who_may_on_case(policy: Policy, update: str, case: JourneyStatus) -> str | None:
    """Whom to ask to do `update` on `case` in the place of someone `policy` does not let
    act: only who may do it on that case (`payee_checkers`, `reading_checkers`), or, when
    nobody may, that it is stuck and who unblocks it; None for an act whose stand-ins do not
    depend on the case (`who_instead` names them)."""
    if (may := _may_on_case(policy, update, case)) is None:
        return None
    who, what, stuck = may
    if who:
        return f"ask whoever may {what}: {', '.join(m.id for m in who)}"
    return (f"nobody in policy {policy.version} may {what}: {stuck} until a supervisor or the "
            "policy's owner adds an operations person to the policy")


def unconfirmable(policy: Policy, case: JourneyStatus) -> str | None:
    """That nobody in `policy` may confirm the payment instruction awaiting on `case`, and
    what to do; None while someone may, or none awaits."""
    may = _may_on_case(policy, "confirm_payment_instruction", case)
    return who_may_on_case(policy, "confirm_payment_instruction", case) \
        if may is not None and not may[0] else None


def _may_on_case(policy: Policy, update: str, case: JourneyStatus
                 ) -> tuple[list[StaffMember], str, str] | None:
    """Who of `policy` may do `update` on `case`, the act in words, and what stays undone
    while nobody may; None for an act whose stand-ins do not depend on the case."""
    by = case.submitted_by
    submitter = by.id if by is not None else ""
    # the submitter is excluded only where operations submitted the case: another role
    # submitting is no operations person
    nor = f" nor the case's submitter {submitter}" if by and by.role is Role.OPERATIONS else ""
    payout = case.entrusted
    if update == "confirm_payment_instruction" and payout is not None \
            and payout.awaiting is not None:
        maker = payout.awaiting.actor.id
        who = payee_checkers(policy, maker, submitter)
        what = (f"confirm payment instruction {payout.entered} (operations, not its maker "
                f"{maker}{nor})")
        stuck = "the payout is stuck"
    elif update == "correct_reading":
        who = reading_checkers(policy, submitter)
        what = f"correct this case's readings (operations{nor.replace(' nor', ', not')})"
        stuck = "its readings stay as read"
    else:
        return None
    return who, what, stuck
