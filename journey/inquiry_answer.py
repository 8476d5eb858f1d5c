"""What the customer is told when it asks about its journey: where a running one stands, or
how one that has ended ended.

The answer goes to the customer, whoever records the inquiry (the customer itself, or front
office staff answering it): which application, where it stands in the customer's words (what
the bank waits for from them and by when, or what the bank is doing), or the outcome in the
bank's words and the bank's day it ended on, never the journey's `outcome_reason`, which
quotes the risk officer's or the approvers' notes, nor its teams, stages or staff ids. Staff
read those in `status`.
"""

from __future__ import annotations

from datetime import timedelta, timezone

from journey.application import LoanApplication
from journey.end_notices import your_application
from journey.repayment import money
from journey.stages import Stage
from journey.status import JourneyStatus

# what the bank is doing with a running application, for the customer, by stage
_AT_THE_BANK: dict[Stage, str] = {
    Stage.INTAKE: "the bank has received it and is reading its documents",
    Stage.DOCUMENTS: "the bank is reading its documents",
    Stage.COMPLETENESS: "the bank is checking its documents",
    Stage.ROUTING: "its documents are complete, and it goes to the bank's credit risk review",
    Stage.RISK_REVIEW: "the bank's credit risk review is assessing it",
    Stage.APPROVAL: "the bank's credit approval is deciding on it",
    Stage.DISBURSEMENT: "the loan is approved and signed, and the bank is paying it out",
    Stage.POST_LOAN: "the loan is paid out and being repaid",
}


def running_answer(application: LoanApplication, stage: Stage, awaited: str,
                   until: str | None) -> str:
    """The answer to an inquiry about a running journey at `stage`: `awaited`, what the bank
    asked the customer for (their words, at completeness); `until`, when that request or the
    offer expires on the bank's clock."""
    yours = your_application(application)
    by = f", by {until}" if until else ""
    if stage is Stage.COMPLETENESS and awaited:
        return (f"{yours}: the bank waits for what it asked you for{by}: {awaited}. Send it in "
                "the bank's app, on its web site or with your relationship manager.")
    if stage is Stage.OFFER:
        return (f"{yours}: the bank's loan offer waits for your signature{by}; sign it in the "
                "bank's app, on its web site or with your relationship manager.")
    return f"{yours}: {_AT_THE_BANK.get(stage, 'the bank is working on it')}."

# the outcome as the customer hears it, after the day it came
CUSTOMER_OUTCOME: dict[Stage, str] = {
    Stage.REJECTED: "the bank could not approve the application; your relationship manager "
                    "will explain",
    Stage.WITHDRAWN: "the application was withdrawn",
    Stage.EXPIRED: "the application expired before it was completed or signed; apply again "
                   "if you still need the loan",
    Stage.CLOSED: "the loan account was closed",
}


def ended_answer(s: JourneyStatus) -> str:
    """The answer to an inquiry about `s`, a journey that has ended: which application, as a
    running one's answer and the customer's notices name it (not the journey's id nor its
    stage: "loan-APP-1 has ended ..., withdrawn: ..." was staff's words read to the
    customer), when (the bank's day, by the calendar the journey pinned; UTC for a journey
    that pinned none) and how."""
    offset = s.bank_utc_offset or 0
    zone = "UTC" if s.bank_utc_offset is None else f"the bank's day, UTC{offset:+d}"
    ended = s.timeline[-1].entered_at if s.timeline else None
    day = ended.astimezone(timezone(timedelta(hours=offset))) if ended else None
    on = f" on {day:%Y-%m-%d} ({zone})" if day else ""
    return f"{_yours(s)} ended{on}: {CUSTOMER_OUTCOME[s.stage]}."


def _yours(s: JourneyStatus) -> str:
    """The application as `your_application` names it, from what the status says of it (its
    id alone where it says no product or amount)."""
    if s.product is None or s.amount is None:
        return f"Your application {s.application_id}"
    product = s.product.value.replace("_", " ")
    return f"Your application {s.application_id} for a {product} loan of {money(s.amount)}"
