"""What a refused drawdown's notice tells the customer: what was decided and what they can
do, in plain words.

The conditions' explanations (journey/drawdown_conditions.py) and the risk officer's reason
stay in the bank's record (status, `drawdown show`, the audit trail): they name the
conditions' labels, the command line's options, internal warnings' codes and the officer's
own notes, which a bank does not send to a customer. A refusal by the bank tells the category
of its reason, as an application's decline does (journey/decline_reasons.py).
"""

from __future__ import annotations

from journey.decline_reasons import DeclineReason, customer_words
from journey.drawdown_conditions import DrawdownFacts, smaller_drawdown
from journey.drawdowns import DrawdownRecord, Tranche
from journey.repayment import money

# each document a tranche's conditions ask for, as the customer knows it
DOCUMENT_WORDS = {
    "planning_permit": "the planning permit",
    "capital_proof": "the proof that the project's capital is in place",
    "construction_progress": "the construction progress report",
    "insurance": "the project's insurance certificate",
    "equipment_delivery": "the equipment delivery note",
    "income_statement": "the latest income statement",
}
ASK_AGAIN = "You can ask for the drawdown again once you have done so."


def document_words(label: str) -> str:
    return DOCUMENT_WORDS.get(label, "the " + label.replace("_", " "))


def your_request(record: DrawdownRecord, tranche: Tranche) -> str:
    """The drawdown, as the customer asked for it (the notice names its tranche first)."""
    return f"your request for {money(record.request.amount)} ({tranche.milestone})"


def conditions_not_met(record: DrawdownRecord, tranche: Tranche, facts: DrawdownFacts) -> str:
    """The notice of a drawdown its conditions refused: each unmet one and what to do."""
    sent = {d.label for d in record.request.documents}
    said: list[str] = []
    for condition in (c for c in record.conditions if not c.met):
        kind, _, label = condition.condition.partition(" ")
        if kind == "document":
            said.append(f"{document_words(label)} could not be accepted: please send a clear, "
                        "complete copy again" if label in sent else
                        f"{document_words(label)} is missing: please send it with the request")
        elif kind == "min_dscr":
            said.append(_cash_flow(record, tranche, facts))
        else:  # an event of default: the bank's matter to raise, not a notice's
            said.append("the bank has a matter to settle with you on the loan first: your "
                        "relationship manager will contact you")
    return (f"{your_request(record, tranche)} was not approved: " + "; ".join(said) + ". "
            + ASK_AGAIN)


def _cash_flow(record: DrawdownRecord, tranche: Tranche, facts: DrawdownFacts) -> str:
    if facts.dscr is None:
        return ("the bank has no income statement on file to check that the project's income "
                "covers the repayments: please send the latest one with the request")
    floor = next((c.value for c in tranche.checks if c.kind == "min_dscr" and c.value), None)
    smaller = smaller_drawdown(facts, floor, record.request) if floor is not None else None
    return ("the project's income on file does not cover the repayments this drawdown would "
            "bring: please send the latest income statement with the request"
            + (f", or ask for {money(smaller)} or less" if smaller is not None else ""))


def refused_by_bank(record: DrawdownRecord, tranche: Tranche,
                    category: DeclineReason | None) -> str:
    """The notice of a drawdown the bank refused: the category of its reason, never the
    reason itself."""
    return (f"{your_request(record, tranche)} was not approved. The reason: "
            f"{customer_words([category])}. Your relationship manager can tell you what the "
            "bank needs before you ask again.")
