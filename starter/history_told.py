"""What a run's history says of the facts the workers also wrote into the bank's sealed
records, for the cross-check (starter/history_cross_check.py): the application its started
event carries (its amount, credit code and applicant), the amounts its accepted amendments
gave it since (`amend_application`) and whether its line was kept at each, who its accepted
updates name as
acting (each update's `actor`) and when (its workflow task's time, which is the time the
workflow's clock read as it handled it), the payouts its `book_disbursement` activities booked,
and the notices its `notify` activities were asked to queue; and where it was reset.

Only the payloads of those events are decoded: the started event's input, each accepted
update's arguments, each booking's result and each completed notice's input and result; the
history is read as `history` and `archive verify` read it (from the server, or the archive's copy).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import WorkflowHistory
from temporalio.converter import DataConverter

from journey.contracts import BOOK_DISBURSEMENT, NOTIFY
from journey.exposure import KEEP_EXPOSURE
from starter import audit
from starter.audit_replay import RESET
from starter.bank_clock import bank_label, on_bank_clock

AMEND = "amend_application"  # the update (workflows/amendments.py)
SERVER_ITSELF = "history-service"  # the identity a reset's event names when no client's is kept


class Applied(BaseModel):
    """The application as the run's started event carries it."""

    amount: Decimal
    credit_code: str
    applicant_name: str


class Amended(BaseModel):
    """An accepted amendment that changed the amount applied for: from what, to what, the
    event that accepted it, and whether an activity kept the line at that amount after it
    (`kept`: until then the line holds the amount before, as the journey keeps it behind)."""

    amount_before: Decimal
    amount: Decimal
    event_id: int
    kept: bool = False


class Acted(BaseModel):
    """An accepted update, by whom (its `actor`), the event that accepted it, and the time of
    the workflow task it was accepted in: `workflow.now()` as its handler ran, so the time of
    the decision it recorded (a stage exit it decided is at that time or later)."""

    update: str
    actor: str
    event_id: int
    task_at: datetime


class Booked(BaseModel):
    """A payout the run booked, as its activity's result records it."""

    booking_id: str
    amount: Decimal
    payee: str
    event_id: int
    account: str | None = None  # where it went; None: booked before accounts were kept


class Noticed(BaseModel):
    """A notice the run asked its `notify` activity to queue (its input), once completed."""

    key: str
    channel: Literal["sms", "email"]
    recipient: str
    template: str
    body: str
    queued: bool  # its result: it queued the notice (False: one of its key was, before it)
    event_id: int  # the activity's scheduled event, which holds the input


class Reset(BaseModel):
    """A reset of the run on the Temporal server (`temporal workflow reset`), as its
    WorkflowTaskFailed event (cause: reset) says it: the run kept the events up to the
    workflow task started at `since`, then this event, made at `at`. What the run reset from
    did from `since` up to `at` (the stage exits its workers wrote among it) is that run's, not
    this one's."""

    event_id: int
    since: datetime  # the reset point: the workflow task the run was reset to started then
    at: datetime  # when it was reset
    by: str  # the identity the server recorded for it
    reason: str
    base_run_id: str  # the run it was reset from
    run_id: str  # the run it made

    def said(self, workflow_id: str) -> str:
        """"the reset at event 25 of loan-x run 9f... (2026-12-08 06:34 UTC+8, reason: root:
        BCP drill)", on the bank's clock; who made it where the server recorded a client's
        identity (a reset it made on a client's request names only itself, history-service:
        the `temporal` CLI puts its user in the reason)."""
        by = "" if self.by in ("", SERVER_ITSELF) else f", by {self.by}"
        return (f"the reset at event {self.event_id} of {workflow_id} run {self.run_id} "
                f"({on_bank_clock(self.at, '%Y-%m-%d %H:%M')} {bank_label()}{by}, reason: "
                f"{self.reason or '-'})")

    def threw_away(self, at: datetime, slack: timedelta) -> bool:
        """Whether a record the workers wrote at `at` (by the workflow's clock) is of the part
        of the run the reset threw away."""
        return self.since - slack <= at <= self.at


class HistoryTold(BaseModel):
    workflow_id: str
    run_id: str
    applied: Applied | None  # None: not a journey's run (no application in its input)
    amended: list[Amended]  # the amount's amendments in the run, oldest first
    started_at: datetime  # its first event's time: a run continued as new starts after others
    ended_at: datetime  # its last event's time (a running run's: so far)
    acted: list[Acted]
    booked: list[Booked]
    noticed: list[Noticed]
    # the run's resets (`temporal workflow reset`), oldest first. The workers' records of
    # the part each threw away stay as they wrote them.
    resets: list[Reset] = []


