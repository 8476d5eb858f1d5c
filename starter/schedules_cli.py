"""`loan-journey schedules ...`: the post-loan review schedules, thin over starter.schedules."""

from __future__ import annotations

import shlex
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.markup import escape
from rich.table import Table
from temporalio.client import Client

from journey.actors import Actor, Role
from journey.decisions import ScheduleAction, ScheduleChange
from journey.policy import DecisionRefused
from journey.policy.authority import SCHEDULING_ROLES
from journey.policy.calendar import moment_at
from journey.policy.review_stops import STOPPING, authorize_review_stop, paused_by
from journey.post_loan_policy import (
    cadence_refusal,
    first_review_on,
    review_calendar,
)
from journey.review_contracts import scheduled_journey
from journey.settings import Settings
from journey.status import DecisionRecord, JourneyStatus
from starter import codec, encryption, loan_figures, operations, pinned_policy, schedules
from starter.attempts import Attempt, acting
from starter.bank_clock import bank_label, bank_offset, on_bank_clock
from starter.boundary import run
from starter.connect import connect
from starter.errors import BadInput, Ended, NotFound, NotRecorded, Refused, plain_errors
from starter.journey_cli import As, StaffRole
from starter.periods import moment, through
from starter.terminal import wide_console

console = wide_console()
schedules_app = typer.Typer(help="Post-loan review schedules (one per disbursed loan).",
                            no_args_is_help=True)

Note = Annotated[str, typer.Option("--note", help="why; kept on the schedule")]
# the journey, named by its id or by its schedule's (`schedules list` shows review-<journey id>)
ScheduleOf = Annotated[str, typer.Argument(
    metavar="WORKFLOW_ID", callback=scheduled_journey,
    help="journey (workflow) id, e.g. loan-APP-0001, or its schedule's, review-loan-APP-0001")]


@schedules_app.command()
@acting("schedule created")
def create(
    workflow_id: ScheduleOf,
    actor: As,
    role: StaffRole = None,
    every: Annotated[int, typer.Option(help="months between reviews")] = 3,
    note: Note = "reviews scheduled by hand",
) -> None:
    """Create a journey's review schedule (a disbursed journey, or a project at its first
    drawdown, creates its own)."""
    if (refusal := cadence_refusal(every)) is not None:
        raise typer.BadParameter(refusal, param_hint="--every")
    settings = Settings()

    async def create_it(client: Client) -> None:
        s = await operations.status(client, workflow_id)
        went_out = s.reviewed_from()
        if went_out is None or s.offer is None:
            raise BadInput(f"{workflow_id} has no reviews yet: {s.unreviewed()}")
        policy = pinned_policy.post_loan_policy_of(settings, s)
        first = first_review_on(policy, loan_figures.loan_day(s, went_out))
        calendar = review_calendar(policy, first, every, s.offer.schedule[-1].due_on)
        await schedules.create(client, workflow_id, calendar, settings.task_queue)

    _do(workflow_id, _change(actor, role, ScheduleAction.CREATED, note), create_it)


@schedules_app.command("list")
def list_() -> None:
    """Every review schedule, with its next runs."""

    async def go() -> None:
        rows = await schedules.list_schedules(await connect())
        table = Table("schedule", "paused", "next runs", "note", title="review schedules")
        for r in rows:
            nxt = ", ".join(moment_at(t, bank_offset()) for t in r.next_runs)
            table.add_row(r.schedule_id, "yes" if r.paused else "no", nxt, escape(r.note))
        console.print(table)

    run(go())


@schedules_app.command()
def describe(workflow_id: ScheduleOf) -> None:
    """A journey's review schedule: state, next and recent runs."""

    async def go() -> None:
        client = await connect()
        try:
            r = await schedules.describe(client, workflow_id)
        except NotFound as err:
            raise NotFound(await _no_schedule(client, workflow_id, err)) from err
        head = f"{r.schedule_id}  paused={r.paused}  actions={r.action_count}  {r.note}"
        console.print(escape(head))
        for t in r.next_runs:
            console.print(f"  next   {moment_at(t, bank_offset())}")
        for t in r.recent_runs:
            console.print(f"  recent {moment_at(t, bank_offset())}")

    run(go())


@schedules_app.command()
@acting("schedule paused")
def pause(
    workflow_id: ScheduleOf, actor: As, role: StaffRole = None,
    note: Note = "paused by operations",
) -> None:
    """Stop a journey's reviews until unpaused."""
    _pausing(workflow_id, _change(actor, role, ScheduleAction.PAUSED, note))


@schedules_app.command()
@acting("schedule unpaused")
def unpause(
    workflow_id: ScheduleOf, actor: As, role: StaffRole = None,
    note: Note = "unpaused by operations",
) -> None:
    """Resume a journey's reviews."""
    _pausing(workflow_id, _change(actor, role, ScheduleAction.UNPAUSED, note))


