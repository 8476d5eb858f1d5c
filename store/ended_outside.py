"""The end of a journey the Temporal server ended (terminated, cancelled, timed out, failed):
the journey recorded none, so its open stage would count up to now in the report, stay
"open" in the export and "in stage" in the funnel. The archivist's pass records it once
(activities/archive.py): an `exited` event for each span still open, outcome `terminated`, at
the server's close time, the close said in `detail`.
"""

from __future__ import annotations

from datetime import datetime

from journey.timeline import EventType, TimingEvent
from journey.touchpoints import LATE_TOUCHPOINT_BASE
from store.timing import events_for, record_events

ENDED_OUTSIDE = "terminated"  # the outcome: any end the journey did not record itself


def open_spans(url: str, workflow_id: str) -> list[TimingEvent]:
    """The `entered` events of the journey's spans that have no `exited` event."""
    return _still_open(events_for(url, workflow_id))


def _still_open(events: list[TimingEvent]) -> list[TimingEvent]:
    exited = {(e.stage, e.attempt) for e in events if e.type is EventType.EXITED}
    return [e for e in events
            if e.type is EventType.ENTERED and (e.stage, e.attempt) not in exited]


def record_outside_end(url: str, workflow_id: str, at: datetime, said: str,
                       by: str | None = None, key: bytes | None = None) -> int:
    """Close each open span of the journey at `at` as ended outside it (`said`: how, and why
    when the server says; `by`: who ended it), sealed with `key` when given; how many were
    closed. Once: a journey closed
    so has no open span left, and a second pass at the same time numbers its events as the
    first did, which the store then skips. The numbers follow the journey's own (below the
    late touchpoints' range, which stays theirs)."""
    events = events_for(url, workflow_id)
    after = max((e.sequence for e in events if e.sequence < LATE_TOUCHPOINT_BASE), default=-1)
    return record_events(url, [
        e.model_copy(update={
            "sequence": after + 1 + n, "type": EventType.EXITED, "at": at, "actor": by,
            "outcome": ENDED_OUTSIDE, "detail": said, "channel": None})
        for n, e in enumerate(_still_open(events))], key)
