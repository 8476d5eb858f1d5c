"""What the customer is told when the application ends without a loan: declined, expired or
withdrawn. The journey's end (workflows/loan_journey.py `finish`) queues the notice; the
stage that ends it says why in the customer's words (`declined_at`, `not_done_by`,
`withdrawal_confirmed`): no staff ids, votes, grades or other borrowers' figures.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from journey.actors import Role
from journey.application import LoanApplication
from journey.decisions import Withdrawal
from journey.policy.pricing import PricingPolicy, Rate, RateBasis
from journey.repayment import money
from journey.stages import Stage

TEMPLATES = {
    Stage.REJECTED: "application_declined",
    Stage.EXPIRED: "application_expired",
    Stage.WITHDRAWN: "application_withdrawn",
}
_ENDED = {Stage.REJECTED: "was declined", Stage.EXPIRED: "expired",
          Stage.WITHDRAWN: "was withdrawn"}
_DECIDED_AT = {
    Stage.RISK_REVIEW: "the bank's credit risk review",
    Stage.APPROVAL: "the bank's credit approval",
    Stage.OFFER: "the loan offer",
}
_ON_BEHALF = {
    Role.RELATIONSHIP_MANAGER: "your relationship manager",
    Role.SUPERVISOR: "a supervisor of the bank",
}


class EndNotice(BaseModel):
    """One outbox message to the customer: its template and body."""

    template: str
    body: str


def end_notice(outcome: Stage, application: LoanApplication, day: date, why: str) -> EndNotice:
    """The notice of an application that ended `outcome` on the bank's `day`, `why` in the
    customer's words."""
    return EndNotice(template=TEMPLATES[outcome], body=(
        f"{your_application(application)} {_ENDED[outcome]} on {day}. {why}"))


def your_application(application: LoanApplication) -> str:
    """The application as the customer's notices name it: its id, product and amount (one
    company may have several applications at once)."""
    product = application.product.value.replace("_", " ")
    return (f"Your application {application.application_id} for a {product} loan of "
            f"{money(application.amount)}")


def declined_at(stage: Stage, reason: str) -> str:
    """A rejection: the stage that decided it and the reason's category in customer words
    (journey/decline_reasons.py `customer_words`, or `rate_outside_band`)."""
    return f"It was decided at {_DECIDED_AT[stage]}. Reason: {reason}."


def rate_outside_band(basis: RateBasis, pricing: PricingPolicy) -> str:
    """Why no offer was made at a rate agreed in the application: its band over the base
    rate in force on the offer's day, the rate and the base only (the customer's own terms)."""
    floor = _percent(basis.base_rate + pricing.lowest_agreed_spread)
    top = pricing.highest_agreed_spread
    band = (f"from {floor} to {_percent(basis.base_rate + top)}" if top is not None
            else f"from {floor}")
    return (f"pricing - the interest rate agreed in the application, "
            f"{_percent(basis.base_rate + basis.spread)}, lies outside what the bank's pricing "
            f"policy allows over the {basis.base} of {_percent(basis.base_rate)} in force that "
            f"day ({band}); a new application may agree a rate within it")


def not_done_by(what: str, deadline: str, asked: str = "") -> str:
    """An expiry: what the customer did not do, by when (the bank's clock), and what was
    `asked` of them, if anything was."""
    return f"{what} by {deadline}" + (f": {asked}." if asked else ".")


def withdrawal_confirmed(withdrawal: Withdrawal) -> str:
    """A withdrawal: confirmed, and who recorded it, the customer or the bank for them."""
    if withdrawal.actor.role is Role.CUSTOMER:
        return "We confirm your withdrawal of the application, as you asked."
    by = _ON_BEHALF.get(withdrawal.actor.role, "the bank's operations")
    return (f"We confirm the withdrawal of the application, recorded on your behalf by {by}; "
            "if you did not ask for it, contact the bank.")


def _percent(rate: Rate) -> str:
    """A rate as a percentage, to two places unless it has more ("7.05%", "7.125%")."""
    return f"{rate:.2%}" if rate == round(rate, 4) else f"{rate.normalize():%}"
