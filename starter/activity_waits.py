"""What a running journey's activities wait for, as the Temporal server sees them: an activity
whose task queue no worker polls (a worker of the journeys alone and no document reader: the
read waits for ever, and the journey says only "documents, waits on system, SLA ok"), or one
that fails attempt after attempt (the journey database down). `status` says it under the
journey, from its describe; `list --stuck` finds the journeys it is true of."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta

from pydantic import BaseModel
from temporalio.api.enums.v1 import PendingActivityState, TaskQueueType
from temporalio.client import Client, WorkflowExecutionDescription, WorkflowExecutionStatus
from temporalio.service import RPCError

from journey import contracts
from starter.work_lists import JourneyRow
from starter.workers import polled

FAILING_AFTER = 3  # `list --stuck`: attempts of one activity that make it stuck
NOT_STARTED_WITHIN = timedelta(minutes=5)  # `list --stuck`: an activity no worker took by then
DESCRIBES = 8  # `list --stuck`: journeys described at once


class PendingActivity(BaseModel):
    """An activity of a journey the server has scheduled and not seen complete."""

    activity: str  # its name, e.g. read_document
    task_queue: str  # the queue it is scheduled on
    journeys_queue: str  # the journey's own task queue
    attempt: int
    scheduled_at: datetime
    started: bool  # a worker runs it now
    last_failure: str | None = None  # how its last attempt failed
    next_attempt_at: datetime | None = None  # failed: when it is tried again


def pending_of(described: WorkflowExecutionDescription) -> list[PendingActivity]:
    """The pending activities of the journey `described`, each with its task queue (as the
    server keeps it with the activity's options; a server that does not: the queue the
    journey schedules that activity on, journey/contracts.py)."""
    journeys_queue = described.task_queue
    pending = []
    for p in described.raw_description.pending_activities:
        name = p.activity_type.name
        queue = p.activity_options.task_queue.name if p.HasField("activity_options") else ""
        failure = p.last_failure.message if p.HasField("last_failure") else ""
        again = p.next_attempt_schedule_time if p.HasField("next_attempt_schedule_time") else None
        pending.append(PendingActivity(
            activity=name, task_queue=queue or _queue_of(name, journeys_queue),
            journeys_queue=journeys_queue, attempt=p.attempt,
            scheduled_at=p.scheduled_time.ToDatetime(tzinfo=UTC),
            started=p.state == PendingActivityState.PENDING_ACTIVITY_STATE_STARTED,
            last_failure=failure or None,
            next_attempt_at=again.ToDatetime(tzinfo=UTC) if again is not None else None))
    return pending


def _queue_of(activity: str, journeys_queue: str) -> str:
    if activity == contracts.READ_DOCUMENT:
        return contracts.documents_queue(journeys_queue)
    if activity in contracts.DECISION_READS:
        return contracts.decisions_queue(journeys_queue)
    return journeys_queue


async def unpolled(client: Client, pending: Iterable[PendingActivity]) -> set[str]:
    """The task queues of `pending` that no worker polls for activities (starter/workers.py
    `polled`): one DescribeTaskQueue per queue, however many journeys wait on it."""
    queues = {p.task_queue for p in pending}
    return {q for q in sorted(queues)
            if not await polled(client, q, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY)}


def waits_said(pending: list[PendingActivity], unpolled: set[str],
               at: Callable[[datetime], str]) -> list[str]:
    """What the journey's `pending` activities wait for, a line each: a queue of `unpolled`,
    since the oldest was scheduled there (`at` says a moment), and what to start; an activity
    failing (tried again after a failure), its attempts, its last failure and when it is
    tried next. Nothing for activities on their way."""
    lines = []
    for queue in sorted({p.task_queue for p in pending} & unpolled):
        waiting = [p for p in pending if p.task_queue == queue]
        since = min(p.scheduled_at for p in waiting)
        who, role = _who_polls(queue, waiting[0].journeys_queue)
        lines.append(f"waiting for {who}: none polls {queue} (since {at(since)}): start one "
                     f"(loan-journey worker with LOAN_JOURNEY_WORKER_ROLE={role}, or all)")
    for p, n in _each_kind(pending):
        if p.attempt > 1 and p.last_failure:
            lines.append(f"{p.activity} failing{_of(n)}: attempt {p.attempt}, last failure: "
                         f"{p.last_failure}" + (f"; next attempt at {at(p.next_attempt_at)}"
                                                if p.next_attempt_at else ""))
    return lines


def _each_kind(pending: list[PendingActivity]) -> list[tuple[PendingActivity, int]]:
    """`pending`, one of each activity and queue (the one tried most: a journey reads its
    documents at once, and they wait or fail alike), with how many are pending."""
    kinds: dict[tuple[str, str], list[PendingActivity]] = {}
    for p in pending:
        kinds.setdefault((p.activity, p.task_queue), []).append(p)
    return [(max(each, key=lambda p: p.attempt), len(each)) for each in kinds.values()]


def _of(n: int) -> str:
    return f" ({n} pending)" if n > 1 else ""


def _who_polls(queue: str, journeys_queue: str) -> tuple[str, str]:
    """Who takes the activities of `queue`, and the worker role that runs it."""
    if queue == contracts.documents_queue(journeys_queue):
        return "a document reader", "documents"
    return "a worker", "journeys"


def stuck(pending: list[PendingActivity], unpolled: set[str], now: datetime,
          attempts: int = FAILING_AFTER, within: timedelta = NOT_STARTED_WITHIN) -> list[str]:
    """Why a journey with `pending` activities is stuck, a reason each (none: it is not): an
    activity on a queue of `unpolled`, one tried `attempts` times or more, one no worker took
    `within` its scheduling."""
    reasons = []
    for p, n in _each_kind(pending):
        if p.task_queue in unpolled:
            reasons.append(f"{p.activity}{_of(n)}: none polls {p.task_queue}")
        elif p.attempt >= attempts:
            reasons.append(f"{p.activity}{_of(n)}: attempt {p.attempt}"
                           + (f", last failure: {p.last_failure}" if p.last_failure else ""))
        elif not p.started and now - p.scheduled_at > within:
            reasons.append(f"{p.activity}{_of(n)}: not started after "
                           f"{(now - p.scheduled_at) // timedelta(minutes=1)} min")
    return reasons


async def waits_of(client: Client, workflow_id: str,
                   at: Callable[[datetime], str]) -> list[str]:
    """What the running journey `workflow_id`'s activities wait for (`waits_said`), from one
    describe of it and a DescribeTaskQueue per queue its activities are pending on; nothing
    when the server does not say (a key not allowed to describe)."""
    try:
        described = await client.get_workflow_handle(workflow_id).describe()
    except RPCError:
        return []
    if described.status is not WorkflowExecutionStatus.RUNNING:
        return []
    pending = pending_of(described)
    return waits_said(pending, await unpolled(client, pending), at) if pending else []


class StuckJourney(BaseModel):
    workflow_id: str
    stage: str
    sla: str
    reasons: list[str]


async def stuck_journeys(client: Client, rows: list[JourneyRow], now: datetime,
                         attempts: int = FAILING_AFTER,
                         within: timedelta = NOT_STARTED_WITHIN) -> list[StuckJourney]:
    """Of the running journeys `rows`, those stuck on an activity (`stuck`), as listed: a
    describe of each (visibility keeps no pending activity to query by; a few at once), then
    one DescribeTaskQueue per queue their activities are pending on, not per journey."""
    reads = asyncio.Semaphore(DESCRIBES)

    async def described(row: JourneyRow) -> list[PendingActivity]:
        async with reads:
            try:
                d = await client.get_workflow_handle(row.workflow_id).describe()
            except RPCError:  # gone since it was listed
                return []
        return pending_of(d) if d.status is WorkflowExecutionStatus.RUNNING else []

    pending = await asyncio.gather(*(described(r) for r in rows))
    idle = await unpolled(client, (p for each in pending for p in each))
    return [StuckJourney(workflow_id=r.workflow_id, stage=r.stage, sla=r.sla, reasons=why)
            for r, each in zip(rows, pending, strict=True)
            if (why := stuck(each, idle, now, attempts, within))]
