"""Routing: which risk team reviews a loan and which approval tier decides it.

The policy holds an ordered rule list; the first rule whose conditions all hold names the
team and the tier. Escalations then raise the tier by one step each (e.g. high leverage),
and the tier is raised until someone at it has authority for the amount. The route keeps
the rule that fired, the escalations, the inputs and a sentence explaining them.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, Field, model_validator

from journey.application import LoanApplication, Product
from journey.exposure import Exposure
from journey.policy.ratios import Ratios
from journey.repayment import money

if TYPE_CHECKING:
    from journey.policy.models import Policy


class ApprovalTier(StrEnum):
    BRANCH = "branch"
    HEAD_OFFICE = "head_office"
    CREDIT_COMMITTEE = "credit_committee"

    @property
    def rank(self) -> int:
        return TIERS.index(self)

    def raised(self, steps: int = 1) -> ApprovalTier:
        return TIERS[min(self.rank + steps, len(TIERS) - 1)]


TIERS: tuple[ApprovalTier, ...] = tuple(ApprovalTier)
RatioName = Literal["debt_to_asset", "current_ratio", "net_margin", "revenue_growth"]
_OPS = {
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
}


class RatioTest(BaseModel):
    """A threshold on one ratio. A missing ratio fails the test."""

    ratio: RatioName
    op: Literal[">", ">=", "<", "<="]
    value: Decimal


class Condition(BaseModel):
    """All given fields must hold; an empty condition always holds (the default rule)."""

    products: list[Product] | None = None
    amount_over: Decimal | None = None  # amount > this
    amount_up_to: Decimal | None = None  # amount <= this
    term_months_over: int | None = None
    term_months_up_to: int | None = None
    industries: list[str] | None = None  # case-insensitive
    regions: list[str] | None = None  # case-insensitive
    ratios: list[RatioTest] = Field(default_factory=list)

    @property
    def empty(self) -> bool:
        return self == Condition()

    def clauses(
        self, app: LoanApplication, ratios: Ratios, exposure_total: Decimal | None = None
    ) -> list[tuple[bool, str]]:
        """Each clause with whether it holds and how it reads. Given the borrower's
        `exposure_total` (journey/exposure.py), the amount tests are on it, not the amount."""
        out: list[tuple[bool, str]] = []
        amount, called = ((app.amount, "amount") if exposure_total is None
                          else (exposure_total, "exposure"))
        if self.products is not None:
            names = "/".join(self.products)
            out.append((app.product in self.products, f"product {app.product} in {names}"))
        if self.amount_over is not None:
            ok = amount > self.amount_over
            out.append((ok, f"{called} {money(amount)} > {money(self.amount_over)}"))
        if self.amount_up_to is not None:
            out.append(
                (amount <= self.amount_up_to,
                 f"{called} {money(amount)} <= {money(self.amount_up_to)}")
            )
        if self.term_months_over is not None:
            ok = app.term_months > self.term_months_over
            out.append((ok, f"term {app.term_months} > {self.term_months_over} months"))
        if self.term_months_up_to is not None:
            ok = app.term_months <= self.term_months_up_to
            out.append((ok, f"term {app.term_months} <= {self.term_months_up_to} months"))
        if self.industries is not None:
            ok = app.industry.casefold() in {i.casefold() for i in self.industries}
            out.append((ok, f"industry {app.industry} in {'/'.join(self.industries)}"))
        if self.regions is not None:
            ok = app.region.casefold() in {r.casefold() for r in self.regions}
            out.append((ok, f"region {app.region} in {'/'.join(self.regions)}"))
        for test in self.ratios:
            value = ratios.get(test.ratio)
            ok = value is not None and _OPS[test.op](value, test.value)
            shown = "n/a" if value is None else str(value)
            out.append((ok, f"{test.ratio} {shown} {test.op} {test.value}"))
        return out

    def holds(
        self, app: LoanApplication, ratios: Ratios, exposure_total: Decimal | None = None
    ) -> bool:
        return all(ok for ok, _ in self.clauses(app, ratios, exposure_total))


class RoutingRule(BaseModel):
    id: str = Field(min_length=1)
    when: Condition = Field(default_factory=Condition)
    team: str = Field(min_length=1)
    tier: ApprovalTier
    note: str = ""


class Escalation(BaseModel):
    id: str = Field(min_length=1)
    when: Condition
    raise_tiers: int = Field(default=1, ge=1, le=2)
    note: str = ""


class RoutingPolicy(BaseModel):
    rules: list[RoutingRule] = Field(min_length=1)
    escalations: list[Escalation] = Field(default_factory=list)

    @model_validator(mode="after")
    def _default_last(self) -> RoutingPolicy:
        ids = [r.id for r in self.rules] + [e.id for e in self.escalations]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"rule and escalation ids must be unique; repeated: {dupes}")
        if not self.rules[-1].when.empty:
            raise ValueError(
                f"the last routing rule ({self.rules[-1].id!r}) must be the default: "
                "give it an empty 'when' so every application gets a route"
            )
        return self


class Route(BaseModel):
    team: str
    tier: ApprovalTier
    approvals_required: int = 1
    rule: str
    explanation: str
    inputs: dict[str, str]
    policy_version: str
    escalations: list[str] = Field(default_factory=list)
    # what raised the tier above the rule's, in words, one per escalation or limit (none on
    # routes made before it was kept)
    raised_by: list[str] = Field(default_factory=list)
    # the borrower's exposure the tier was chosen on (None: routed before it was counted)
    exposure: Exposure | None = None
    # earlier routes of the case, in words, when an approval found the exposure risen
    rerouted_from: list[str] = Field(default_factory=list)
    # the lower tier the rules give on the exposure read last, when it fell during the
    # approval and the tier was kept (None: the rules give this tier, or a higher one)
    rules_give: ApprovalTier | None = None
    # the exposure the tier was chosen on, when one read since has fallen and the tier was kept
    # (`exposure` is then the figure read last, which the approvers' limits are checked on)
    chosen_on: Exposure | None = None

    @property
    def decided_on(self) -> Decimal | None:
        """The amount the approvers' limits are weighed on: the borrower's exposure read last,
        when it has more than this application (the tier was chosen on it, or on `chosen_on`
        when it has fallen since); None when it is this application's amount."""
        return self.exposure.beyond_amount if self.exposure else None

    def why_tier(self) -> str:
        """e.g. "tier credit_committee on exposure CNY 62,000,000: this 12,000,000 + ...", the
        tiers the case had, each on the figure that chose it, and why the tier stands when
        the rules would give a lower one on the exposure read last."""
        kept = ([f"kept: an exposure that falls while the case is decided does not lower its "
                 f"tier (the rules give {self.rules_give} on {self._figure(self.exposure)}, "
                 "read last)"] if self.rules_give else [])
        return "; ".join([self.on_what(), *(f"was {was}" for was in self.rerouted_from),
                          *kept])

    def on_what(self) -> str:
        """The tier and the figure that chose it."""
        return f"tier {self.tier} on {self._figure(self.chosen_on or self.exposure)}"

    def _figure(self, exposure: Exposure | None) -> str:
        """"exposure CNY 62,000,000: this 12,000,000 + ...", or "the amount 3,000,000" when
        the borrower has nothing else."""
        if exposure is None or exposure.beyond_amount is None:
            left_out = exposure.leaving_out() if exposure else ""
            return f"the amount {money(Decimal(self.inputs['amount']))}{left_out}"
        return f"exposure {exposure.describe()}"


