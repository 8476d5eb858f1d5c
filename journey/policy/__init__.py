"""Policy as data: checklists, routing, authority and SLAs, evaluated by pure functions.

Nothing here does I/O: an activity reads the policy file and passes its text to
`parse_policy`; workflows pin the parsed `Policy` for the journey's life.
"""

from __future__ import annotations

from pathlib import Path

from journey.policy.amounts import AmountPolicy
from journey.policy.authority import (
    AuthorityPolicy,
    TierAuthority,
    authorize_approval,
    authorize_reassign,
    authorize_risk_opinion,
    authorize_staff,
)
from journey.policy.calendar import (
    WorkingCalendar,
    add_business_days,
    add_business_time,
    build_calendar,
    business_time_between,
)
from journey.policy.completeness import (
    CheckFailure,
    Completeness,
    CompletenessRules,
    check_completeness,
    normalise_name,
)
from journey.policy.entrusted import EntrustedPaymentPolicy, entrusted
from journey.policy.errors import DecisionRefused, NotOpenYet, PolicyError
from journey.policy.models import Policy, parse_policy
from journey.policy.ratios import Ratios, compute_ratios
from journey.policy.routing import (
    ApprovalTier,
    Condition,
    Escalation,
    RatioTest,
    Route,
    RoutingPolicy,
    RoutingRule,
    route,
)
from journey.policy.sla import (
    EscalationAction,
    EscalationLevel,
    SlaPoint,
    SlaPolicy,
    StageSla,
    Unit,
    add_duration,
    expiry_at,
    sla_points,
)
from journey.policy.staff import StaffMember

# Where the default policy file ships; reading it is the policy activity's job.
DEFAULT_POLICY_FILE = Path(__file__).parent.parent / "policies" / "default.json"

__all__ = [
    "DEFAULT_POLICY_FILE",
    "AmountPolicy",
    "ApprovalTier",
    "AuthorityPolicy",
    "CheckFailure",
    "Completeness",
    "CompletenessRules",
    "Condition",
    "DecisionRefused",
    "EntrustedPaymentPolicy",
    "Escalation",
    "EscalationAction",
    "EscalationLevel",
    "NotOpenYet",
    "Policy",
    "PolicyError",
    "RatioTest",
    "Ratios",
    "Route",
    "RoutingPolicy",
    "RoutingRule",
    "SlaPoint",
    "SlaPolicy",
    "StaffMember",
    "StageSla",
    "TierAuthority",
    "Unit",
    "WorkingCalendar",
    "add_business_days",
    "add_business_time",
    "add_duration",
    "authorize_approval",
    "authorize_reassign",
    "authorize_risk_opinion",
    "authorize_staff",
    "build_calendar",
    "business_time_between",
    "check_completeness",
    "compute_ratios",
    "entrusted",
    "expiry_at",
    "normalise_name",
    "parse_policy",
    "route",
    "sla_points",
]