def _pausing(workflow_id: str, change: ScheduleChange) -> None:
    """Pause or unpause, the schedule's note signed with who did it."""
    act = schedules.pause if change.action is ScheduleAction.PAUSED else schedules.unpause
    _do(workflow_id, change, lambda c: act(c, workflow_id, f"{change.actor.id}: {change.note}"))


@schedules_app.command()
@acting("schedule triggered")
def trigger(
    workflow_id: ScheduleOf, actor: As, role: StaffRole = None,
    note: Note = "a review now",
) -> None:
    """Run a review now."""
    change = _change(actor, role, ScheduleAction.TRIGGERED, note)
    _do(workflow_id, change, lambda c: schedules.trigger(c, workflow_id))


@schedules_app.command()
@acting("schedule backfilled")
def backfill(
    workflow_id: ScheduleOf,
    start: Annotated[str, typer.Option(
        help="from, ISO (the bank's clock unless an offset is given)")],
    end: Annotated[str, typer.Option(
        help="to, ISO (a date alone: its whole bank day; the bank's clock unless an offset is "
             "given)")],
    actor: As,
    role: StaffRole = None,
) -> None:
    """Run the reviews the schedule would have run between --start and --end (now or
    earlier: future reviews run on schedule)."""
    since, until = moment(start), moment(end)
    if through(end) != until:  # a date alone: that whole day, or to now when it is today
        until = max(until, min(through(end) - timedelta(seconds=1), datetime.now(UTC)))
    day = "%Y-%m-%d"  # the bank's days
    note = f"the reviews of {on_bank_clock(since, day)} .. {on_bank_clock(until, day)}"

    async def backfill_them(client: Client) -> None:
        ran = await schedules.backfill(client, workflow_id, since, until)
        console.print(f"review-{workflow_id}: running the reviews of "
                      f"{', '.join(on_bank_clock(t, '%Y-%m-%d %H:%M') for t in ran)} "
                      f"({bank_label()})")

    _do(workflow_id, _change(actor, role, ScheduleAction.BACKFILLED, note), backfill_them)


@schedules_app.command()
@acting("schedule deleted")
def delete(
    workflow_id: ScheduleOf, actor: As, note: Note, role: StaffRole = None,
) -> None:
    """Delete a journey's review schedule (closing the journey deletes it too)."""
    _do(workflow_id, _change(actor, role, ScheduleAction.DELETED, note),
        lambda c: schedules.delete(c, workflow_id))


def _change(actor: str, role: Role | None, action: ScheduleAction, note: str) -> ScheduleChange:
    try:
        return ScheduleChange(actor=Actor(id=actor, role=role or Role.OPERATIONS), action=action,
                              note=note)
    except ValidationError as err:
        raise typer.BadParameter(plain_errors(err)) from None


async def _as_expected(client: Client, workflow_id: str, action: ScheduleAction) -> None:
    """The schedule exists, or for its creation does not: else NotFound or BadInput."""
    if action is not ScheduleAction.CREATED:
        try:
            await schedules.describe(client, workflow_id)
        except NotFound as err:
            raise NotFound(await _no_schedule(client, workflow_id, err)) from err
        return
    try:
        await schedules.describe(client, workflow_id)
    except NotFound:
        return
    raise BadInput(f"review-{workflow_id} exists already: `loan-journey schedules describe "
                   f"{workflow_id}` shows it")


async def _may_stop(settings: Settings, client: Client, workflow_id: str,
                    change: ScheduleChange, refused: str = "") -> None:
    """A pause, a resumption or a deletion is the loan's risk team's (`authorize_review_stop`,
    by the policy in force): else `Refused` naming who may, the attempt kept, before the
    schedule changes or the change is recorded (`refused`: what the refusal says was not
    done). Other changes stop no review."""
    if change.action not in STOPPING:
        return
    s = await operations.status(client, workflow_id)
    team = s.risk_team or (s.route.team if s.route else None)
    if team is None:
        raise BadInput(f"{workflow_id} has no risk team yet: {s.unreviewed()}")
    try:
        authorize_review_stop(pinned_policy.current_policy(settings), change.actor, team,
                              change.action, paused_by(s.decisions))
    except DecisionRefused as err:
        why = str(err)
        refused = refused or f"review-{workflow_id} not {change.action}"
        raise Refused(f"{refused}: {why}", pinned_policy.attempt(
            workflow_id, f"schedule {change.action}", change.actor, why)) from err


async def _as_made(client: Client, workflow_id: str, action: ScheduleAction) -> None:
    """The schedule stands as `action` left it (paused, unpaused, there, gone), so that no
    change is recorded that was not made; BadInput when it does not. A run started or
    backfilled leaves no state to check."""
    try:
        state = await schedules.describe(client, workflow_id)
    except NotFound:
        if action is ScheduleAction.DELETED:
            return
        raise
    wrong = {ScheduleAction.PAUSED: not state.paused, ScheduleAction.UNPAUSED: state.paused,
             ScheduleAction.DELETED: True}.get(action, False)
    if wrong:
        raise BadInput(f"review-{workflow_id} is {'paused' if state.paused else 'running'}: "
                       f"it was not {action}, so there is nothing to record; "
                       f"`loan-journey schedules describe {workflow_id}` shows it")


