"""The timing events each journey's history says its workers wrote, held to the journey
database's `stage_events` (store/timing.py): the authority that `records rebuild-events`
writes the missing ones from and `records verify` names them by, which a journey's numbering
cannot (its newest events lost: a journey database restored from a backup older than the
Temporal database's).

Every timing event a journey writes travels in its history as the input of a RECORD_TIMING
activity (workflows/bookkeeping.py, and workflows/late_feedback.py for a late touchpoint,
under the journey's id): the events of each such activity that completed were written, so the
database holds them unless they were lost since. One in flight, not completed yet, is left to
its activity, which writes it. Cost, per run: the payloads of its RECORD_TIMING activities
alone are decoded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

from temporalio.client import WorkflowHistory
from temporalio.converter import DataConverter

from journey.contracts import RECORD_TIMING, RecordTimingInput
from journey.settings import Settings
from journey.timeline import TimingEvent
from journey.touchpoints import LATE_FEEDBACK_WORKFLOW
from starter.documents_used import first_payload
from store.seal_findings import Finding, Found
from store.timing import stored_events, stored_numbers

REBUILD = "loan-journey records rebuild-events"


async def timing_in(history: WorkflowHistory, converter: DataConverter) -> list[TimingEvent]:
    """The timing events one run's history says were written: each completed RECORD_TIMING
    activity's input, in the order written."""
    scheduled: dict[int, Any] = {}
    written: list[TimingEvent] = []
    for event in history.events:
        kind = event.WhichOneof("attributes")
        if kind == "activity_task_scheduled_event_attributes":
            attrs = event.activity_task_scheduled_event_attributes
            if attrs.activity_type.name == RECORD_TIMING:
                scheduled[event.event_id] = attrs.input
        elif kind == "activity_task_completed_event_attributes":
            done = event.activity_task_completed_event_attributes
            if (asked := scheduled.pop(done.scheduled_event_id, None)) is not None:
                request = await first_payload(converter, asked)
                written += RecordTimingInput.model_validate(request).events
    return written


async def numbers_in(history: WorkflowHistory, converter: DataConverter
                     ) -> list[tuple[str, int]]:
    """`timing_in`'s events by their journey and number alone."""
    return [(e.workflow_id, e.sequence) for e in await timing_in(history, converter)]


def late_runs(settings: Settings) -> str:
    """The visibility query of the late touchpoints' runs on this task queue, which write
    their journeys' events (workflows/late_feedback.py)."""
    return f"WorkflowType = '{LATE_FEEDBACK_WORKFLOW}' AND TaskQueue = '{settings.task_queue}'"


@dataclass
class HeldToHistory:
    """One journey's events as its history told them, against the database's."""

    workflow_id: str
    lacking: list[TimingEvent] = field(default_factory=list)  # in the history alone
    differing: list[int] = field(default_factory=list)  # stored otherwise than told

    @property
    def numbers(self) -> str:
        return numbered([e.sequence for e in self.lacking])


def held(url: str, told: Iterable[TimingEvent], journeys: Iterable[str] | None = None
         ) -> list[HeldToHistory]:
    """Each journey whose told events the database lacks or holds otherwise (of `journeys`
    alone when given), in order of its id; an event told twice (a run continued as new, its
    archived copy and the server's) is held once."""
    wanted = None if journeys is None else set(journeys)
    by_key = {(e.workflow_id, e.sequence): e for e in told
              if wanted is None or e.workflow_id in wanted}
    stored = stored_events(url, {workflow_id for workflow_id, _ in by_key})
    found: dict[str, HeldToHistory] = {}
    for key in sorted(by_key):
        event, kept = by_key[key], stored.get(key)
        if kept is not None and _same(kept, event):
            continue
        journey = found.setdefault(key[0], HeldToHistory(key[0]))
        if kept is None:
            journey.lacking.append(event)
        else:
            journey.differing.append(key[1])
    return list(found.values())


def _same(a: TimingEvent, b: TimingEvent) -> bool:
    return (a.model_copy(update={"at": a.at.astimezone(UTC)})
            == b.model_copy(update={"at": b.at.astimezone(UTC)}))


def lacking_findings(url: str, told: Iterable[tuple[str, int]]) -> list[Finding]:
    """`records verify`'s finding for each journey whose history holds events (`told`, by
    journey and number) the database lacks; a row that is there but differs is its seal's to
    judge, not named here. One read of the journeys' stored numbers, not of their rows."""
    held_told = set(told)
    stored = stored_numbers(url, {workflow_id for workflow_id, _ in held_told})
    lacking: dict[str, list[int]] = {}
    for workflow_id, sequence in sorted(held_told - stored):
        lacking.setdefault(workflow_id, []).append(sequence)
    return [Finding(record=f"stage events of {journey}", found=Found.DELETED,
                    detail=f"stage events {numbered(numbers)} of {journey} are in its history, "
                           f"not in the database: `{REBUILD} {journey}`")
            for journey, numbers in lacking.items()]


def numbered(sequences: Iterable[int]) -> str:
    """"#3", "#21 to #23", "#3, #21 to #23": the numbers, runs of them joined."""
    runs: list[list[int]] = []
    for n in sorted(set(sequences)):
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return ", ".join(f"#{r[0]}" if len(r) == 1 else f"#{r[0]} to #{r[-1]}" for r in runs)
