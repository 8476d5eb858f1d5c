"""Review schedules: one Temporal Schedule per disbursed loan, id `review-<journey id>`.

The library API the `loan-journey schedules` commands and the journey's schedule activities
call. Every function takes a connected client; NOT_FOUND becomes `NotFound` with advice.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar

from pydantic import BaseModel
from temporalio.api.workflowservice.v1 import ListScheduleMatchingTimesRequest
from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleBackfill,
    ScheduleCalendarSpec,
    ScheduleHandle,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleRange,
    ScheduleSpec,
    ScheduleState,
    ScheduleUpdate,
    ScheduleUpdateInput,
)
from temporalio.service import RPCError, RPCStatusCode

from journey.decisions import ScheduleAction
from journey.policy.calendar import moment_at
from journey.post_loan_policy import ReviewCalendar
from journey.review_contracts import (
    REVIEW_WORKFLOW,
    SCHEDULE_PREFIX,
    ReviewInput,
    engine_note,
    review_schedule_id,
    scheduled_journey,
)
from journey.status import DecisionRecord, JourneyStatus
from starter.bank_clock import bank_offset, day_on_bank_clock
from starter.errors import BadInput, NotFound

T = TypeVar("T")


class ScheduleRow(BaseModel):
    schedule_id: str
    journey_id: str
    paused: bool
    note: str
    next_runs: list[datetime]
    recent_runs: list[datetime]
    action_count: int = 0


def spec(calendar: ReviewCalendar) -> ScheduleSpec:
    """The schedule spec of a review calendar: `day` of `months` at `hour_utc`, in range."""
    return ScheduleSpec(
        calendars=[
            ScheduleCalendarSpec(
                second=[ScheduleRange(0)],
                minute=[ScheduleRange(0)],
                hour=[ScheduleRange(calendar.hour_utc)],
                day_of_month=[ScheduleRange(calendar.day)],
                month=[ScheduleRange(m) for m in calendar.months],
                comment="post-loan review",
            )
        ],
        start_at=_midnight(calendar.start),
        end_at=_midnight(calendar.end),
    )


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


async def create(
    client: Client, journey_id: str, calendar: ReviewCalendar, task_queue: str, note: str = ""
) -> bool:
    """Create the journey's review schedule; False when it exists already (left as it is)."""
    action = ScheduleActionStartWorkflow(
        REVIEW_WORKFLOW,
        ReviewInput(journey_id=journey_id),
        id=review_schedule_id(journey_id),  # the schedule appends the fire time
        task_queue=task_queue,
        execution_timeout=timedelta(hours=6),
    )
    schedule = Schedule(
        action=action,
        spec=spec(calendar),
        policy=SchedulePolicy(
            overlap=ScheduleOverlapPolicy.SKIP, catchup_window=timedelta(days=7)
        ),
        state=ScheduleState(note=note),
    )
    try:
        await client.create_schedule(review_schedule_id(journey_id), schedule)
    except ScheduleAlreadyRunningError:
        return False
    return True


async def set_cadence(
    client: Client, journey_id: str, calendar: ReviewCalendar, note: str = ""
) -> None:
    """Re-time the reviews (quarterly to monthly on a downgrade, and back), with `note`
    (the engine's, naming the class the new cadence is for) in place of the engine's note
    the schedule had; a person's note of why it is paused or resumed is kept."""

    def change(current: ScheduleUpdateInput) -> ScheduleUpdate:
        schedule = current.description.schedule
        schedule.spec = spec(calendar)
        state = schedule.state
        if note and not state.paused and (not state.note or engine_note(state.note)):
            state.note = note
        return ScheduleUpdate(schedule=schedule)

    await _call(client, journey_id, lambda h: h.update(change))