def rerouted_because(was: Route, now: Route) -> str:
    """Why `now` routes the case where `was` did not, in words: another rule, an escalation or
    a limit that raised the tier since, the borrower's exposure that chose it."""
    causes = [*([f"rule {now.rule} fires, not {was.rule}"] if now.rule != was.rule else []),
              *(r for r in now.raised_by if r not in was.raised_by)]
    if now.exposure is not None and now.decided_on is not None and (
            was.decided_on != now.decided_on):
        causes.append(f"the borrower's exposure is {now.exposure.describe()}")
    return "; ".join(causes) or "the figures read now"


def reroute(current: Route, fresh: Route) -> Route:
    """The case's route on the borrower's exposure as it stands at the approval (`fresh`, on
    the same pinned policy); the risk team that reviewed stays. A higher tier replaces the
    route, the earlier one kept in words. The same tier: the route is the fresh one, its
    explanation on the figures read now. A tier that would fall stays where it was, as a bank
    keeps the authority it chose, with the route that chose it (`chosen_on`); its limits are
    then checked on the exposure now (`exposure`), which is no higher."""
    if fresh.tier.rank < current.tier.rank:
        return current.model_copy(update={
            "exposure": fresh.exposure, "rules_give": fresh.tier,
            "chosen_on": current.chosen_on or current.exposure})
    if fresh.tier is current.tier:
        again = "Re-routed at the approval: " if current.rerouted_from else ""
        return fresh.model_copy(update={
            "team": current.team, "explanation": f"{again}{fresh.explanation}",
            "rerouted_from": current.rerouted_from})
    return fresh.model_copy(update={
        "team": current.team,
        "explanation": f"Re-routed at the approval: {fresh.explanation}",
        "rerouted_from": [*current.rerouted_from, current.on_what()],
    })


