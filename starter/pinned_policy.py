"""The lending policy in force, as the command line and the library API check by it before a
journey can (its start, every act's actor) or beside one (its review schedule, its records,
the report's SLAs): who the staff directory lists in which role, what a journey can wait on,
and a refused attempt as auditors keep it.

The policy in force is the one a worker loaded last, as the workers record it when they
start (store/policies.py): what a journey starting now pins. Only while none is recorded (no worker
has started on this journey database yet) is it the command line's own
LOAN_JOURNEY_POLICY_FILE (the default policy without). With the archive key, a recorded policy
is read only once checked against its seal (store/policies.py `PolicySealBroken`)."""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel

from activities.policy import policy_text
from activities.review import post_loan_policy_text
from journey.actors import Actor, Role
from journey.entrusted_payment import OPERATIONS_TEAM
from journey.policy import ApprovalTier, DecisionRefused, Policy, authorize_staff, parse_policy
from journey.policy.stand_ins import authorize_listed
from journey.policy.who_may import who_may_on_case, who_of_case
from journey.post_loan_policy import PostLoanPolicy, parse_post_loan_policy
from journey.settings import Settings
from journey.status import JourneyStatus
from starter.act_words import act_words
from starter.attempts import Attempt, refusal_of
from starter.errors import Refused
from store.policies import (
    LendingPolicyRow,
    PolicyKind,
    as_kept,
    in_force,
    named,
    policies_sealed,
    recorded,
)
from store.refusals import Refusal

log = logging.getLogger(__name__)


def current_policy(settings: Settings) -> Policy:
    """The lending policy in force for the journey database of `settings`: the one a journey
    starting now pins."""
    return policy_in_force(settings.db_url, settings.policy_file, _key(settings))


def policy_in_force(db_url: str, own_file: Path | None, key: bytes | None = None) -> Policy:
    """The newest policy the workers recorded in the journey database at `db_url`, checked
    against its seal with `key` when given; `own_file` (the default policy without) while none
    is recorded."""
    recorded = in_force(db_url, key=key)
    return _parsed(recorded.text if recorded is not None else policy_text(own_file))


@lru_cache(maxsize=4)
def _parsed(text: str) -> Policy:
    return parse_policy(text)


def in_force_of_each(settings: Settings) -> dict[PolicyKind, LendingPolicyRow | None]:
    """The recorded policy of each kind in force (None: none recorded yet), read as the
    commands that act by it read it."""
    return {kind: in_force(settings.db_url, kind, _key(settings))
            for kind in ("lending", "post_loan")}


def pinned_of(settings: Settings, s: JourneyStatus) -> Policy | None:
    """The policy the journey `s` pinned at its intake, as the workers recorded it under its
    version (its content the one pinned, where the journey kept its hash), not the policy in
    force; None when no worker recorded it on this journey database. PolicyTextChanged when
    the row recorded under its version no longer holds the content the journey pinned."""
    if s.policy_version is None:
        return None
    row = recorded(settings.db_url, s.policy_version, key=_key(settings))
    if row is None:
        return None
    return _parsed(_as_pinned(row, s.policy_sha256, s.workflow_id).text)


def post_loan_policy_of(settings: Settings, s: JourneyStatus) -> PostLoanPolicy:
    """The post-loan policy the journey `s` pinned with its offer, as the workers recorded it
    under its version; the command line's own LOAN_JOURNEY_POST_LOAN_POLICY_FILE (the
    packaged one without) for a journey pinned before they recorded it. PolicyTextChanged
    when the row recorded under its version no longer holds the content the journey pinned."""
    version = s.post_loan_policy_version
    row = (recorded(settings.db_url, version, "post_loan", _key(settings))
           if version else None)
    if row is None:
        return parse_post_loan_policy(post_loan_policy_text(settings.post_loan_policy_file))
    return parse_post_loan_policy(_as_pinned(row, s.post_loan_policy_sha256, s.workflow_id).text)


