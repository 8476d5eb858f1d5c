"""The lending policy a worker pins for what starts now, as the command line checks by it before
a journey can (its start) or beside one (its review schedule, its records): who the staff
directory lists in which role, what a journey can wait on, and a refused attempt as auditors
keep it."""

from __future__ import annotations

from functools import lru_cache

from activities.policy import policy_text
from journey.actors import Actor, Role
from journey.entrusted_payment import OPERATIONS_TEAM
from journey.policy import ApprovalTier, DecisionRefused, Policy, authorize_staff, parse_policy
from journey.settings import Settings
from starter.attempts import Attempt, refusal_of
from starter.errors import Refused
from store.refusals import Refusal


def current_policy(settings: Settings) -> Policy:
    """The lending policy a worker with these settings pins for a journey starting now."""
    return _parsed(policy_text(settings.policy_file))


@lru_cache(maxsize=4)
def _parsed(text: str) -> Policy:
    return parse_policy(text)


def directory_role(settings: Settings, actor_id: str) -> Role | None:
    """The role the staff directory of the policy a worker pins now gives `actor_id`; None
    for someone it does not list (a customer, a stranger: refused where they act)."""
    member = current_policy(settings).member(actor_id)
    return member.role if member is not None else None


def authorized(settings: Settings, actor: Actor, roles: set[Role], refused: str,
               tried: tuple[str, str] | None = None) -> None:
    """`actor` is an active member of the staff directory in one of `roles`, by the policy
    the worker pins, or `Refused` starting with `refused`: for what acts before a journey
    can refuse it (its start) or beside it (its review schedule); `tried`, the journey and
    the action, keeps the attempt for auditors."""
    try:
        authorize_staff(current_policy(settings), actor, roles)
    except DecisionRefused as err:
        kept = attempt(*tried, actor, str(err)) if tried else None
        raise Refused(f"{refused}: {err}", kept) from err


def attempt(workflow_id: str, action: str, actor: Actor | None, reason: str) -> Refusal:
    """A refused attempt as auditors keep it: who, from where, what, why."""
    return refusal_of(Attempt(workflow_id, action, actor.id if actor else "-",
                              actor.role if actor else "-"), reason)


def team_names(settings: Settings) -> list[str]:
    """What a journey can wait on in the policy the worker pins: its risk teams, approval
    tiers and, with entrusted payment, operations."""
    policy = current_policy(settings)
    teams = {m.team for m in policy.staff if m.team} | {r.team for r in policy.routing.rules}
    if policy.entrusted_payment is not None:
        teams.add(OPERATIONS_TEAM)
    return sorted(teams) + [tier.value for tier in ApprovalTier]
