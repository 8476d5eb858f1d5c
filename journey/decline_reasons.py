"""Why a case is declined, as a category its decider states with a rejection, and the words
the customer's notice gives for it (journey/end_notices.py).

The decider's own reason stays in the bank's record only: it may name people, votes, grades or
other borrowers' figures, which a bank does not send to an applicant. The category is what
the customer is told.
"""

from __future__ import annotations

from enum import StrEnum


class DeclineReason(StrEnum):
    REPAYMENT_CAPACITY = "repayment_capacity"
    LEVERAGE = "leverage"
    CREDIT_HISTORY = "credit_history"
    SECURITY = "security"
    INDUSTRY = "industry"
    INFORMATION = "information"
    CREDIT_LIMITS = "credit_limits"
    OTHER = "other"


CUSTOMER_WORDS: dict[DeclineReason, str] = {
    DeclineReason.REPAYMENT_CAPACITY:
        "repayment capacity - the business's cash flow does not cover the repayments",
    DeclineReason.LEVERAGE: "indebtedness - the business's debts are too high for the loan",
    DeclineReason.CREDIT_HISTORY: "credit history - the business's record of repaying credit",
    DeclineReason.SECURITY: "security - the collateral or guarantees do not cover the loan",
    DeclineReason.INDUSTRY: "industry - the bank does not lend to the business's sector on "
                            "these terms",
    DeclineReason.INFORMATION:
        "information - what the application states could not be verified",
    DeclineReason.CREDIT_LIMITS: "credit limits - the loan would take the bank's lending to "
                                 "the business beyond its limits",
    DeclineReason.OTHER: "the bank's overall credit assessment",
}


def customer_words(reasons: list[DeclineReason | None]) -> str:
    """What the customer is told of `reasons` (those of each vote against, in order; a
    rejection that states none counts as OTHER), each category once."""
    said = dict.fromkeys(r or DeclineReason.OTHER for r in reasons) or {DeclineReason.OTHER: None}
    return "; ".join(CUSTOMER_WORDS[r] for r in said)
