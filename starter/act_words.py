"""Each act a journey takes, in the bank's words: what the command line tells the people who
type it ("risk opinion refused: ...", "documents: accepted; ..."), where the workflow's update
names (record_risk_opinion, add_documents) read as code.

Only the messages people read use these words. Machines and auditors keep the update names:
the refusals table, a pending instruction's stored act, JSON output, the history and audits.
"""

from __future__ import annotations

# every update a journey defines (tests/test_act_words.py fails on one without words)
ACT_WORDS: dict[str, str] = {
    "acknowledge_warning": "warning acknowledgement",
    "add_documents": "documents",
    "add_statements": "statements",
    "amend_application": "amendment",
    "answer_question": "answer",
    "classify_loan": "loan classification",
    "confirm_payment_instruction": "payment instruction confirmation",
    "correct_reading": "reading correction",
    "decide": "approval vote",
    "decide_drawdown": "drawdown decision",
    "reassign": "reassignment",
    "record_feedback": "feedback",
    "record_inquiry": "inquiry",
    "record_payment_instruction": "payment instruction",
    "record_repayment": "repayment",
    "record_risk_opinion": "risk opinion",
    "record_schedule_change": "review schedule change",
    "request_drawdown": "drawdown request",
    "resolve_booking_conflict": "booking conflict settlement",
    "sign": "signature",
    "waive_commitment_fee": "commitment fee waiver",
    "withdraw": "withdrawal",
    "write_off": "write-off vote",
}


def act_words(update: str) -> str:
    """`update` as the bank names the act; an update without words (none, while the test
    holds) as its own name, so a message is never lost for the want of a word."""
    return ACT_WORDS.get(update, update)
