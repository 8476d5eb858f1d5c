"""What a run's history says of the facts the workers also wrote into the bank's sealed
records, for the cross-check (starter/history_cross_check.py): the application its started
event carries (its amount, credit code and applicant), who its accepted updates name as
acting (each update's `actor`) and when (its workflow task's time, which is the time the
workflow's clock read as it handled it), the payouts its `book_disbursement` activities booked,
and the notices its `notify` activities were asked to queue.

Only the payloads of those events are decoded: the started event's input, each accepted
update's arguments, each booking's result and each completed notice's input and result; the
history is read as `history` and `archive verify` read it (from the server, or the archive's copy).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import WorkflowHistory
from temporalio.converter import DataConverter

from journey.contracts import BOOK_DISBURSEMENT, NOTIFY
from starter import audit


class Applied(BaseModel):
    """The application as the run's started event carries it."""

    amount: Decimal
    credit_code: str
    applicant_name: str


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


class HistoryTold(BaseModel):
    workflow_id: str
    run_id: str
    applied: Applied | None  # None: not a journey's run (no application in its input)
    started_at: datetime  # its first event's time: a run continued as new starts after others
    ended_at: datetime  # its last event's time (a running run's: so far)
    acted: list[Acted]
    booked: list[Booked]
    noticed: list[Noticed]


async def told(history: WorkflowHistory, converter: DataConverter) -> HistoryTold:
    """What `history` says, its payloads decoded with `converter` (the codec's, when the
    namespace is encrypted)."""
    started = history.events[0].workflow_execution_started_event_attributes
    given = await _first(converter, started.input)
    application = given.get("application") if isinstance(given.get("application"), dict) else None
    applied = None if application is None else Applied.model_validate(application)
    acted: list[Acted] = []
    booking: set[int] = set()
    booked: list[Booked] = []
    notifying: dict[int, Any] = {}  # each notice's scheduled event: its input
    noticed: list[Noticed] = []
    task_at = _at(history.events[0])
    for event in history.events:
        kind = event.WhichOneof("attributes")
        if kind == "workflow_task_started_event_attributes":
            task_at = _at(event)
        elif kind == "workflow_execution_update_accepted_event_attributes":
            asked = event.workflow_execution_update_accepted_event_attributes.accepted_request
            actor = (await _first(converter, asked.input.args)).get("actor")
            if isinstance(actor, dict) and isinstance(actor.get("id"), str):
                acted.append(Acted(update=asked.input.name, actor=actor["id"],
                                   event_id=event.event_id, task_at=task_at))
        elif kind == "activity_task_scheduled_event_attributes":
            scheduled = event.activity_task_scheduled_event_attributes
            if scheduled.activity_type.name == BOOK_DISBURSEMENT:
                booking.add(event.event_id)
            elif scheduled.activity_type.name == NOTIFY:
                notifying[event.event_id] = scheduled.input
        elif kind == "activity_task_completed_event_attributes":
            done = event.activity_task_completed_event_attributes
            if done.scheduled_event_id in booking:
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
                       applied=applied, started_at=_at(history.events[0]),
                       ended_at=_at(history.events[-1]), acted=acted, booked=booked,
                       noticed=noticed)


def _at(event: HistoryEvent) -> datetime:
    return event.event_time.ToDatetime(tzinfo=UTC)


async def _first(converter: DataConverter, payloads: Any) -> dict[str, Any]:
    values = await converter.decode(list(payloads.payloads))
    return values[0] if values and isinstance(values[0], dict) else {}
