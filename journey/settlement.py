"""Where a loan's payout to the borrower goes: the settlement account (结算账户) the
application names, which `start` requires before anything reaches a history."""

from __future__ import annotations

from decimal import Decimal

from journey.application import LoanApplication, Product
from journey.policy.completeness import names_company
from journey.policy.entrusted import entrusted

SAMPLE = "samples/applications/demo-001.json"


def pays_the_borrower(application: LoanApplication, over: Decimal | None) -> bool:
    """Whether the bank may pay any of the loan into the borrower's own account: a payout
    above the pinned policy's figure `over` for its product goes to the counterparties (受托
    支付) alone; a project's drawdowns each may go to the borrower, below that figure."""
    return application.product is Product.PROJECT_FINANCE or \
        not entrusted(application.amount, over)


def settlement_refusal(application: LoanApplication, over: Decimal | None) -> str | None:
    """Why `application` cannot start: a loan paid to the borrower names the account it goes
    into (`settlement_account`), and that account is the borrower's own, its name read as the
    entrusted payee check reads one (`names_company`: the applicant's name within it, so with
    an account note such as (基本户), or its credit code)."""
    account = application.settlement_account
    if account is None:
        if not pays_the_borrower(application, over):
            return None
        return ("settlement_account is missing: the bank pays the loan into the borrower's "
                "settlement account (结算账户); give its name, account and bank, as "
                f"\"settlement_account\" in {SAMPLE} does")
    if not names_company(account.name, application.applicant_name, application.credit_code):
        return (f"settlement_account is in the name of {account.name}, not the borrower "
                f"{application.applicant_name}: the loan is paid into the borrower's own "
                "account; give that one (see \"settlement_account\" in " + SAMPLE + ")")
    return None
