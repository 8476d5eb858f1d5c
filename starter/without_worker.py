"""What a journey says when no worker answers its status query: what the Temporal server
keeps without one. A running journey's last known state is in its search attributes (stage,
team, since when it waits on the team, SLA); a journey that completed its own course has how it
ended in its result and when in its describe. Both are said as read without a worker: a worker
replays the journey to answer the query, even of one that has closed."""

from __future__ import annotations

from typing import Any

from temporalio.client import WorkflowExecutionDescription, WorkflowHandle

from journey.policy.calendar import moment_at
from journey.queue_wait import QueueWait
from journey.status import JourneyResult
from starter.bank_clock import bank_offset
from starter.unanswered import closed_when
from workflows import search_attributes as sa

READ_WITHOUT = "read without a worker"


def last_known(described: WorkflowExecutionDescription) -> str:
    """Where the running journey `described` last stood, from its search attributes: e.g.
    "Its last known state, read without a worker: risk_review, team sme_risk, waiting since
    2026-12-06 09:30 (UTC+8), SLA ok."; or that it has none yet (no worker has opened it)."""
    attributes = described.typed_search_attributes
    stage = attributes.get(sa.STAGE)
    if not stage:
        return "No worker has opened it yet: it has no state to show."
    wait = QueueWait.of(attributes.get(sa.QUEUE_WAIT))
    where = ", ".join(filter(None, (
        stage, f"team {team}" if (team := attributes.get(sa.TEAM)) else None,
        f"waiting since {moment_at(wait.since, bank_offset())}" if wait else None,
        f"SLA {sla}" if (sla := attributes.get(sa.SLA_STATE)) else None)))
    return f"Its last known state, {READ_WITHOUT}: {where}."


async def how_it_ended(handle: WorkflowHandle[Any, Any],
                       described: WorkflowExecutionDescription) -> str:
    """How and when the journey `described` completed its own course, from its result (the
    history's close event, no replay) and its describe: e.g. "loan-APP-X has ended: withdrawn
    at 2026-12-06 10:01 (UTC+8) (found cheaper funding), read without a worker."."""
    result = JourneyResult.model_validate(await handle.result())
    why = f" ({result.reason})" if result.reason else ""
    return f"{handle.id} has ended: {result.outcome}{closed_when(described)}{why}, {READ_WITHOUT}."
