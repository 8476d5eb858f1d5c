"""Pricing policy: the base rates a loan's rate is set over, and the spreads on top.

A loan's rate is its term's base rate (the loan prime rate: 1-year LPR for terms up to
five years, 5-year LPR beyond) plus a spread per risk-grade step below the best and one per
product. The base rates are data in the policy file, pinned by the journeys that start under
it; an offer is priced over the LPR fixing the bank recorded by its day when there is one
(journey/lpr.py `priced_on`), over the policy's base rate otherwise. A policy file without a
pricing section prices as this project always did: the 1-year LPR of 3.10% for every term.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from journey.application import Product

Rate = Decimal  # a yearly rate as a fraction: 0.0310 is 3.10%


class BaseRate(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=40)  # as offers show it, e.g. "1y LPR"
    rate: Rate = Field(ge=0, lt=1)
    up_to_months: int | None = Field(default=None, ge=1)  # None: every longer term


class RateBasis(BaseModel):
    """How an offered rate was set: the base rate and the spread over it (below it when
    negative); `agreed`, a rate agreed in the application rather than the policy's price."""

    base: str
    base_rate: Rate
    spread: Rate
    agreed: bool = False
    # the LPR fixing the base rate is, by its date; None: the pinned policy's base rate
    fixed_on: date | None = None


def spread_text(spread: Rate) -> str:
    """A spread as an offer writes it after its base rate: "+ 0.75%", "- 0.20%"."""
    return f"{'-' if spread < 0 else '+'} {abs(spread):.2%}"


def _base_text(basis: RateBasis) -> str:
    """A basis's base rate as refusals name it: "1y LPR 3.05% of 2026-11-20"."""
    of = f" of {basis.fixed_on}" if basis.fixed_on is not None else ""
    return f"{basis.base} {basis.base_rate:.2%}{of}"


def _one_lpr() -> list[BaseRate]:
    return [BaseRate(name="1y LPR", rate=Decimal("0.0310"))]


def _product_spreads() -> dict[Product, Rate]:
    return {Product.WORKING_CAPITAL: Decimal("0.0000"), Product.FIXED_ASSET: Decimal("0.0040"),
            Product.PROJECT_FINANCE: Decimal("0.0080")}


class PricingPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # shortest terms first; the last one has no `up_to_months` and prices every longer term
    base_rates: list[BaseRate] = Field(default_factory=_one_lpr, min_length=1)
    spread_per_grade: Rate = Field(default=Decimal("0.0025"), ge=0, lt=1)  # per step below 1
    product_spread: dict[Product, Rate] = Field(default_factory=_product_spreads)
    # the lowest spread over the term's base rate a rate agreed in an application may have
    lowest_agreed_spread: Rate = Field(default=Decimal("-0.0050"), gt=-1, lt=1)
    # the highest: the bank's cap (from 2026.12-5, +4.00%: above the policy's own price for
    # the worst grade of any product, far below the courts' protection ceiling of four times
    # the 1-year LPR); None in policies pinned before it: no ceiling, as then
    highest_agreed_spread: Rate | None = Field(default=None, gt=-1, lt=1)
    # 承诺费: a year, on a project's undrawn commitment while it draws, charged quarterly
    # with the interest (journey/availability_interest.py); none in policies pinned before it
    commitment_fee: Rate = Field(default=Decimal("0"), ge=0, lt=Decimal("0.05"))

    @model_validator(mode="after")
    def _covers_every_term(self) -> PricingPolicy:
        if (self.highest_agreed_spread is not None
                and self.highest_agreed_spread <= self.lowest_agreed_spread):
            raise ValueError(
                f"pricing: highest_agreed_spread {self.highest_agreed_spread} is not above "
                f"lowest_agreed_spread {self.lowest_agreed_spread}: no agreed rate could pass")
        *bounded, last = self.base_rates
        if last.up_to_months is not None:
            raise ValueError(
                f"pricing: the last base rate ({last.name}) prices every longer term, so it "
                "has no up_to_months"
            )
        terms = [b.up_to_months for b in bounded]
        if any(t is None for t in terms) or terms != sorted(set(terms)):  # type: ignore[type-var]
            raise ValueError("pricing: base rates go from the shortest term up, each with a "
                             "longer up_to_months than the one before, and only the last open")
        return self

    def basis(self, term_months: int, grade_steps: int, product: Product) -> RateBasis:
        """The rate basis of a loan of `term_months`, `grade_steps` below the best grade."""
        base = self._base(term_months)
        spread = self.spread_per_grade * grade_steps + self.product_spread.get(product, Rate(0))
        return RateBasis(base=base.name, base_rate=base.rate, spread=spread)

    def agreed_basis(self, rate: Rate, term_months: int) -> RateBasis:
        """The basis of a rate agreed in an application: its spread over the term's base."""
        base = self._base(term_months)
        return RateBasis(base=base.name, base_rate=base.rate, spread=rate - base.rate,
                         agreed=True)

    def agreed_gap(self, rate: Rate, term_months: int, grade_steps: int, product: Product
                   ) -> str | None:
        """An agreed rate against the policy's price for the grade, in words; None when it
        is not below it."""
        price = self.basis(term_months, grade_steps, product)
        priced = price.base_rate + price.spread
        if rate >= priced:
            return None
        return (f"agreed {rate:.4%}, {priced - rate:.2%} below the policy's price of "
                f"{priced:.4%} for grade {grade_steps + 1} ({price.base} {price.base_rate:.2%}"
                f" + {price.spread:.2%})")

    def agreed_refusal(self, agreed: RateBasis) -> str | None:
        """Why the rate of `agreed` (an agreed basis, over the term's base rate: the LPR
        fixing in force, journey/pricing.py `agreed_on`, else the policy's) is below or above
        what the policy lets one be: its floor and, where it has one, its ceiling over it."""
        rate, base = agreed.base_rate + agreed.spread, _base_text(agreed)
        if agreed.spread < self.lowest_agreed_spread:
            floor = agreed.base_rate + self.lowest_agreed_spread
            return (f"the agreed rate {rate:.4%} is below the policy's floor of {floor:.4%} "
                    f"({base} {self.lowest_agreed_spread:+.2%}): agree a higher rate, or "
                    "leave annual_rate out to price by the policy")
        if self.highest_agreed_spread is None or agreed.spread <= self.highest_agreed_spread:
            return None
        ceiling = agreed.base_rate + self.highest_agreed_spread
        return (f"the agreed rate {rate:.4%} is above the policy's ceiling of {ceiling:.4%} "
                f"({base} {self.highest_agreed_spread:+.2%}): agree a lower rate, or leave "
                "annual_rate out to price by the policy")

    def _base(self, term_months: int) -> BaseRate:
        return next(b for b in self.base_rates
                    if b.up_to_months is None or term_months <= b.up_to_months)
