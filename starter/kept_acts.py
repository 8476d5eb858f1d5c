"""The acts a command line keeps as pending instructions when no worker takes them, and what
their typist is told besides."""

from __future__ import annotations

from pydantic import BaseModel

from journey.booking_conflicts import BookingResolution
from journey.class_judgement import ClassifyLoan
from journey.decisions import (
    AddDocuments,
    Amendment,
    ApprovalDecision,
    Reassignment,
    Repayment,
    RiskOpinion,
    Signature,
    UpdateResult,
    Withdrawal,
    WriteOff,
    WrittenAnswer,
)
from journey.drawdowns import DrawdownDecision, DrawdownOutcome, DrawdownRequest
from journey.entrusted_payment import PaymentConfirmation, PaymentInstruction
from journey.fee_waiver import FeeWaiver
from journey.post_loan_warnings import AcknowledgeWarning
from journey.reading_corrections import ReadingCorrection
from journey.touchpoints import Feedback, Inquiry

# The acts people type, kept when no worker takes them: money, decisions, documents, and what
# customers say and ask; each update's input, and what it answers.
KEPT: dict[str, tuple[type[BaseModel], type[BaseModel]]] = {
    "record_repayment": (Repayment, UpdateResult),
    "record_risk_opinion": (RiskOpinion, UpdateResult),
    "decide": (ApprovalDecision, UpdateResult),
    "answer_question": (WrittenAnswer, UpdateResult),
    "sign": (Signature, UpdateResult),
    "withdraw": (Withdrawal, UpdateResult),
    "amend_application": (Amendment, UpdateResult),
    "reassign": (Reassignment, UpdateResult),
    "correct_reading": (ReadingCorrection, UpdateResult),
    "acknowledge_warning": (AcknowledgeWarning, UpdateResult),
    "write_off": (WriteOff, UpdateResult),
    "classify_loan": (ClassifyLoan, UpdateResult),
    "record_payment_instruction": (PaymentInstruction, UpdateResult),
    "confirm_payment_instruction": (PaymentConfirmation, UpdateResult),
    "resolve_booking_conflict": (BookingResolution, UpdateResult),
    "request_drawdown": (DrawdownRequest, DrawdownOutcome),
    "decide_drawdown": (DrawdownDecision, DrawdownOutcome),
    "waive_commitment_fee": (FeeWaiver, UpdateResult),
    "add_documents": (AddDocuments, UpdateResult),  # DOCUMENTS: sent as `sent_as` says
    "record_feedback": (Feedback, UpdateResult),
    "record_inquiry": (Inquiry, UpdateResult),
}
# The kept acts that are votes (an approval, a credit committee's write-off): one delivered
# that does not count (set aside, or refused: its voter no longer eligible, the stage moved
# on) is no success for its delivery.
VOTES = {"decide", "write_off"}
# What a kept act's typist is told besides: an inquiry waits for its answer.
MEANWHILE = {
    "record_inquiry": " Tell the customer the inquiry is taken and answered, with where the "
                      "loan stands, once a worker takes it: the delivery prints the answer",
}