def _do(workflow_id: str, change: ScheduleChange,
        action: Callable[[Client], Awaitable[None]]) -> None:
    """Act on the journey's review schedule as `change.actor` (by the staff directory), then
    record who and why in the journey's history: a change that failed is never recorded. A
    journey that has ended has no history left to write, and only the schedule's note keeps
    it; a record that fails once the change is made is `NotRecorded`, saying how to record it."""
    settings = Settings()

    async def go() -> None:
        pinned_policy.authorized(settings, change.actor, SCHEDULING_ROLES,
                                 f"review-{workflow_id} not {change.action}",
                                 (workflow_id, f"schedule {change.action}"))
        client = await connect(settings)
        await encryption.writes_allowed(client, f"review-{workflow_id} not {change.action}")
        await codec.keys_needed(client, workflow_id, f"review-{workflow_id} not {change.action}")
        await _as_expected(client, workflow_id, change.action)  # before anything changes
        await _may_stop(settings, client, workflow_id, change)
        await action(client)
        where = "in the journey's history"
        try:
            await operations.act(client, workflow_id, "record_schedule_change", change)
        except (Ended, NotFound):
            where = "on the schedule only: the journey has ended"
        except Exception as err:
            raise NotRecorded(
                f"review-{workflow_id}: {change.action}, but not recorded in the journey's "
                f"history: {err}. If `loan-journey status {workflow_id}` does not list "
                f"\"reviews {change.action}\" among its decisions (an update waiting for a "
                "worker shows once one takes it), record it: "
                f"`{_record_command(workflow_id, change)}`"
            ) from err
        console.print(f"review-{workflow_id}: {change.action} (recorded {where})")

    run(go())


async def _no_schedule(client: Client, workflow_id: str, err: NotFound) -> str:
    """What to do about a journey without a review schedule: create one, when the journey
    is reviewed; else why it has no reviews yet and when it will (a journey the server does
    not know: `err` as it is)."""
    try:
        s = await operations.status(client, workflow_id)
    except NotFound:
        return str(err)
    if s.reviewed():
        return str(err)
    return (f"no review schedule review-{workflow_id}: {s.unreviewed()}; "
            "`loan-journey schedules list` shows the schedules there are")


def _record_command(workflow_id: str, change: ScheduleChange) -> str:
    return shlex.join(["loan-journey", "schedules", "record", workflow_id, change.action,
                       "--as", change.actor.id, "--role", change.actor.role,
                       "--note", change.note])


def _recorded_last(status: JourneyStatus, change: ScheduleChange) -> DecisionRecord | None:
    """The journey's latest record of a change to its review schedule, when it is `change`
    (the action, who, the note): `record` run again; None otherwise."""
    last = next((d for d in reversed(status.decisions) if d.verdict.startswith("reviews ")),
                None)
    if last is None or (last.verdict, last.actor, last.reason) != (
            f"reviews {change.action}", change.actor, change.note):
        return None
    return last


def _recording(params: Mapping[str, Any]) -> Attempt:
    """A change recorded by hand: the action names what was done to the schedule."""
    done = params.get("action")
    return Attempt(workflow_id=str(params.get("workflow_id") or "-"),
                   action=f"schedule record {done}" if done else "schedule record",
                   actor=str(params.get("actor") or "-"), role=str(params.get("role") or "-"))


@schedules_app.command()
@acting("schedule record", named=_recording)
def record(
    workflow_id: ScheduleOf,
    action: Annotated[ScheduleAction, typer.Argument(help="what was done to the schedule")],
    actor: As,
    note: Note,
    role: StaffRole = None,
) -> None:
    """Record in the journey's history a change made to its review schedule that another
    `schedules` command could not record (it exited 7 and printed this command)."""
    change = _change(actor, role, action, note)
    settings = Settings()

    async def go() -> None:
        pinned_policy.authorized(settings, change.actor, SCHEDULING_ROLES,
                                 f"review-{workflow_id} {change.action} not recorded",
                                 (workflow_id, f"schedule record {change.action}"))
        client = await connect(settings)
        await _as_made(client, workflow_id, change.action)
        await _may_stop(settings, client, workflow_id, change,
                        f"review-{workflow_id} {change.action} not recorded")
        if same := _recorded_last(await operations.status(client, workflow_id), change):
            console.print(f"review-{workflow_id}: {change.action} is already recorded in the "
                          f"journey's history ({escape(same.actor.id)}, "
                          f"{moment_at(same.at, bank_offset())}): not recorded again")
            return
        await operations.act(client, workflow_id, "record_schedule_change", change)
        console.print(f"review-{workflow_id}: {change.action} recorded in the journey's history")

    run(go())
