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


def stated(reasons: list[DeclineReason | None]) -> list[str]:
    """The categories of `reasons` as the bank records them (none stated: other)."""
    return [(r or DeclineReason.OTHER).value for r in reasons]


# the detail of a declined journey's end in its timing events (the bank's record, never the
# customer's notice): "declined for: leverage, repayment_capacity"
_DECLINED_FOR = "declined for: "


def declined_for(categories: list[str]) -> str:
    """The detail a decline's end records: its reason categories, each once, in order (none
    stated: other)."""
    return _DECLINED_FOR + ", ".join(dict.fromkeys(categories) or [DeclineReason.OTHER])


def decline_categories(detail: str | None) -> list[str]:
    """The categories `declined_for` recorded in `detail`; none for an end that recorded none
    (declined before the journey recorded them, or no decline)."""
    if not detail or not detail.startswith(_DECLINED_FOR):
        return []
    return detail.removeprefix(_DECLINED_FOR).split(", ")