async def list_schedules(client: Client) -> list[ScheduleRow]:
    rows = []
    async for item in await client.list_schedules():
        if not item.id.startswith(SCHEDULE_PREFIX):
            continue
        info, state = item.info, item.schedule.state if item.schedule else None
        rows.append(
            ScheduleRow(
                schedule_id=item.id,
                journey_id=scheduled_journey(item.id),
                paused=bool(state and state.paused),
                note=(state.note or "") if state else "",
                next_runs=list(info.next_action_times[:3]) if info else [],
                recent_runs=[a.scheduled_at for a in info.recent_actions] if info else [],
            )
        )
    return rows


async def describe(client: Client, journey_id: str) -> ScheduleRow:
    d = await _call(client, journey_id, lambda h: h.describe())
    return ScheduleRow(
        schedule_id=d.id,
        journey_id=journey_id,
        paused=d.schedule.state.paused,
        note=d.schedule.state.note or "",
        next_runs=list(d.info.next_action_times[:3]),
        recent_runs=[a.scheduled_at for a in d.info.recent_actions],
        action_count=d.info.num_actions,
    )


async def reviews_said(client: Client, status: JourneyStatus) -> tuple[str, bool] | None:
    """What `status` says of a reviewed loan's review schedule, and whether it is a warning:
    paused, by whom and why, as the history recorded it; or, when the schedule is not paused
    or running as the history last recorded, that someone paused or resumed it outside the
    engine (the `temporal` CLI, the Web UI), so no one is on record for it (a warning).
    A running loan without a schedule: that its reviews do not run, deleted by whom (a
    warning). None while it runs as recorded, or on a server without schedules (the
    time-skipping one)."""
    if not status.reviewed():  # a running loan, or a project reviewed while it draws
        return None
    try:
        row = await describe(client, status.workflow_id)
    except NotFound:
        return _deleted_said(status)
    except RPCError as err:
        if err.status is RPCStatusCode.UNIMPLEMENTED:
            return None
        raise
    last = last_recorded(status, ScheduleAction.PAUSED, ScheduleAction.UNPAUSED)
    recorded_paused = last is not None and last.verdict == f"reviews {ScheduleAction.PAUSED}"
    if row.paused and recorded_paused and last is not None:
        return (f"{row.schedule_id}: reviews paused since {day_on_bank_clock(status, last.at)} "
                f"by {last.actor.id}: {last.reason}", False)
    if row.paused == recorded_paused:
        return None
    if row.paused:
        said, action = f"reviews are paused (the schedule's note: {row.note or 'none'!r})", "paused"
        history = "the loan's history records no pause"
    else:
        said, action = "reviews run", "unpaused"
        history = (f"the loan's history last recorded a pause, by {last.actor.id} on "
                   f"{day_on_bank_clock(status, last.at)}") if last is not None \
            else "the history records a pause"
    return (f"{row.schedule_id}: {said}, but {history}: it was {action} outside the engine. "
            f"Record who did it and why: `loan-journey schedules record {status.workflow_id} "
            f"{action} --as <staff id> --note <why>`", True)


def _deleted_said(status: JourneyStatus) -> tuple[str, bool]:
    """A running loan with no review schedule: its reviews do not run (a warning), deleted by
    whom the history recorded, or outside the engine when it records no deletion."""
    sid, last = review_schedule_id(status.workflow_id), last_recorded(
        status, ScheduleAction.DELETED, ScheduleAction.CREATED)
    if last is not None and last.verdict == f"reviews {ScheduleAction.DELETED}":
        return (f"{sid}: reviews stopped: deleted by {last.actor.id} on "
                f"{day_on_bank_clock(status, last.at)}: {last.reason}. Post-loan reviews are "
                f"mandatory: `loan-journey schedules create {status.workflow_id} --as <staff "
                "id>` schedules them again", True)
    return (f"{sid}: no review schedule, but the loan's history records no deletion: it was "
            "deleted outside the engine, and its reviews do not run. Record who did it and "
            f"why: `loan-journey schedules record {status.workflow_id} deleted --as <staff id> "
            f"--note <why>`, and schedule them again: `loan-journey schedules create "
            f"{status.workflow_id} --as <staff id>`", True)


