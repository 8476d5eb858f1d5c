"""Where a history and the current code part, and what an auditor does about it.

The SDK's non-determinism error names the two commands that differ, never where: replaying
ever longer beginnings of the history, the shortest one that fails ends at the first event
the code could not match. Found by halving, a dozen replays of a beginning for a history of
a thousand events, each a fraction of a second.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import WorkflowHistory

NEXT_STEP = ("the worker's code no longer replays this history: deploy the code that "
             "recorded it{built}, or guard the change with workflow.patched; do not reset "
             "running journeys")
_TASK_STARTED = EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED
_TASK_COMPLETED = EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED

Replay = Callable[[WorkflowHistory], Awaitable[Exception | None]]


def runs_code(history: WorkflowHistory) -> bool:
    """Whether the history holds a workflow task the code ran: without one (an empty or a
    truncated export) a replay has nothing to check, and the SDK's waits for one forever."""
    return any(e.event_type == _TASK_STARTED for e in history.events)


async def first_unmatched(history: WorkflowHistory, replay: Replay) -> HistoryEvent | None:
    """The first event of `history` (which fails to replay) that the code could not match:
    the last event of the shortest beginning that fails too; None when every beginning
    replays (the failure is not one event's)."""
    events = history.events
    starts = [i for i, e in enumerate(events) if e.event_type == _TASK_STARTED]
    if not starts:
        return None
    low, high = starts[0] + 1, len(events)  # beginnings of low..high events; high fails
    if await replay(WorkflowHistory(history.workflow_id, events[:high])) is None:
        return None
    while low < high:
        middle = (low + high) // 2
        if await replay(WorkflowHistory(history.workflow_id, events[:middle])) is None:
            low = middle + 1
        else:
            high = middle
    return events[high - 1]


def event_kind(event: HistoryEvent) -> str:
    return EventType.Name(event.event_type).removeprefix("EVENT_TYPE_")


def place(event: HistoryEvent) -> str:
    return f"event {event.event_id} ({event_kind(event)})"


def recorded_by(history: WorkflowHistory, before: int) -> str:
    """The build id of the worker that completed the last workflow task before event
    `before` (the code that recorded the history up to there), "" when none is recorded."""
    built = ""
    for e in history.events:
        if e.event_id >= before:
            break
        if e.event_type == _TASK_COMPLETED:
            done = e.workflow_task_completed_event_attributes
            built = (done.deployment_version.build_id or done.worker_version.build_id
                     or done.binary_checksum or built)
    return built


def next_step(build_id: str) -> str:
    return NEXT_STEP.format(built=f" (build id {build_id})" if build_id else "")


def verdict(compared: Mapping[str, bool],
            not_compared: str = "the server's copy or the bank's sealed records") -> str:
    """Whether the code changed or the history was altered, from whether the history agrees
    with each of `compared` (the server's copy, the bank's sealed records, by name)."""
    if not compared:
        return (f"not compared with {not_compared}: if this history is the one the server "
                "recorded, the code changed")
    differ = [name for name, agrees in compared.items() if not agrees]
    if differ:
        return (f"the history differs from {' and '.join(differ)}: the history was altered, "
                "not the code; restore it from a backup rather than deploy older code")
    return f"the history agrees with {' and '.join(compared)}: the code changed"
