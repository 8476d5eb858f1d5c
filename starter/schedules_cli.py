"""`loan-journey schedules ...`: the post-loan review schedules, thin over starter.schedules."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table
from temporalio.client import Client

from activities.review import post_loan_policy_text
from journey.post_loan_policy import (
    cadence_refusal,
    first_review_on,
    parse_post_loan_policy,
    review_calendar,
)
from journey.settings import Settings
from starter import operations, schedules
from starter.boundary import run
from starter.connect import connect
from starter.errors import BadInput
from starter.terminal import wide_console

console = wide_console()
schedules_app = typer.Typer(help="Post-loan review schedules (one per disbursed loan).",
                            no_args_is_help=True)

JourneyId = Annotated[str, typer.Argument(help="journey (workflow) id, e.g. loan-APP-0001")]
Note = Annotated[str, typer.Option("--note", help="why; kept on the schedule")]


def _when(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError as err:
        raise typer.BadParameter(f"{text!r} is not an ISO date or time (2026-03-31T09:00)") from err
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@schedules_app.command()
def create(
    workflow_id: JourneyId,
    every: Annotated[int, typer.Option(help="months between reviews")] = 3,
) -> None:
    """Create a journey's review schedule (a disbursed journey creates its own)."""
    if (refusal := cadence_refusal(every)) is not None:
        raise typer.BadParameter(refusal, param_hint="--every")
    settings = Settings()

    async def go() -> None:
        client = await connect(settings)
        s = await operations.status(client, workflow_id)
        if s.disbursement is None or s.offer is None:
            raise BadInput(f"{workflow_id} is at {s.stage}: reviews begin after disbursement")
        policy = parse_post_loan_policy(post_loan_policy_text())
        first = first_review_on(policy, s.disbursement.booked_at.date())
        calendar = review_calendar(policy, first, every, s.offer.schedule[-1].due_on)
        made = await schedules.create(client, workflow_id, calendar, settings.task_queue)
        console.print(f"review-{workflow_id}: " + ("created" if made else "exists already"))

    run(go())


@schedules_app.command("list")
def list_() -> None:
    """Every review schedule, with its next runs."""

    async def go() -> None:
        rows = await schedules.list_schedules(await connect())
        table = Table("schedule", "paused", "next runs", "note", title="review schedules")
        for r in rows:
            nxt = ", ".join(t.strftime("%Y-%m-%d %H:%M") for t in r.next_runs)
            table.add_row(r.schedule_id, "yes" if r.paused else "no", nxt, escape(r.note))
        console.print(table)

    run(go())


@schedules_app.command()
def describe(workflow_id: JourneyId) -> None:
    """A journey's review schedule: state, next and recent runs."""

    async def go() -> None:
        r = await schedules.describe(await connect(), workflow_id)
        head = f"{r.schedule_id}  paused={r.paused}  actions={r.action_count}  {r.note}"
        console.print(escape(head))
        for t in r.next_runs:
            console.print(f"  next   {t:%Y-%m-%d %H:%M} UTC")
        for t in r.recent_runs:
            console.print(f"  recent {t:%Y-%m-%d %H:%M} UTC")

    run(go())


@schedules_app.command()
def pause(workflow_id: JourneyId, note: Note = "paused by operations") -> None:
    """Stop a journey's reviews until unpaused."""
    _do(lambda c: schedules.pause(c, workflow_id, note), f"review-{workflow_id}: paused")


@schedules_app.command()
def unpause(workflow_id: JourneyId, note: Note = "unpaused by operations") -> None:
    """Resume a journey's reviews."""
    _do(lambda c: schedules.unpause(c, workflow_id, note), f"review-{workflow_id}: unpaused")


@schedules_app.command()
def trigger(workflow_id: JourneyId) -> None:
    """Run a review now."""
    _do(lambda c: schedules.trigger(c, workflow_id), f"review-{workflow_id}: triggered")


@schedules_app.command()
def backfill(
    workflow_id: JourneyId,
    start: Annotated[str, typer.Option(help="from, ISO (UTC unless an offset is given)")],
    end: Annotated[str, typer.Option(help="to, ISO")],
) -> None:
    """Run the reviews the schedule would have run between --start and --end."""
    since, until = _when(start), _when(end)
    _do(
        lambda c: schedules.backfill(c, workflow_id, since, until),
        f"review-{workflow_id}: backfilled {since:%Y-%m-%d} .. {until:%Y-%m-%d}",
    )


@schedules_app.command()
def delete(workflow_id: JourneyId) -> None:
    """Delete a journey's review schedule (closing the journey deletes it too)."""
    _do(lambda c: schedules.delete(c, workflow_id), f"review-{workflow_id}: deleted")


def _do(action: Callable[[Client], Awaitable[None]], done: str) -> None:
    async def go() -> None:
        await action(await connect())
        console.print(done)

    run(go())
