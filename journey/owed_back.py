"""Money owed back to its payer: what a loan was paid beyond its whole plan (its account's
credit, journey/payment_allocation.py), by the payment that overpaid it.

Each payment's part is what it paid beyond the whole plan as the account allocates it
(journey/money_booked.py `beyond_plan_by_payment`): the payments of one value date in the
order they were booked, so that the money is owed back under the payment that came once the
plan was paid, and goes back to the account that payment came from, not to the day's last
payment's (two payers' payments of one day). The same allocation as the book's money
received, so that what `refunds` lists and what `book` shows owed back agree to the fen.
Where the account cannot be drawn up again from its payments, the whole credit is owed back
under the last payment."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel

from journey.loan_account import ZERO
from journey.money_booked import beyond_plan_by_payment, booked
from journey.repayment import money
from journey.status import JourneyStatus

# the notice a loan repaid with a credit balance queues for operations (workflows/post_loan.py):
# the journeys that may owe money back
REFUND_DUE = "overpayment_refund_due"


class Overpaid(BaseModel):
    """A payment that paid beyond the whole plan, and by how much."""

    payment: str  # its reference
    paid_on: date  # its value date
    amount: Decimal  # how much it paid beyond the whole plan


def overpaid(s: JourneyStatus) -> list[Overpaid]:
    """The payments of journey `s` that paid beyond its whole plan, oldest first; none when
    its account owes nothing back."""
    if s.account is None or s.account.credit <= 0 or not s.payments:
        return []
    found = []
    for day in sorted({p.paid_on for p in s.payments}):
        b = booked(s, day, day)
        if b is not None and b.kinds.beyond_plan > 0:
            found += [Overpaid(payment=p.reference, paid_on=day, amount=amount)
                      for p, amount in beyond_plan_by_payment(s, day) if amount > 0]
    if sum((o.amount for o in found), ZERO) != s.account.credit:
        last = s.payments[-1]
        return [Overpaid(payment=last.reference, paid_on=last.paid_on, amount=s.account.credit)]
    return found


def credit_said(credit: Decimal, refunded: Decimal) -> str:
    """A loan's credit, for `status`: what it was paid beyond the whole plan, what of it is
    still owed back, and what was refunded (`refunded`, the refunds of it recorded)."""
    return (f"{money(credit)} paid beyond the whole plan, {money(credit - refunded)} owed back"
            + (f", {money(refunded)} refunded" if refunded else ""))
