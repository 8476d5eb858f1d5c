"""Financial covenants: part of each loan's terms, checked at every post-loan review.

A loan's covenants are fixed when the offer is made (`loan_covenants` in
journey/post_loan_policy.py): the post-loan policy's list for the product (or its default
list), each limit tightened for weaker borrowers by the policy's grade rules (`tightened`).
The offer keeps them, so a later policy change never alters a signed loan. Pure: no I/O,
no clock.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from journey.decisions import RiskGrade

RatioName = Literal["debt_to_asset", "current_ratio", "net_margin", "revenue_growth", "dscr"]


class Covenant(BaseModel):
    """A financial covenant of the loan terms: `ratio` must stay at or under/over `limit`."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(min_length=1, max_length=64)
    ratio: RatioName
    bound: Literal["max", "min"]
    limit: Decimal
    basis: str = ""  # where the limit comes from, for the audit trail

    @property
    def requirement(self) -> str:
        return f"{self.ratio} {'<=' if self.bound == 'max' else '>='} {self.limit}"

    def describe(self) -> str:
        return f"{self.id}: {self.requirement}"


class CovenantTightening(BaseModel):
    """For borrowers graded `from_grade` or worse, `ratio`'s limit moves `step` towards
    safety: a maximum comes down, a minimum goes up. Rules that match add up."""

    model_config = ConfigDict(frozen=True)

    from_grade: int = Field(ge=1, le=10)
    ratio: RatioName
    step: Decimal = Field(gt=0)


class CovenantCheck(BaseModel):
    covenant: Covenant
    value: Decimal | None  # None: the statements do not give this ratio
    breached: bool
    detail: str


def tightened(
    covenants: list[Covenant], rules: list[CovenantTightening], grade: RiskGrade, basis: str
) -> list[Covenant]:
    """`covenants` with each limit moved by the rules that match `grade`; `basis` says where
    the untightened limits come from."""
    out = []
    for c in covenants:
        step = sum(
            (r.step for r in rules if r.ratio == c.ratio and int(grade.value) >= r.from_grade),
            Decimal(0),
        )
        limit = c.limit - step if c.bound == "max" else c.limit + step
        why = f"{basis}, limit {c.limit}"
        if step:
            why += f", tightened by {step} for risk grade {grade.value}"
        out.append(c.model_copy(update={"limit": limit, "basis": why}))
    return out


def check_covenants(
    covenants: list[Covenant],
    values: dict[str, Decimal | None],
    notes: dict[str, str] | None = None,
) -> list[CovenantCheck]:
    """Each covenant against the review's ratios; `notes` say why a ratio has no value."""
    checks = []
    for c in covenants:
        value = values.get(c.ratio)
        if value is None:
            why = (notes or {}).get(c.ratio, "the statements do not give it")
            checks.append(CovenantCheck(
                covenant=c, value=None, breached=False,
                detail=f"{c.id}: {c.ratio} not available: {why}",
            ))
            continue
        breached = value > c.limit if c.bound == "max" else value < c.limit
        word = "above the maximum" if c.bound == "max" else "below the minimum"
        detail = f"{c.id}: {c.ratio} {value} {word} {c.limit}" if breached else (
            f"{c.id}: {c.ratio} {value} within {c.bound} {c.limit}"
        )
        checks.append(CovenantCheck(covenant=c, value=value, breached=breached, detail=detail))
    return checks