def _as_pinned(row: LendingPolicyRow, pinned: str | None, workflow_id: str) -> LendingPolicyRow:
    """`row`, when it holds the content the journey `workflow_id` pinned (`pinned`, its
    sha256; None: pinned before journeys kept it): `as_kept`."""
    return as_kept(row, pinned, f"nothing acts by the {named(row)}: {workflow_id} pinned it with")


def _key(settings: Settings) -> bytes | None:
    """The archive key the policies are read with; without it, where they are sealed, a
    warning (once a process) that their seals go unchecked."""
    if settings.archive_seal_key is None:
        _unchecked(settings.db_url)
    return settings.archive_seal_key


@lru_cache(maxsize=4)
def _unchecked(db_url: str) -> None:
    if policies_sealed(db_url):
        log.warning("warning: the policies the workers recorded are sealed with the archive "
                    "key, and LOAN_JOURNEY_ARCHIVE_KEY is not set here: the policy read was "
                    "not checked against its seal, only its text against its sha256; set it "
                    "as the workers have it")


def directory_role(settings: Settings, actor_id: str) -> Role | None:
    """The role the staff directory of the policy in force gives `actor_id`; None
    for someone it does not list (a customer, a stranger: refused where they act)."""
    member = current_policy(settings).member(actor_id)
    return member.role if member is not None else None


def authorized(settings: Settings, actor: Actor, roles: set[Role], refused: str,
               tried: tuple[str, str] | None = None) -> None:
    """`actor` is an active member of the staff directory in one of `roles`, by the policy
    in force, or `Refused` starting with `refused`: for what acts before a journey
    can refuse it (its start) or beside it (its review schedule); `tried`, the journey and
    the action, keeps the attempt for auditors."""
    try:
        authorize_staff(current_policy(settings), actor, roles)
    except DecisionRefused as err:
        kept = attempt(*tried, actor, str(err)) if tried else None
        raise Refused(f"{refused}: {err}", kept) from err


def listed_in_force(settings: Settings, workflow_id: str, update: str, request: BaseModel,
                    case: JourneyStatus | None = None) -> None:
    """The staff member an act is sent by (`request.actor`) is listed and active in the
    policy in force, or `Refused`, the attempt kept, naming whom to ask instead (with the
    journey's status `case`, who may do `update` on it, `who_may_on_case`, else who holds
    the actor's role in its risk team or at its tier, `who_of_case`): before the update is
    sent, or kept for delivery. A journey's own validators check its actors against
    the staff directory the journey pinned at its intake only: one who left since is refused
    here (a raw Temporal client, which skips this, is checked by the journey's alone)."""
    actor = getattr(request, "actor", None)
    if not isinstance(actor, Actor):
        return
    policy = current_policy(settings)
    try:
        authorize_listed(policy, actor, None if case is None else (
            who_may_on_case(policy, update, case) or who_of_case(policy, actor.role, case)))
    except DecisionRefused as err:
        why = str(err)
        raise Refused(f"{act_words(update)} refused: {why}",
                      attempt(workflow_id, update, actor, why)) from err


def attempt(workflow_id: str, action: str, actor: Actor | None, reason: str) -> Refusal:
    """A refused attempt as auditors keep it: who, from where, what, why."""
    return refusal_of(Attempt(workflow_id, action, actor.id if actor else "-",
                              actor.role if actor else "-"), reason)


def team_names(settings: Settings) -> list[str]:
    """What a journey can wait on in the policy in force: its risk teams, approval
    tiers and, with entrusted payment, operations."""
    policy = current_policy(settings)
    teams = {m.team for m in policy.staff if m.team} | {r.team for r in policy.routing.rules}
    if policy.entrusted_payment is not None:
        teams.add(OPERATIONS_TEAM)
    return sorted(teams) + [tier.value for tier in ApprovalTier]
