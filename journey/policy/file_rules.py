"""What a policy file must satisfy beyond what the `Policy` model checks, as `parse_policy`
reads it: a routing threshold is not negative, and every team of the staff directory is one
that work is routed to. Kept out of the model's own validators: a journey pinned to a policy
before these rules deserializes it again as it replays, and must still."""

from __future__ import annotations

from typing import TYPE_CHECKING

from journey.policy.entrusted import OPERATIONS_TEAM
from journey.policy.routing import ApprovalTier, Condition

if TYPE_CHECKING:
    from journey.policy.models import Policy

THRESHOLDS = ("amount_over", "amount_up_to", "term_months_over", "term_months_up_to")


def file_problems(policy: Policy) -> list[str]:
    """What to fix in the policy file `policy` was read from (none: it may be used)."""
    return [*_negative_thresholds(policy), *_teams_nothing_routes_to(policy)]


def _negative_thresholds(policy: Policy) -> list[str]:
    conditions: list[tuple[str, Condition]] = [
        *((f"routing rule {r.id!r}", r.when) for r in policy.routing.rules),
        *((f"escalation {e.id!r}", e.when) for e in policy.routing.escalations)]
    return [f"{what} has {field} {value}, below 0: a threshold is 0 or more"
            for what, when in conditions for field in THRESHOLDS
            if (value := getattr(when, field)) is not None and value < 0]


def _teams_nothing_routes_to(policy: Policy) -> list[str]:
    """Staff of a team that no routing rule sends work to would be on no work list. Besides
    the routed risk teams, work waits on operations (an entrusted payout's instruction) and on
    the approval tiers, which are teams of their own on the work lists."""
    routed = {r.team for r in policy.routing.rules}
    known = routed | {OPERATIONS_TEAM} | {tier.value for tier in ApprovalTier}
    return [f"staff {m.id!r} is in team {m.team!r}, which no routing rule sends work to "
            f"(the routed teams: {', '.join(sorted(routed))}): name one of those, or add a "
            "rule that routes to it"
            for m in policy.staff if m.team and m.team not in known]
