"""The customer's notice of the payout (template `loan_disbursed`): which application was
paid out, how much, on which of the bank's days, and where the money went: into the
borrower's account (by its last four digits), or, under entrusted payment (受托支付), to the
counterparties of its contracts, each named with its amount and contract; then the first
instalment. The disbursement stage (workflows/loan_journey.py `disbursement`) queues it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from journey.application import LoanApplication
from journey.end_notices import your_application
from journey.entrusted_payment import Counterparty
from journey.repayment import Instalment, money


def payout_notice(application: LoanApplication, paid: Decimal, day: date, first: Instalment,
                  payees: Sequence[Counterparty] = ()) -> str:
    """The `loan_disbursed` body: `payees`, the counterparties an entrusted payout paid
    (none: the borrower was paid, into the account its application names, by its last four
    digits as a bank's notice says it)."""
    into = application.settlement_account  # none on an application from before it was asked
    yours = f"into your account ending {into.ending}" if into is not None else "into your account"
    to = (yours if not payees else
          "as entrusted payment (受托支付), to the counterparties of your contracts, not into "
          "your account: " + "; ".join(f"{c.name}, {money(c.amount)} under contract "
                                       f"{c.contract}" for c in payees))
    return (f"{your_application(application)} was paid out on {day}: {money(paid)} {to}. "
            f"The first instalment, {money(first.payment)}, is due on {first.due_on}.")