def last_recorded(status: JourneyStatus, *actions: ScheduleAction) -> DecisionRecord | None:
    """The latest of `actions` the journey's history records of its review schedule."""
    verdicts = {f"reviews {a}" for a in actions}
    return next((d for d in reversed(status.decisions) if d.verdict in verdicts), None)


async def pause(client: Client, journey_id: str, note: str) -> None:
    await _call(client, journey_id, lambda h: h.pause(note=note))


async def unpause(client: Client, journey_id: str, note: str) -> None:
    await _call(client, journey_id, lambda h: h.unpause(note=note))


async def trigger(client: Client, journey_id: str) -> None:
    """Run a review now, even if one is running."""
    await _call(client, journey_id, lambda h: h.trigger(overlap=ScheduleOverlapPolicy.ALLOW_ALL))


async def backfill(client: Client, journey_id: str, start: datetime, end: datetime
                   ) -> list[datetime]:
    """Run the reviews the schedule would have run between `start` and `end`, both included,
    and return their times: those its spec gives in the window (the server's own reckoning,
    as its backfill runs them), none before the schedule's start, the first review after the
    loan's payout. Refused (BadInput) when the window ends after now (future reviews run on
    schedule), or holds no time to run."""
    if end <= start:
        raise BadInput(f"backfill end {moment_at(end, bank_offset())} is not after its start "
                       f"{moment_at(start, bank_offset())}: swap them")
    now = datetime.now(UTC)
    if end > now:
        raise BadInput(
            f"backfill end {moment_at(end, bank_offset())} is later than now "
            f"({moment_at(now, bank_offset())}): "
            "the end must be now or earlier, as future reviews run on schedule "
            f"(`loan-journey schedules describe {journey_id}` lists the next)")
    described = await _call(client, journey_id, lambda h: h.describe())
    times = await _matching_times(client, described.id, start, end)
    if not times:
        begins = described.schedule.spec.start_at  # its day's 00:00: the first review's hour
        first = await _matching_times(client, described.id, begins,
                                      begins + timedelta(days=366)) if begins else []
        since = f": its reviews run from {moment_at(first[0], bank_offset())}" if first else ""
        raise BadInput(
            f"nothing to backfill: {described.id} has no review time between "
            f"{moment_at(start, bank_offset())} and {moment_at(end, bank_offset())}{since}; give "
            "a window that "
            f"holds one (`loan-journey schedules describe {journey_id}` lists the recent ones), "
            f"or run a review now with `loan-journey schedules trigger {journey_id}`")
    window = ScheduleBackfill(start_at=start, end_at=end, overlap=ScheduleOverlapPolicy.ALLOW_ALL)
    await _call(client, journey_id, lambda h: h.backfill(window))
    return times


async def _matching_times(client: Client, schedule_id: str, start: datetime, end: datetime
                          ) -> list[datetime]:
    """The times the schedule's spec gives from `start` to `end`, both included, as the
    server computes them. Its query leaves out a time at `start` itself, which a backfill
    runs: it is asked from a second before (the spec's times are whole seconds)."""
    request = ListScheduleMatchingTimesRequest(namespace=client.namespace,
                                               schedule_id=schedule_id)
    request.start_time.FromDatetime(start - timedelta(seconds=1))
    request.end_time.FromDatetime(end)
    answer = await client.workflow_service.list_schedule_matching_times(request)
    return [t.ToDatetime(tzinfo=UTC) for t in answer.start_time]


async def delete(client: Client, journey_id: str) -> None:
    await _call(client, journey_id, lambda h: h.delete())


async def _call(
    client: Client, journey_id: str, action: Callable[[ScheduleHandle], Awaitable[T]]
) -> T:
    handle = client.get_schedule_handle(review_schedule_id(journey_id))
    try:
        return await action(handle)
    except RPCError as err:
        if err.status is RPCStatusCode.NOT_FOUND:
            raise NotFound(
                f"no review schedule {handle.id!r}: `loan-journey schedules list` shows them; "
                f"`loan-journey schedules create {journey_id} --as <staff id>` makes one"
            ) from err
        raise
