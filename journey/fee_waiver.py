"""Project finance: waiving the commitment fee of a project that drew nothing (费用减免).

A project that closes with nothing drawn owes the commitment fee it accrued, with penalty
interest once past due (journey/availability_interest.py, `fees_at_close`), and its journey
ends once that is paid. The bank may forgo it instead: the supervisor of the loan's risk team
waives what is left of it, the fee and its penalty interest still owed, with a reason. What
was paid stays paid; the waiver settles the rest, as a payment would but counted apart from
the payments (`as_settlement`), and the journey ends as if it were paid.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, Field

from journey.actors import Actor
from journey.loan_account import Account, Payment

WAIVED = "commitment fee waived"  # the reference the waiver settles the fee account under


class FeeWaiver(BaseModel):
    """The update's input: who waives the commitment fee left, and why."""

    actor: Actor
    reason: str = Field(min_length=2, max_length=2000)


class WaivedFee(BaseModel):
    """What a waiver forgave: the fee and penalty interest still owed on its day, by whom,
    when and why."""

    amount: Decimal  # fee and penalty interest
    penalty: Decimal  # of it, penalty interest
    by: str
    at: datetime
    on: date  # the loan's day
    reason: str

    def text(self) -> str:
        return (f"{self.amount:,} waived (penalty interest {self.penalty:,} of it) by {self.by} "
                f"on {self.on}: {self.reason}")

    def as_settlement(self, order: int) -> Payment:
        """The waiver applied to the fee account: it settles what was left that day."""
        return Payment(reference=WAIVED, amount=self.amount, paid_on=self.on, order=order)


def waived(account: Account, waiver: FeeWaiver, at: datetime, on: date) -> WaivedFee:
    """What `waiver` forgives of the fee `account`, drawn up to `on`: all it leaves owed."""
    return WaivedFee(amount=account.owed, penalty=account.penalty_owed, by=waiver.actor.id,
                     at=at, on=on, reason=waiver.reason)
