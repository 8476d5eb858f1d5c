"""The audit record is the workflow history: fetch it, export it, read it, replay it.

Everything here only reads: nothing signals, updates, cancels or terminates a journey.

- `fetch_history` / `history_json`: the raw history, as `temporal workflow show --output json`
  prints it (the same JSON value; Go prints `2` where Python prints `2.0`).
- `audit_trail`: who decided what, when, and on what evidence, one `AuditLine` per event
  that matters, payloads decoded through the data converter into plain JSON (no model
  classes, so old trails read after the models change). A run that continued an earlier
  one (continue-as-new) says which, and `render_trail` rules off where each run begins.
- `verify`: replay histories against the current workflow code; non-determinism is
  reported per run, never raised.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from rich.markup import escape
from rich.table import Table
from temporalio.api.common.v1 import Payload, Payloads
from temporalio.api.enums.v1 import ContinueAsNewInitiator, WorkflowTaskFailedCause
from temporalio.api.failure.v1 import Failure
from temporalio.api.history.v1 import HistoryEvent
from temporalio.api.update.v1 import Request
from temporalio.client import Client, WorkflowHistory
from temporalio.converter import DataConverter, PayloadConverter

from starter.audit_replay import ReplayOutcome, VerifyReport, run_id, verify
from starter.audit_summary import WIDTH, duration, find_actor, summarise
from starter.bank_clock import bank_label, on_bank_clock
from starter.codec import ENCODING, SETTING, CodecError

__all__ = [
    "AuditLine",
    "ReplayOutcome",
    "VerifyReport",
    "audit_trail",
    "fetch_history",
    "history_json",
    "render_trail",
    "verify",
]

STAGE_ATTRIBUTE = "JourneyStage"
_TASK_FAILED = "WORKFLOW_TASK_FAILED_CAUSE_"
# who started a run that continues another: the workflow itself unless a retry or a cron did
_INITIATORS = {
    ContinueAsNewInitiator.CONTINUE_AS_NEW_INITIATOR_RETRY: "retry policy",
    ContinueAsNewInitiator.CONTINUE_AS_NEW_INITIATOR_CRON_SCHEDULE: "cron schedule",
}


@dataclass(frozen=True)
class AuditLine:
    time: datetime
    event_id: int
    stage: str
    event: str
    actor: str = ""
    role: str = ""
    detail: str = ""
    run_id: str = ""
    origin: str = ""  # the identity the server recorded for the client that sent it


async def fetch_history(
    client: Client, workflow_id: str, run_id: str | None = None
) -> WorkflowHistory:
    """The full history of a run (the latest run when `run_id` is None). Read-only."""
    return await client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()


def history_json(history: WorkflowHistory) -> str:
    """The history as `temporal workflow show --output json` prints it, for archiving."""
    return history.to_json() + "\n"


async def audit_trail(
    history: WorkflowHistory, converter: DataConverter, stage_attribute: str = STAGE_ATTRIBUTE,
    *, full: bool = False,
) -> list[AuditLine]:
    """The history as audit lines, payloads decoded (needs the codec keys if encrypted);
    each payload summarised on a line (`summarise`), in full when `full`. What the bank's
    systems decided acting on an update (a re-route, votes set aside, a tier kept) follows
    it, a line apiece, always in full. The engine's own bookkeeping (`ENGINE_ONLY`: the SDK's
    version markers, work-list attributes written without a change of stage) is left out
    unless `full`."""
    builder = _Trail(converter, stage_attribute, run_id(history), None if full else WIDTH,
                     update_requests(history), engine=full)
    return [line for event in history.events for line in await builder.lines(event)]


def update_requests(history: WorkflowHistory) -> dict[int, Request]:
    """Each accepted update's request, by its accepted event's id: the one that event carries,
    or, for an update the server applied again after a reset (`temporal workflow reset` does
    so by default for those after its point), whose accepted event carries none, the one its
    admitted event holds."""
    admitted: dict[str, Request] = {}
    found: dict[int, Request] = {}
    for event in history.events:
        if event.HasField("workflow_execution_update_admitted_event_attributes"):
            request = event.workflow_execution_update_admitted_event_attributes.request
            admitted[request.meta.update_id] = request
        elif event.HasField("workflow_execution_update_accepted_event_attributes"):
            accepted = event.workflow_execution_update_accepted_event_attributes
            own = accepted.accepted_request
            found[event.event_id] = (admitted.get(accepted.protocol_instance_id, own)
                                     if reapplied(accepted) else own)
    return found


def reapplied(accepted: Any) -> bool:
    """Whether an accepted update's event carries no request of its own: one applied again
    after a reset, its request in its admitted event."""
    return not accepted.accepted_request.input.name


def continued_from(history: WorkflowHistory) -> str:
    """The run this one continued (as new, by a retry or a cron), or "" for a first run."""
    return history.events[0].workflow_execution_started_event_attributes.continued_execution_run_id


def render_trail(lines: Iterable[AuditLine], title: str | None = None) -> Table:
    table = Table(title=title, show_lines=False)
    for column in (f"time ({bank_label()})", "#", "stage", "event", "actor", "role"):
        table.add_column(column, no_wrap=True)
    table.add_column("decision / evidence", overflow="fold")
    lines = list(lines)
    for line, after in zip(lines, [*lines[1:], None], strict=True):
        table.add_row(
            on_bank_clock(line.time),
            str(line.event_id),
            line.stage,
            line.event,
            escape(line.actor),
            line.role,
            # payloads quote what people typed: "[x]" is not markup; the origin is the
            # client's identity as it reported it, not proven
            escape(f"{line.detail} (from {line.origin})" if line.origin else line.detail),
            end_section=after is not None and after.run_id != line.run_id,  # a run begins
        )
    return table


class _Trail:
    """Walks events in order, remembering what later events refer back to."""

    def __init__(self, converter: DataConverter, stage_attribute: str, run_id: str,
                 width: int | None, requests: dict[int, Request], *, engine: bool) -> None:
        self._converter = converter
        self._requests = requests  # each accepted update's (`update_requests`)
        self._engine = engine  # the engine's own bookkeeping shown too (ENGINE_ONLY)
        self._width = width  # of a payload's summary; None: in full
        self._decided: list[dict[str, Any]] = []  # the systems' decisions an update reported
        self._run_id = run_id
        self._stage_attribute = stage_attribute
        self.stage = ""
        self._event_id = 0
        self._activities: dict[int, str] = {}
        self._timers: dict[int, str] = {}
        self._updates: dict[str, tuple[str, str, str]] = {}

    async def lines(self, event: HistoryEvent) -> list[AuditLine]:
        """The event's line, if an auditor cares about it, and the decisions it reports."""
        kind = event.WhichOneof("attributes")
        if kind is None:
            return []
        handler = getattr(self, f"_{kind.removesuffix('_event_attributes')}", None)
        if handler is None:
            return []
        self._event_id = event.event_id
        attributes = getattr(event, kind)
        found: tuple[str, str, str, str] | None = await handler(attributes)
        if found is None:
            return []
        time = event.event_time.ToDatetime(tzinfo=UTC)
        name, actor, role, detail = found
        decided, self._decided = self._decided, []
        return [AuditLine(time=time, event_id=event.event_id, stage=self.stage, event=name,
                          actor=actor, role=role, detail=detail, run_id=self._run_id,
                          origin=_origin(kind, attributes, self._requests.get(event.event_id))),
                *(self._decision(time, event.event_id, d) for d in decided)]

    def _decision(self, time: datetime, event_id: int, decided: dict[str, Any]) -> AuditLine:
        """A decision an update's result reports (`UpdateResult.decided`), by its actor."""
        actor = decided.get("actor") or {}
        return AuditLine(time=time, event_id=event_id, stage=str(decided.get("stage", "")),
                         event=f"decision {decided.get('verdict', '')}",
                         actor=str(actor.get("id", "")), role=str(actor.get("role", "")),
                         detail=str(decided.get("reason", "")), run_id=self._run_id)

    def _summary(self, value: Any) -> str:
        return summarise(value, self._width)

    # -- decoding ----------------------------------------------------------------------

    async def _values(self, payloads: Payloads | Sequence[Payload]) -> list[Any]:
        items = list(payloads.payloads if isinstance(payloads, Payloads) else payloads)
        if not items:
            return []
        if self._converter.payload_codec is None and any(
            p.metadata.get("encoding") == ENCODING for p in items
        ):
            raise CodecError(f"this history is encrypted; set {SETTING} to read it")
        return await self._converter.decode(items)

    async def _first(self, payloads: Payloads | Sequence[Payload]) -> Any:
        values = await self._values(payloads)
        return values[0] if len(values) == 1 else (values or None)

    async def _who_what(self, payloads: Payloads, identity: str) -> tuple[str, str, str]:
        value = await self._first(payloads)
        actor, role = find_actor(value) or (identity, "")
        return actor, role, self._summary(value) if value is not None else ""

    async def _failure(self, failure: Failure) -> str:
        message = failure.message
        if failure.HasField("encoded_attributes"):
            attributes = await self._first([failure.encoded_attributes])
            if isinstance(attributes, dict):
                message = str(attributes.get("message") or message)
        kind = (
            failure.application_failure_info.type
            if failure.HasField("application_failure_info")
            else ""
        )
        text = f"{kind}: {message}" if kind else message
        if failure.HasField("cause"):
            text += f" (cause: {await self._failure(failure.cause)})"
        return text

    # -- one handler per event kind that an auditor cares about ---------------------------

    async def _workflow_execution_started(self, a: Any) -> tuple[str, str, str, str]:
        if a.HasField("search_attributes"):
            self._note_stage(a.search_attributes.indexed_fields)
        actor, role, detail = await self._who_what(a.input, a.identity)
        if a.continued_execution_run_id:  # the input is carried over, not anyone's new act
            return ("continued as new", _INITIATORS.get(a.initiator, "workflow"), "",
                    f"run {self._run_id} continues run {a.continued_execution_run_id}: {detail}")
        return f"started {a.workflow_type.name}", actor, role, detail

    async def _workflow_execution_update_accepted(self, a: Any) -> tuple[str, str, str, str]:
        request = self._requests.get(self._event_id, a.accepted_request)
        actor, role, detail = await self._who_what(request.input.args, request.meta.identity)
        self._updates[request.meta.update_id] = (request.input.name, actor, role)
        again = " (applied again by a reset)" if reapplied(a) else ""
        return f"update {request.input.name}{again}", actor, role, detail

    async def _workflow_execution_update_completed(self, a: Any) -> tuple[str, str, str, str]:
        name, actor, role = self._updates.get(a.meta.update_id, ("?", a.meta.identity, ""))
        if a.outcome.HasField("failure"):
            return f"update {name} failed", actor, role, await self._failure(a.outcome.failure)
        result = await self._first(a.outcome.success)
        if isinstance(result, dict):  # the systems' decisions go on lines of their own
            self._decided = list(result.pop("decided", None) or [])
        return f"update {name} done", actor, role, self._summary(result) if result else ""

    async def _workflow_execution_signaled(self, a: Any) -> tuple[str, str, str, str]:
        actor, role, detail = await self._who_what(a.input, a.identity)
        return f"signal {a.signal_name}", actor, role, detail

    async def _activity_task_scheduled(self, a: Any) -> tuple[str, str, str, str]:
        self._activities[self._event_id] = a.activity_type.name
        value = await self._first(a.input)
        return f"activity {a.activity_type.name}", "", "", self._summary(value) if value else ""

    async def _activity_task_completed(self, a: Any) -> tuple[str, str, str, str]:
        name = self._activities.get(a.scheduled_event_id, "?")
        result = await self._first(a.result)
        return (f"activity {name} done", "", "",
                self._summary(result) if result is not None else "")

    async def _activity_task_failed(self, a: Any) -> tuple[str, str, str, str]:
        name = self._activities.get(a.scheduled_event_id, "?")
        return f"activity {name} failed", "", "", await self._failure(a.failure)

    async def _activity_task_timed_out(self, a: Any) -> tuple[str, str, str, str]:
        name = self._activities.get(a.scheduled_event_id, "?")
        return f"activity {name} timed out", "", "", await self._failure(a.failure)

    async def _timer_started(self, a: Any) -> tuple[str, str, str, str]:
        length = self._timers[self._event_id] = duration(a.start_to_fire_timeout.ToTimedelta())
        return "timer started", "", "", f"{length} (timer {a.timer_id})"

    async def _timer_fired(self, a: Any) -> tuple[str, str, str, str]:
        length = self._timers.get(a.started_event_id, "?")
        return "timer fired (SLA/deadline)", "", "", f"after {length} (timer {a.timer_id})"

    async def _timer_canceled(self, a: Any) -> tuple[str, str, str, str]:
        return "timer cancelled", "", "", f"timer {a.timer_id}"

    async def _upsert_workflow_search_attributes(self, a: Any
                                                 ) -> tuple[str, str, str, str] | None:
        fields = a.search_attributes.indexed_fields
        before = self.stage
        values = self._note_stage(fields)
        if self.stage == before and not self._engine:
            return None  # the work lists' bookkeeping: no stage entered
        hidden = {self._stage_attribute, *(() if self._engine else ENGINE_ONLY)}
        detail = ", ".join(f"{k}={v}" for k, v in sorted(values.items()) if k not in hidden)
        name = f"stage {self.stage}" if self.stage != before else "search attributes"
        return name, "", "", detail

    async def _marker_recorded(self, a: Any) -> tuple[str, str, str, str] | None:
        if a.marker_name in ENGINE_ONLY and not self._engine:
            return None
        details = {k: await self._first(v) for k, v in a.details.items()}
        return f"marker {a.marker_name}", "", "", self._summary(details)

    async def _workflow_task_failed(self, a: Any) -> tuple[str, str, str, str]:
        cause = WorkflowTaskFailedCause.Name(a.cause).removeprefix(_TASK_FAILED).lower()
        return "workflow task failed", "", "", f"{cause}: {await self._failure(a.failure)}"

    async def _workflow_execution_completed(self, a: Any) -> tuple[str, str, str, str]:
        result = await self._first(a.result)
        return "completed", "", "", self._summary(result) if result is not None else ""

    async def _workflow_execution_failed(self, a: Any) -> tuple[str, str, str, str]:
        return "failed", "", "", await self._failure(a.failure)

    async def _workflow_execution_continued_as_new(self, a: Any) -> tuple[str, str, str, str]:
        return "continued as new", "", "", f"new run {a.new_execution_run_id}"

    async def _workflow_execution_cancel_requested(self, a: Any) -> tuple[str, str, str, str]:
        return "cancel requested", a.identity, "", a.cause

    async def _workflow_execution_canceled(self, a: Any) -> tuple[str, str, str, str]:
        return "cancelled", "", "", ""

    async def _workflow_execution_terminated(self, a: Any) -> tuple[str, str, str, str]:
        return "terminated", a.identity, "", a.reason

    async def _workflow_execution_timed_out(self, a: Any) -> tuple[str, str, str, str]:
        return "timed out", "", "", ""

    def _note_stage(self, fields: Any) -> dict[str, str]:
        values = {k: _search_value(v) for k, v in fields.items()}
        if values.get(self._stage_attribute):
            self.stage = values[self._stage_attribute]
        return values