async def told(history: WorkflowHistory, converter: DataConverter) -> HistoryTold:
    """What `history` says, its payloads decoded with `converter` (the codec's, when the
    namespace is encrypted)."""
    started = history.events[0].workflow_execution_started_event_attributes
    given = await _first(converter, started.input)
    application = given.get("application") if isinstance(given.get("application"), dict) else None
    applied = None if application is None else Applied.model_validate(application)
    acted: list[Acted] = []
    amended: list[Amended] = []
    keeping: dict[int, Decimal] = {}  # each amended line's keep scheduled: its amount
    booking: set[int] = set()
    booked: list[Booked] = []
    notifying: dict[int, Any] = {}  # each notice's scheduled event: its input
    noticed: list[Noticed] = []
    requests = audit.update_requests(history)
    task_at = _at(history.events[0])
    for event in history.events:
        kind = event.WhichOneof("attributes")
        if kind == "workflow_task_started_event_attributes":
            task_at = _at(event)
        elif kind == "workflow_execution_update_accepted_event_attributes":
            asked = requests[event.event_id]
            args = await _first(converter, asked.input.args)
            actor = args.get("actor")
            if isinstance(actor, dict) and isinstance(actor.get("id"), str):
                acted.append(Acted(update=asked.input.name, actor=actor["id"],
                                   event_id=event.event_id, task_at=task_at))
            if applied is not None and asked.input.name == AMEND and (
                    to := args.get("amount")) is not None:
                before = amended[-1].amount if amended else applied.amount
                if Decimal(str(to)) != before:
                    amended.append(Amended(amount_before=before, amount=Decimal(str(to)),
                                           event_id=event.event_id))
        elif kind == "activity_task_scheduled_event_attributes":
            scheduled = event.activity_task_scheduled_event_attributes
            if scheduled.activity_type.name == BOOK_DISBURSEMENT:
                booking.add(event.event_id)
            elif scheduled.activity_type.name == NOTIFY:
                notifying[event.event_id] = scheduled.input
            elif scheduled.activity_type.name == KEEP_EXPOSURE:
                line = await _first(converter, scheduled.input)
                if line.get("amended") is True:
                    keeping[event.event_id] = Decimal(str(line["amount"]))
        elif kind == "activity_task_completed_event_attributes":
            done = event.activity_task_completed_event_attributes
            if (kept := keeping.pop(done.scheduled_event_id, None)) is not None:
                amended = [a.model_copy(update={"kept": True})
                           if a.amount == kept and a.event_id < done.scheduled_event_id else a
                           for a in amended]
            elif done.scheduled_event_id in booking:
                result = await _first(converter, done.result)
                booked.append(Booked(booking_id=result["booking_id"], amount=result["amount"],
                                     payee=result["payee"], event_id=event.event_id,
                                     account=result.get("account")))
            elif (asked := notifying.pop(done.scheduled_event_id, None)) is not None:
                queued = (await _first(converter, done.result)).get("queued") is True
                noticed.append(Noticed.model_validate({
                    **await _first(converter, asked), "queued": queued,
                    "event_id": done.scheduled_event_id}))
    return HistoryTold(workflow_id=history.workflow_id, run_id=audit.run_id(history),
                       applied=applied, amended=amended, started_at=_at(history.events[0]),
                       ended_at=_at(history.events[-1]), acted=acted, booked=booked,
                       noticed=noticed, resets=resets_in(history))


def resets_in(history: WorkflowHistory) -> list[Reset]:
    """The run's resets, oldest first: each reset's WorkflowTaskFailed event (cause: reset),
    the workflow task before it started at its reset point. Read from the events alone, no
    payload decoded (no codec keys needed)."""
    resets: list[Reset] = []
    task_at = _at(history.events[0])
    for event in history.events:
        if event.HasField("workflow_task_started_event_attributes"):
            task_at = _at(event)
        elif (event.HasField("workflow_task_failed_event_attributes") and (
                failed := event.workflow_task_failed_event_attributes).cause == RESET):
            resets.append(Reset(event_id=event.event_id, since=task_at, at=_at(event),
                                by=failed.identity, reason=failed.failure.message,
                                base_run_id=failed.base_run_id, run_id=failed.new_run_id))
    return resets


def amounts_kept(said: HistoryTold) -> list[Decimal]:
    """The amounts the journey's line may hold as the run left it: the started event's, or
    the last amendment's (and the one before it while its line is not kept yet); none for a
    run that is no journey's."""
    if said.applied is None:
        return []
    if not said.amended:
        return [said.applied.amount]
    last = said.amended[-1]
    return [last.amount] if last.kept else [last.amount, last.amount_before]


def _at(event: HistoryEvent) -> datetime:
    return event.event_time.ToDatetime(tzinfo=UTC)


async def _first(converter: DataConverter, payloads: Any) -> dict[str, Any]:
    values = await converter.decode(list(payloads.payloads))
    return values[0] if values and isinstance(values[0], dict) else {}
