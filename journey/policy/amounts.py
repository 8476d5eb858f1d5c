"""Loan amounts: the least amount the bank lends under each product.

The minimums are the bank's own choice (its credit policy, set by its credit committee), not a
regulator's: below them a corporate loan does not pay for its due diligence, risk review,
approval and years of post-loan monitoring, and such borrowers are served by the bank's
small-business (普惠) products instead. The figures live in the policy file with a note saying
whose choice they are. A policy pinned before the minimums were policy (before 2026.12-3)
has no `amounts` section: any positive amount is taken, as it was then. There is no maximum
amount: one above every approver's limit goes to the credit committee (routing and authority).

The longest term lent under each product is the bank's choice too (from 2026.12-5): working
capital (流动资金贷款) finances the operating cycle and is short-term by nature, so at most
36 months; fixed-asset loans follow the asset's useful life, at most 120 months; project
finance is repaid from the project's own cash flow over its concession, at most 300 months.
A policy pinned before (2026.12-3, 2026.12-4) has no `maximum_term_months`: any term the
application takes (up to 360 months), as then.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from journey.application import Product
from journey.repayment import money

Yuan = Annotated[Decimal, Field(gt=0, max_digits=16, decimal_places=2)]
Months = Annotated[int, Field(ge=1, le=360)]  # as long as an application's term may be


class AmountPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    minimum: dict[Product, Yuan]  # every product's least amount, in yuan
    # every product's longest term, in months; None (policies before 2026.12-5): any term
    maximum_term_months: dict[Product, Months] | None = None
    note: str = ""  # where the figures come from, as the bank's credit policy records it

    @model_validator(mode="after")
    def _every_product(self) -> AmountPolicy:
        for name, per_product in (("minimum", self.minimum),
                                  ("maximum_term_months", self.maximum_term_months)):
            if per_product is not None and (
                missing := [p.value for p in Product if p not in per_product]
            ):
                raise ValueError(f"amounts.{name} has no entry for {', '.join(missing)}: "
                                 "add one")
        return self

    def refusal(self, product: Product, amount: Decimal, version: str) -> str | None:
        """Why `amount` is too small for a `product` loan under policy `version`, or None."""
        least = self.minimum[product]
        if amount >= least:
            return None
        return (f"the amount {money(amount)} yuan is below the least the bank lends for a "
                f"{product.value} loan, {money(least)} yuan (policy {version}): apply for at least "
                f"{money(least)}")

    def term_refusal(self, product: Product, term_months: int, version: str) -> str | None:
        """Why `term_months` is too long for a `product` loan under policy `version`, or
        None (also when the policy has no maximum terms)."""
        if self.maximum_term_months is None:
            return None
        longest = self.maximum_term_months[product]
        if term_months <= longest:
            return None
        return (f"the term of {term_months} months is longer than the bank lends a "
                f"{product.value} loan for, {longest} months (policy {version}): apply for "
                f"at most {longest} months")
