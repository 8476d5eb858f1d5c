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
