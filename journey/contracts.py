"""Inputs and results of the journey's activities, by activity name.

Workflows call activities by these names with these models, so workflow code never
imports the modules that do I/O (opencv, SQLAlchemy, files).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

from journey.application import LoanApplication
from journey.documents import DocumentReading, DocumentRef, ReadStatus
from journey.exposure import ROUTE_ON_EXPOSURE, Exposure
from journey.lpr import READ_LPR_FIXING, LprFixing
from journey.policy import Policy, Route, WorkingCalendar, compute_ratios, route
from journey.timeline import TimingEvent

LOAD_POLICY = "load_policy"
READ_DOCUMENT = "read_document"
KEEP_READING = "keep_reading"
# keeps what a read returned, on the journey's own queue: the reader holds no database
KEEP_NEW_READING = "keep_new_reading"
CHECK_COMPLETENESS = "check_completeness"
ROUTE_CASE = "route_case"
RECORD_TIMING = "record_timing_events"
BOOK_DISBURSEMENT = "book_disbursement"
NOTIFY = "notify"


def documents_queue(task_queue: str) -> str:
    """The task queue of READ_DOCUMENT for journeys on `task_queue`: OCR is CPU-bound and
    has its own queue and slots, so a burst of uploads never holds the slots that other
    journeys' writes, notices and bookings need (worker.py runs a worker for each)."""
    return f"{task_queue}-documents"


# The reads between a person's decision and the stage it leads to: the approver's authority
# on the exposure as the approval would settle, the LPR fixing the offer is priced on.
DECISION_READS = (ROUTE_ON_EXPOSURE, READ_LPR_FIXING)


def decisions_queue(task_queue: str) -> str:
    """The task queue of DECISION_READS for journeys on `task_queue`: a decision's answer
    waits for them, so they have a queue and slots of their own and never queue behind other
    journeys' writes, notices and bookings (worker.py runs a worker for it beside the
    journeys' own)."""
    return f"{task_queue}-decisions"


class LoadPolicyInput(BaseModel):
    today: date
    years: int = Field(default=3, ge=1, le=40)  # calendar years the working calendar covers


class PolicySnapshot(BaseModel):
    """The policy and working calendar pinned for the journey's whole life, and the LPR
    fixing in force when they were (None: none recorded, or pinned before this was kept):
    the offer is priced on it while it is still the latest published (workflows/lpr_fixing.py)."""

    policy: Policy
    calendar: WorkingCalendar
    lpr: LprFixing | None = None
    # the sha256 of the policy file's text as the worker loaded it (None: pinned before)
    sha256: str | None = None


class ReadDocumentInput(BaseModel):
    workflow_id: str
    ref: DocumentRef
    # The reader keeps the reading in the journey store itself: every read scheduled before
    # the journey kept its readings (KEEP_NEW_READING, workflows/reading.py) has no such
    # field, and asks it so; those since send False, and the reader needs no database.
    reader_keeps: bool = True


class KeepReadingInput(BaseModel):
    """A reading of the journey `workflow_id` as it now stands (a clerk's correction taken)."""

    workflow_id: str
    reading: DocumentReading


class KeptReading(BaseModel):
    """What keeping a new reading told that the read could not: why a scan missing from the
    store is missing (never sent, or erased under retention); None, the reading as read. Not
    the whole reading again: the history holds it once as read and once as kept already."""

    reason: str | None = None


class CompletenessInput(BaseModel):
    policy: Policy
    application: LoanApplication
    readings: list[DocumentReading]
    today: date
    # unreadable leftovers of a file otherwise complete are not needed (UNREADABLE_NOT_NEEDED)
    settle: bool = False


class RouteInput(BaseModel):
    policy: Policy
    application: LoanApplication
    readings: list[DocumentReading]
    exposure: Exposure | None = None  # the borrower's, read at routing (journey/exposure.py)

    def routed(self) -> Route:
        """The case's route by its policy: on the ratios of the statements read, and on the
        borrower's exposure when given."""
        statements = [r.statement for r in self.readings
                      if r.status is ReadStatus.READ and r.statement is not None]
        return route(self.policy, self.application, compute_ratios(statements), self.exposure)


class RouteNowInput(BaseModel):
    """The case routed on the borrower's exposure as it stands (`case.exposure` is read
    afresh): at routing, and again as an approval would settle it."""

    workflow_id: str
    case: RouteInput


class RecordTimingInput(BaseModel):
    events: list[TimingEvent]


class RecordTimingResult(BaseModel):
    inserted: int


class BookingInput(BaseModel):
    workflow_id: str
    idempotency_key: str
    amount: Decimal
    payee: str
    purpose: str
    # the bank's day the money moves (the payout's value date); None: the day it is booked
    value_on: date | None = None
    # the account the money goes into and its bank (开户行): the borrower's settlement
    # account, or the counterparty's; None: none named (a journey started before they were)
    account: str | None = None
    bank: str | None = None


class NotifyInput(BaseModel):
    key: str  # idempotency key: the same key is never sent twice
    workflow_id: str
    channel: Literal["sms", "email"] = "email"
    recipient: str
    template: str
    body: str = ""


class NotifyResult(BaseModel):
    queued: bool
