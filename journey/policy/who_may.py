"""Who may do an act with four eyes on its case, as the refusal of someone the policy in
force does not let act names them: only those who may do it on that case (its maker, its
submitter, its risk reviewer, who voted already left out, by the same rules the journey
checks the act by), or, when nobody may, that it is stuck and who unblocks it."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from journey.actors import Role
from journey.policy.authority import eligible, voters
from journey.policy.staff import StaffMember
from journey.policy.stand_ins import payee_checkers, reading_checkers, who_instead

if TYPE_CHECKING:
    from journey.policy.models import Policy
    from journey.status import JourneyStatus


def who_may_on_case(policy: Policy, update: str, case: JourneyStatus) -> str | None:
    """Whom to ask to do `update` on `case` in the place of someone `policy` does not let
    act: only who may do it on that case (`payee_checkers`, `voters` whose limit covers it
    and who have not voted, `reading_checkers`), or, when nobody may, that it is stuck and
    who unblocks it; None for an act whose stand-ins do not depend on the case
    (`who_instead` names them)."""
    if (may := _may_on_case(policy, update, case)) is None:
        return None
    who, what, stuck = may
    if who:
        return f"ask whoever may {what}: {', '.join(m.id for m in who)}"
    return f"nobody in policy {policy.version} may {what}: {stuck}"


def who_of_case(policy: Policy, role: Role, case: JourneyStatus) -> str | None:
    """Whom to ask instead of someone acting in `role` on `case` whom `policy` does not let
    act, where the act's stand-ins do not depend on the case's four eyes: the active staff of
    `role` in the case's risk team, or at its approval tier; None where the case has no route
    yet, or `role` is neither a risk team's nor an approver (`who_instead` names them all)."""
    if case.route is None:
        return None
    if role in (Role.RISK_OFFICER, Role.SUPERVISOR):
        return who_instead(policy, role, team=case.route.team)
    if role is Role.APPROVER:
        return who_instead(policy, role, tier=case.route.tier)
    return None


def unconfirmable(policy: Policy, case: JourneyStatus) -> str | None:
    """That nobody in `policy` may confirm the payment instruction awaiting on `case`, and
    what to do; None while someone may, or none awaits."""
    may = _may_on_case(policy, "confirm_payment_instruction", case)
    if may is None or may[0]:
        return None
    _, what, stuck = may
    return f"nobody in policy {policy.version} may {what}: {stuck}"


def may_vote(policy: Policy, case: JourneyStatus) -> list[StaffMember]:
    """Who of `policy` may still vote on `case` at its approval tier: its approvers whose
    limit covers it, not its submitter or risk reviewer, nor who voted already (this round);
    none for a case not routed yet."""
    if case.route is None:
        return []
    by = case.submitted_by
    members = voters(policy, case.route, by.id if by is not None else "", case.reviewed_by)
    return [m for m in eligible(policy, case.route, members, case.amount or Decimal(0))
            if m.id not in case.voted]


def _until(whom: str) -> str:
    return f" until a supervisor or the policy's owner adds {whom} to the policy"


def _may_on_case(policy: Policy, update: str, case: JourneyStatus
                 ) -> tuple[list[StaffMember], str, str] | None:
    """Who of `policy` may do `update` on `case`, the act in words, and what stays undone
    while nobody may and what to do; None for an act whose stand-ins do not depend on the
    case."""
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
        stuck = "the payout is stuck" + _until("an operations person")
    elif update == "decide" and case.route is not None:
        route = case.route
        who = may_vote(policy, case)
        what = (f"vote on this case at {route.tier} (its approvers whose limit covers it, not "
                "its submitter or risk reviewer, nor who voted already)")
        stuck = "the approval waits" + _until(f"a {route.tier} approver")
    elif update == "correct_reading":
        who = reading_checkers(policy, submitter)
        what = f"correct this case's readings (operations{nor.replace(' nor', ', not')})"
        stuck = "its readings stay as read" + _until("an operations person")
    else:
        return None
    return who, what, stuck