# What the Temporal SDK records for itself, which says nothing of the loan: the marker of a
# `workflow.patched` (which code version ran) and the search attribute that lists them.
ENGINE_ONLY = frozenset({"core_patch", "TemporalChangeVersion"})


def _origin(kind: str, attributes: Any, request: Request | None = None) -> str:
    """Where the server says an act came from: the identity of the client that sent it (a
    start, an update, `request` for an accepted one, a signal, a cancel, a termination); ""
    for the workers' own events. A continued run's started event names the worker, not a
    person: "" too."""
    if kind == "workflow_execution_update_accepted_event_attributes":
        return str((request or attributes.accepted_request).meta.identity)
    if kind == "workflow_execution_started_event_attributes" and (
        attributes.continued_execution_run_id
    ):
        return ""
    if kind in _SENT_BY_CLIENTS:
        return str(attributes.identity)
    return ""


_SENT_BY_CLIENTS = {
    f"workflow_execution_{name}_event_attributes"
    for name in ("started", "signaled", "cancel_requested", "terminated")
}


def _search_value(payload: Payload) -> str:
    """Search attributes are never codec-encoded: the default converter reads them."""
    value = PayloadConverter.default.from_payloads([payload])[0]
    return "/".join(map(str, value)) if isinstance(value, list) else str(value)