def route_inputs(app: LoanApplication, ratios: Ratios) -> dict[str, str]:
    inputs = {
        "amount": str(app.amount),
        "product": str(app.product),
        "term_months": str(app.term_months),
        "industry": app.industry,
        "region": app.region,
    }
    for name in ("debt_to_asset", "current_ratio", "net_margin", "revenue_growth"):
        value = ratios.get(name)
        inputs[name] = "n/a" if value is None else str(value)
    return inputs


def route(
    policy: Policy, application: LoanApplication, ratios: Ratios, exposure: Exposure | None = None
) -> Route:
    """The route of `application`; given the borrower's `exposure`, with other applications
    or loans in it, the rules and the approvers' limits weigh its total instead of the
    amount (统一授信). With none besides this application, the route is the amount's."""
    application = policy.coded(application)  # rules name codes: 房地产开发 is real_estate
    total = exposure.beyond_amount if exposure is not None else None
    rule = next(r for r in policy.routing.rules if r.when.holds(application, ratios, total))
    reasons = [c for ok, c in rule.when.clauses(application, ratios, total) if ok]
    why = " and ".join(reasons) if reasons else "no other rule matched"
    sentence = [f"Rule {rule.id} fired ({why}): {rule.team} reviews, {rule.tier} approves."]
    if exposure is not None and total is not None:
        sentence.insert(0, f"The borrower's exposure is {exposure.describe()}.")
    tier = rule.tier
    fired: list[str] = []
    raised_by: list[str] = []
    for esc in policy.routing.escalations:
        if (esc.when.holds(application, ratios, total)
                and tier is not ApprovalTier.CREDIT_COMMITTEE):
            raised = tier.raised(esc.raise_tiers)
            held = " and ".join(c for _, c in esc.when.clauses(application, ratios, total))
            raised_by.append(f"escalation {esc.id} ({held}) raises the tier to {raised}")
            sentence.append(f"{raised_by[-1][0].upper()}{raised_by[-1][1:]}.")
            tier = raised
            fired.append(esc.id)
    weighed = application.amount if total is None else total
    while not policy.authority.covers(policy.staff, tier, weighed):
        raised = tier.raised()
        called = "" if total is None else "an exposure of "
        raised_by.append(
            f"no {tier} approver has a limit of {called}{money(weighed)}; the tier rises to "
            f"{raised}")
        sentence.append(f"{raised_by[-1][0].upper()}{raised_by[-1][1:]}.")
        fired.append(f"limit:{tier}")
        tier = raised
    return Route(
        team=rule.team,
        tier=tier,
        approvals_required=policy.authority.tier(tier).approvals_required,
        rule=rule.id,
        explanation=" ".join(sentence),
        inputs=route_inputs(application, ratios),
        policy_version=policy.version,
        escalations=fired,
        raised_by=raised_by,
        exposure=exposure,
    )
