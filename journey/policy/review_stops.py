"""Who may stop or restart a loan's post-loan reviews. Post-loan inspection (贷后检查) is
mandatory: pausing, resuming and deleting a loan's review schedule is its risk team's (the
team's risk officers and supervisor); resuming a pause someone else made is theirs or the
supervisor's, and deleting the schedule the supervisor's alone. Running a review now or
backfilling past ones stops nothing: operations may (`SCHEDULING_ROLES`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from journey.actors import Actor, Role
from journey.decisions import DecisionRecord, ScheduleAction
from journey.policy.authority import authorize_staff, named
from journey.policy.errors import DecisionRefused
from journey.policy.staff import StaffMember

if TYPE_CHECKING:
    from journey.policy.models import Policy

# the schedule changes that stop a loan's reviews or start them again
STOPPING = (ScheduleAction.PAUSED, ScheduleAction.UNPAUSED, ScheduleAction.DELETED)
_DONE = {ScheduleAction.PAUSED: "pausing", ScheduleAction.UNPAUSED: "resuming",
         ScheduleAction.DELETED: "deleting"}


def authorize_review_stop(policy: Policy, actor: Actor, team: str, action: ScheduleAction,
                          paused_by: str | None = None) -> StaffMember:
    """`actor` may do `action` (one of `STOPPING`) to the review schedule of a loan of risk
    team `team`, its current pause made by `paused_by` (when recorded), or `DecisionRefused`
    naming who may."""
    roles = {Role.SUPERVISOR} if action is ScheduleAction.DELETED else {Role.RISK_OFFICER,
                                                                         Role.SUPERVISOR}
    may, supervisors = _of_team(policy, team, roles), _of_team(policy, team, {Role.SUPERVISOR})
    done = f"{_DONE[action]} a loan's post-loan reviews"
    rule = (f"{done} is the {team} supervisor's alone" if action is ScheduleAction.DELETED
            else f"{done} is its risk team's, {team}'s risk officers and supervisor")
    needs = f"{rule}: post-loan inspection (贷后检查) is mandatory"
    member = authorize_staff(policy, actor, roles, needs=needs, may=may)
    if member not in may:
        raise DecisionRefused(f"{actor.id!r} is in team {member.team or 'none'}; {needs} "
                              f"({named(policy, may)})")
    if action is ScheduleAction.UNPAUSED and paused_by not in (None, actor.id) \
            and member.role is not Role.SUPERVISOR:
        whom = [m for m in may if m.id == paused_by] + supervisors
        raise DecisionRefused(
            f"{paused_by} paused these reviews: resuming them is {paused_by}'s or the {team} "
            f"supervisor's ({named(policy, whom)})")
    return member


def paused_by(decisions: Sequence[DecisionRecord]) -> str | None:
    """Who made the pause of the reviews `decisions` (a journey's, oldest first) last record,
    unless they record it resumed since."""
    for decision in reversed(decisions):
        if decision.verdict == f"reviews {ScheduleAction.PAUSED}":
            return decision.actor.id
        if decision.verdict == f"reviews {ScheduleAction.UNPAUSED}":
            return None
    return None


def _of_team(policy: Policy, team: str, roles: set[Role]) -> list[StaffMember]:
    return [m for m in policy.staff if m.active and m.role in roles and m.team == team]
