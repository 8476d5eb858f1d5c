"""Loan amounts: the least amount the bank lends under each product.

The minimums are the bank's own choice (its credit policy, set by its credit committee), not a
regulator's: below them a corporate loan does not pay for its due diligence, risk review,
approval and years of post-loan monitoring, and such borrowers are served by the bank's
small-business (普惠) products instead. The figures live in the policy file with a note saying
whose choice they are. A policy pinned before the minimums were policy (before 2026.12-3)
has no `amounts` section: any positive amount is taken, as it was then. There is no maximum:
an amount above every approver's limit goes to the credit committee (routing and authority).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from journey.application import Product

Yuan = Annotated[Decimal, Field(gt=0, max_digits=16, decimal_places=2)]


class AmountPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    minimum: dict[Product, Yuan]  # every product's least amount, in yuan
    note: str = ""  # where the figures come from, as the bank's credit policy records it

    @model_validator(mode="after")
    def _every_product(self) -> AmountPolicy:
        if missing := [p.value for p in Product if p not in self.minimum]:
            raise ValueError(f"amounts.minimum has no entry for {', '.join(missing)}: add one")
        return self

    def refusal(self, product: Product, amount: Decimal, version: str) -> str | None:
        """Why `amount` is too small for a `product` loan under policy `version`, or None."""
        least = self.minimum[product]
        if amount >= least:
            return None
        return (f"the amount {amount:,} yuan is below the least the bank lends for a "
                f"{product.value} loan, {least:,} yuan (policy {version}): apply for at least "
                f"{least:,}")
