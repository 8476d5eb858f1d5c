"""What a status query that failed means: a journey that has ended (one the server ended,
terminated, failed, timed out, is told when the server refuses its query: starter/operations.py
`status_of`, starter/ended_outside.py) cannot say
where it stands when no worker can replay it, and its describe says how and when it ended; one
that runs on is said to run on."""

from __future__ import annotations

from typing import Any

from temporalio.client import (
    WorkflowExecutionDescription,
    WorkflowExecutionStatus,
    WorkflowHandle,
    WorkflowQueryFailedError,
)

from journey.policy.calendar import moment_at
from starter.bank_clock import bank_offset
from starter.errors import Ended, JourneyError

HOW_IT_ENDED = {
    WorkflowExecutionStatus.FAILED: "failed",
    WorkflowExecutionStatus.TERMINATED: "was terminated",
    WorkflowExecutionStatus.TIMED_OUT: "timed out",
    WorkflowExecutionStatus.CANCELED: "was cancelled",
    WorkflowExecutionStatus.COMPLETED: "completed",
    WorkflowExecutionStatus.CONTINUED_AS_NEW: "continued as new",
}


def closed_when(described: WorkflowExecutionDescription) -> str:
    """When the journey `described` closed, as its describe says, on the bank's clock: " at
    2026-12-06 10:01 (UTC+8)"; "" while it has not."""
    closed = described.close_time
    return f" at {moment_at(closed, bank_offset())}" if closed else ""


async def unanswered(handle: WorkflowHandle[Any, Any], err: WorkflowQueryFailedError
                     ) -> JourneyError:
    """The error to raise for the journey `handle`'s status query that failed with `err`:
    `Ended`, saying how and when, when the workflow is no longer running."""
    described = await handle.describe()
    how = HOW_IT_ENDED.get(described.status) if described.status else None
    if how is None:
        return JourneyError(
            f"{handle.id} could not answer its status query: {err}. The journey itself runs "
            "on; the worker's log may say more")
    return Ended(
        f"{handle.id} {how}{closed_when(described)}: it is no longer running, and could not "
        f"answer its status query ({err}). `loan-journey history {handle.id}` shows its last "
        "events")
