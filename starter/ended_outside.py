"""A journey ended outside the engine: terminated, cancelled, timed out or failed on the
Temporal server, a close the journey did not record itself (it records closed, rejected,
withdrawn and expired). The server says how and when (describe), for a termination by whom
and why (the history's last event); the search attributes keep the last state it had.

`status` says so without asking a worker (starter/operations.py); the archivist's pass
records the end in the store, so report, export and the funnel count the journey as ended
(activities/archive.py, store/ended_outside.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel
from temporalio.client import (
    WorkflowExecutionDescription,
    WorkflowExecutionStatus,
    WorkflowHandle,
    WorkflowHistoryEventFilterType,
)

from journey.policy.calendar import moment_at
from starter.bank_clock import bank_offset
from starter.unanswered import HOW_IT_ENDED
from workflows import search_attributes as sa

ENDED_OUTSIDE = {
    WorkflowExecutionStatus.TERMINATED: "terminated",
    WorkflowExecutionStatus.CANCELED: "cancelled",
    WorkflowExecutionStatus.TIMED_OUT: "timed_out",
    WorkflowExecutionStatus.FAILED: "failed",
}


_STATUS_OF = {how: status for status, how in ENDED_OUTSIDE.items()}


class OutsideEnd(BaseModel):
    """How, when, by whom and why the server ended a journey, and where it then stood."""

    workflow_id: str
    run_id: str
    how: str  # terminated, cancelled, timed_out, failed
    at: datetime
    by: str | None = None  # the client identity that terminated it, when the server says
    why: str | None = None  # the terminate reason, or the failure's message
    stage: str | None = None
    team: str | None = None
    sla: str | None = None

    def said(self) -> str:
        """One line: how, when (on the bank's clock), by whom and why, and the last state as
        it stood."""
        by = f" by {self.by}" if self.by else ""
        why = f" ({self.why})" if self.why else ""
        where = ", ".join(filter(None, (
            self.stage, f"team {self.team}" if self.team else None,
            f"SLA {self.sla}" if self.sla else None)))
        last = f"; its last state was {where}" if where else ""
        how = HOW_IT_ENDED[_STATUS_OF[self.how]]
        return (f"{self.workflow_id} {how} on the Temporal server at "
                f"{moment_at(self.at, bank_offset())}{by}{why}, outside the journey's own course"
                f"{last}. It takes no more actions: `loan-journey history {self.workflow_id}` "
                "shows its last events")


async def outside_end(handle: WorkflowHandle[Any, Any], described: WorkflowExecutionDescription
                      ) -> OutsideEnd | None:
    """The outside end of the run `described` (of `handle`); None when it runs, or ended on
    its own course."""
    how = ENDED_OUTSIDE.get(described.status) if described.status else None
    if how is None or described.close_time is None:
        return None
    by, why = await _close_event_says(handle)
    attributes = described.typed_search_attributes
    return OutsideEnd(
        workflow_id=described.id, run_id=described.run_id, how=how, at=described.close_time,
        by=by, why=why, stage=attributes.get(sa.STAGE), team=attributes.get(sa.TEAM),
        sla=attributes.get(sa.SLA_STATE))


async def _close_event_says(handle: WorkflowHandle[Any, Any]) -> tuple[str | None, str | None]:
    """Who closed the run and why, from its close event (the one event the server sends)."""
    async for last in handle.fetch_history_events(
            event_filter_type=WorkflowHistoryEventFilterType.CLOSE_EVENT):
        if last.HasField("workflow_execution_terminated_event_attributes"):
            a = last.workflow_execution_terminated_event_attributes
            return a.identity or None, a.reason or None
        if last.HasField("workflow_execution_failed_event_attributes"):
            return None, last.workflow_execution_failed_event_attributes.failure.message or None
    return None, None
