"""The policy: one versioned, validated document of checklists, routing, authority and SLAs.

`parse_policy` is the only way in: it validates the JSON text and the references inside it
(teams, supervisors, committee sizes) and raises `PolicyError` saying what to fix.
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from journey.actors import Role
from journey.application import LoanApplication, Product
from journey.documents import DocumentKind
from journey.policy.amounts import AmountPolicy
from journey.policy.authority import AuthorityPolicy
from journey.policy.codes import CodeList
from journey.policy.completeness import CompletenessRules
from journey.policy.entrusted import EntrustedPaymentPolicy
from journey.policy.errors import PolicyError
from journey.policy.file_rules import file_problems
from journey.policy.pricing import PricingPolicy
from journey.policy.retention import ScanRetention
from journey.policy.routing import ApprovalTier, RoutingPolicy
from journey.policy.sla import SlaPolicy
from journey.policy.staff import StaffMember


class Policy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field(min_length=1, max_length=64)
    description: str = ""
    checklist: dict[Product, list[DocumentKind]]
    completeness: CompletenessRules = Field(default_factory=CompletenessRules)
    routing: RoutingPolicy
    authority: AuthorityPolicy = Field(default_factory=AuthorityPolicy)
    sla: SlaPolicy = Field(default_factory=SlaPolicy)
    staff: list[StaffMember] = Field(default_factory=list)
    # absent from policies pinned before pricing was data: they price as the code did then
    pricing: PricingPolicy = Field(default_factory=PricingPolicy)
    # what an application may name as its industry and region; None (older policies): any
    industries: CodeList | None = None
    regions: CodeList | None = None
    # the least amount lent per product (and from 2026.12-5 the longest term); None
    # (policies before 2026.12-3): any positive amount, any term
    amounts: AmountPolicy | None = None
    # which payouts the bank pays to the borrower's counterparty (受托支付); None (policies
    # before 2026.12-6): fixed-asset and working-capital loans are paid to the borrower
    entrusted_payment: EntrustedPaymentPolicy | None = None
    # how long a journey's scans are kept once it ended (journey/policy/retention.py); a
    # policy without: 5 years, the least the law allows
    retention: ScanRetention = Field(default_factory=ScanRetention)

    def coded(self, application: LoanApplication) -> LoanApplication:
        """`application` with its industry and region as the policy's codes, where it has
        code lists and the names are in them (`code_refusals` says which are not)."""
        update = {field: code for field, codes in self._code_lists
                  if codes is not None
                  and (code := codes.code_of(getattr(application, field))) is not None}
        return application.model_copy(update=update) if update else application

    def code_refusals(self, application: LoanApplication) -> list[str]:
        """Why the application's industry or region is not one the policy knows."""
        return [why for field, codes in self._code_lists if codes is not None
                and (why := codes.refusal(getattr(application, field))) is not None]

    def amount_refusal(self, application: LoanApplication) -> str | None:
        """Why the application's amount is below the policy's minimum for its product."""
        if self.amounts is None:
            return None
        return self.amounts.refusal(application.product, application.amount, self.version)

    def term_refusal(self, application: LoanApplication) -> str | None:
        """Why the application's term is longer than the policy's maximum for its product."""
        if self.amounts is None:
            return None
        return self.amounts.term_refusal(application.product, application.term_months,
                                         self.version)

    def entrusted_over(self, product: Product) -> Decimal | None:
        """The payout above which a `product` loan is paid to the counterparty, or None."""
        if self.entrusted_payment is None:
            return None
        return self.entrusted_payment.over.get(product)

    @property
    def _code_lists(self) -> list[tuple[str, CodeList | None]]:
        return [("industry", self.industries), ("region", self.regions)]

    def member(self, actor_id: str) -> StaffMember | None:
        return next((m for m in self.staff if m.id == actor_id), None)

    def team_members(self, team: str, roles: set[Role] | None = None) -> list[StaffMember]:
        return [
            m
            for m in self.staff
            if m.team == team and m.active and (roles is None or m.role in roles)
        ]

    def supervisor_of(self, team: str) -> StaffMember | None:
        found = self.team_members(team, {Role.SUPERVISOR})
        return found[0] if found else None

    def approvers(self, tier: ApprovalTier) -> list[StaffMember]:
        return [m for m in self.staff if m.role is Role.APPROVER and m.tier is tier and m.active]

    @model_validator(mode="after")
    def _consistent(self) -> Policy:
        problems: list[str] = []
        ids = [m.id for m in self.staff]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            problems.append(f"staff ids must be unique; repeated: {dupes}")
        for product in Product:
            if product not in self.checklist:
                problems.append(f"checklist has no entry for product {product!r}: add one")
        for m in self.staff:
            if m.supervisor is not None and m.supervisor not in ids:
                problems.append(
                    f"staff {m.id!r} names supervisor {m.supervisor!r}, who is not in the directory"
                )
            if m.role is Role.APPROVER and m.tier is None:
                problems.append(f"approver {m.id!r} needs a 'tier'")
            if m.role in (Role.RISK_OFFICER, Role.SUPERVISOR) and not m.team:
                problems.append(f"{m.role} {m.id!r} needs a 'team'")
        for cond_id, when in [*((r.id, r.when) for r in self.routing.rules),
                              *((e.id, e.when) for e in self.routing.escalations)]:
            for codes, names in ((self.industries, when.industries),
                                 (self.regions, when.regions)):
                if codes is not None and names and (unknown := codes.not_codes(names)):
                    problems.append(f"routing {cond_id!r} names {codes.what} {unknown}, "
                                    f"not codes of the policy's {codes.what} list: name "
                                    "codes, or add them to the list")
        for rule in self.routing.rules:
            if self.staff and not self.team_members(rule.team, {Role.RISK_OFFICER}):
                problems.append(
                    f"routing rule {rule.id!r} sends cases to team {rule.team!r}, "
                    "which has no active risk officer in the staff directory"
                )
            if self.staff and self.supervisor_of(rule.team) is None:
                problems.append(
                    f"team {rule.team!r} (routing rule {rule.id!r}) has no active supervisor "
                    "to escalate to: add one to the staff directory"
                )
        for tier, auth in self.authority.tiers.items():
            have = len(self.approvers(tier))
            if self.staff and have < auth.approvals_required:
                problems.append(
                    f"tier {tier} needs {auth.approvals_required} distinct approvers "
                    f"but the directory has {have}"
                )
        if problems:
            raise ValueError("; ".join(problems))
        return self


def parse_policy(text: str) -> Policy:
    """A validated policy from JSON text, or `PolicyError` listing what to fix (also what a
    policy file must satisfy beyond the model: journey/policy/file_rules.py)."""
    try:
        policy = Policy.model_validate_json(text)
    except ValidationError as exc:
        lines = []
        for err in exc.errors(include_url=False):
            where = ".".join(str(p) for p in err["loc"]) or "(top level)"
            lines.append(f"{where}: {err['msg']}")
        raise PolicyError("policy file is invalid; fix: " + "; ".join(lines)) from None
    if problems := file_problems(policy):
        raise PolicyError("policy file is invalid; fix: " + "; ".join(problems))
    return policy
