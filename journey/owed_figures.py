"""What a running loan owes on a day, as the bank's ledger says it: the principal not yet
repaid; what is due and unpaid (arrears once past due): principal, interest and penalty
interest (罚息, which the account charges on unpaid interest as on principal: the compound
interest, 复利, is in it, not apart); the interest accrued in the
current period, not yet due; what settles the loan that day (the quote, journey/loan_payments.py);
and apart from these, the interest the plan still schedules for its periods, which is not
owed unless the loan runs them.

One source for `status` and the loan book: both read these figures, from the account and the
quote that settles it on the day (`settlement_quote`, or `payoff_quote` once the whole plan
has fallen due), so that their parts add up to the quote."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel

from journey.loan_account import ZERO, Account


class OwedFigures(BaseModel):
    on: date
    principal: Decimal  # not repaid yet, due or not
    due_principal: Decimal  # of it, due by `on` and unpaid
    due_interest: Decimal  # the interest of instalments due by `on`, unpaid
    penalty: Decimal  # penalty interest accrued to `on`, unpaid
    past_due: Decimal  # arrears: what instalments due before `on` leave unpaid (in the above)
    fee: Decimal  # a prepayment fee left unpaid
    accrued: Decimal  # interest of the current period to `on`, not yet due
    paid_ahead: Decimal  # interest paid on instalments not yet due, beyond none accrued
    to_settle: Decimal  # what settles (or, all due, clears) the loan on `on`
    settle_fee: Decimal  # the prepayment fee in `to_settle` on the principal brought forward
    scheduled_interest: Decimal  # the plan's interest of periods after `on`, not yet paid

    @property
    def due(self) -> Decimal:
        """Due by `on` and unpaid: principal, interest, penalty interest, a fee."""
        return self.due_principal + self.due_interest + self.penalty + self.fee


def owed_figures(account: Account, quote: Account, on: date) -> OwedFigures:
    """The figures of `account` on `on`, `quote` being what settles it that day."""
    due = [s for s in account.instalments if s.due_on <= on and s.settled_on is None]
    later = [s for s in account.instalments if s.due_on > on]
    brought = {s.number: s for s in quote.instalments}
    return OwedFigures(
        on=on,
        principal=account.principal_owed,
        due_principal=sum((s.principal_due - s.principal_paid for s in due), ZERO),
        due_interest=sum((s.interest_due - s.interest_paid for s in due), ZERO),
        penalty=quote.penalty_owed,
        past_due=account.arrears(on),
        fee=account.fee_due - account.fee_paid,
        accrued=sum((brought[s.number].interest_due for s in later), ZERO),
        paid_ahead=sum((s.interest_paid for s in later), ZERO),
        to_settle=quote.owed,
        settle_fee=quote.fee_due - account.fee_due,
        scheduled_interest=sum((s.interest_due - s.interest_paid for s in later), ZERO),
    )
