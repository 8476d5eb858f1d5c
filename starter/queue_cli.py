"""`queue`: what waits on a team, on a person, or on the customers, as the team's head reads
it: most urgent first (or as `--sort` says), the first `--limit`."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated

import typer
from rich.markup import escape
from temporalio.client import Client

from journey.entrusted_payment import OPERATIONS_TEAM
from journey.policy.authority import FRONT_OFFICE
from journey.settings import Settings
from starter import pinned_policy, reviews_paused, work_lists, work_queues
from starter.boundary import run
from starter.connect import connect
from starter.listings_cli import ShowQuery
from starter.queue_view import bank_title, owed_title, owed_view, queue_title, queue_view
from starter.terminal import QUEUE_WIDTH, wide_console
from starter.work_lists import JourneyRow
from starter.work_queues import QueueSort
from workflows.post_loan_warnings import REVIEWS_STOPPED


class WaitingOn(StrEnum):
    CUSTOMER = "customer"


OWED_HINT = ("cases waiting on the customer: queue --waiting-on customer (those a relationship "
             "manager or operations submitted: --rm <staff id>; everyone's own: --person "
             "<staff id>)")


def queue(
    team: Annotated[str | None, typer.Option(help="e.g. sme_risk, corporate_risk, branch")]
    = None,
    person: Annotated[str | None, typer.Option(
        "--person", help="a staff id: every case assigned to them, on any team's queue, "
                         "every case they submitted waiting on its customer (then on the "
                         "bank, as --rm), and, for a "
                         "committee's member, every case at approval that still needs their "
                         "vote (someone away: their cases)")] = None,
    waiting_on: Annotated[WaitingOn | None, typer.Option(
        "--waiting-on", help="customer: the cases waiting on their customers (what each owes: "
                             "documents missing or unreadable, a question, a signature), the "
                             "deadline nearest first")] = None,
    rm: Annotated[str | None, typer.Option(
        "--rm", help="the staff id of whoever submits cases, a relationship manager or "
                     "operations: the cases they submitted waiting on the customer (implies "
                     "--waiting-on customer), then those waiting on the bank: on which "
                     "team, since when, the SLA (not with --waiting-on customer)")] = None,
    sort: Annotated[QueueSort | None, typer.Option(
        help="sla: breached, then warned, the oldest first (a team's default); waited: the "
             "longest wait first; amount: the largest first (default for the customers' "
             "list: the deadline nearest first)")] = None,
    limit: Annotated[int | None, typer.Option(
        min=1, help="list only the first N of each list (the caption says how many in all)")]
    = None,
    show_query: ShowQuery = False,
) -> None:
    """What waits on a team now, most urgent first (the same list as the Web UI with the
    query `--show-query` prints); or on a person (--person); or, with --waiting-on customer
    or --rm, what customers owe."""
    console = wide_console(QUEUE_WIDTH)  # the terminal's width (COLUMNS) as the command runs
    if sum(x is not None for x in (team, person, waiting_on or rm)) > 1:
        raise typer.BadParameter("give one of --team, --person, or --waiting-on customer "
                                 "[--rm ID]")
    if team is None and person is None and waiting_on is None and rm is None:
        raise typer.BadParameter(f"give a --team (e.g. sme_risk) or a --person; {OWED_HINT}")

    def cut(rows: list[JourneyRow], default: QueueSort | None) -> list[JourneyRow]:
        order = sort or default
        return (work_queues.ordered(rows, order) if order else rows)[:limit]

    def order(default: str) -> str:
        return str(sort or default)

    async def go() -> None:
        now, settings = datetime.now(UTC), Settings()
        # who is on which team, on a committee, submits cases: the policy's; one that fails
        # its check (changed in the database) lists no queue, whichever is asked
        pinned_policy.current_policy(settings)
        client = await connect()
        if team is not None:
            await _team(client, settings, team, now)
        elif person is not None:
            await _person(client, settings, person, now)
        else:
            await _owed(client, settings, rm, now)

    async def _team(client: Client, settings: Settings, team: str, now: datetime) -> None:
        rows = await work_lists.waiting_on(client, team)
        if not rows:
            work_queues.refuse_unknown_team(settings, team, OWED_HINT)
        # reviews paused outside the engine: the journeys were not told, their attributes
        # do not say it (one read of the schedules for the whole list)
        outside = await reviews_paused.paused_outside(client)
        rows = work_lists.with_parties(settings, [
            r.model_copy(update={"paused_outside": outside[r.workflow_id].paused_outside})
            if r.workflow_id in outside else r for r in rows])
        console.print(queue_view(cut(rows, None), queue_title(team),
                                 *work_lists.queue_clock(now), len(rows), order("sla")))
        # those on no team's queue would be on their risk team's, the pause recorded; which
        # team that is only each journey says: listed under every routed risk team's queue
        if (elsewhere := [o for o in outside.values() if o.team == "-"]) and team in {
                r.team for r in pinned_policy.current_policy(settings).routing.rules}:
            elsewhere = work_lists.with_parties(settings, [
                o.model_copy(update={"sla": REVIEWS_STOPPED}) for o in elsewhere])
            console.print(queue_view(elsewhere, reviews_paused.ELSEWHERE_TITLE,
                                     *work_lists.queue_clock(now)))
        if team == OPERATIONS_TEAM:  # a payout nobody may confirm stays on it: say so
            for line in await work_lists.stuck_payouts(client, settings, rows):
                console.print(f"[red]{escape(line)}[/]")
        if show_query:
            console.print(escape(f"visibility query: {work_lists.queue_query(team)}"))

    async def _person(client: Client, settings: Settings, person: str, now: datetime) -> None:
        assigned = await work_queues.assigned_to(client, person)
        owed = await work_lists.owed_by_customers(client, settings, person)
        votes = await work_queues.votes_awaited(client, settings, person)
        bank = await work_lists.submitted_waiting_on_bank(client, settings, person)
        if not assigned and not owed and votes is None and not bank:
            work_queues.refuse_unknown_person(settings, person)
        assigned = work_lists.with_parties(settings, assigned)
        console.print(queue_view(cut(assigned, None), f"cases assigned to {person}",
                                 *work_lists.queue_clock(now), len(assigned), order("sla")))
        if votes is not None:  # a committee's member: its cases that still need their vote
            votes = work_lists.with_parties(settings, votes)
            console.print(queue_view(cut(votes, None), f"committee votes awaited from {person}",
                                     *work_lists.queue_clock(now), len(votes), order("sla")))
        shown = await work_queues.with_owed(client, cut(owed, None))
        console.print(owed_view(shown, owed_title(person), *work_lists.queue_clock(now),
                                len(owed), order("deadline")))
        if bank:  # a submitter away: the rest of their book, as --rm lists it
            console.print(queue_view(cut(bank, None), bank_title(person),
                                     *work_lists.queue_clock(now), len(bank), order("sla")))
        if show_query:
            console.print(escape(f"visibility query: {work_lists.person_query(person)}; "
                                 f"{work_lists.customer_query()}, and "
                                 f"{work_lists.bank_query()}, who submitted it from the "
                                 "journey store" + ("; the committee's queue, who may still "
                                                    "vote from each journey's status"
                                                    if votes is not None else "")))

    async def _owed(client: Client, settings: Settings, rm: str | None, now: datetime) -> None:
        rows = await work_lists.owed_by_customers(client, settings, rm)
        shown = await work_queues.with_owed(client, cut(rows, None))
        console.print(owed_view(shown, owed_title(rm), *work_lists.queue_clock(now),
                                len(rows), order("deadline")))
        bank: list[JourneyRow] = []
        if rm is not None and waiting_on is None:  # the rest of their book: on whom each
            # waits, its SLA (`--waiting-on customer --rm` asks for what customers owe alone)
            bank = await work_lists.submitted_waiting_on_bank(client, settings, rm)
            console.print(queue_view(cut(bank, None), bank_title(rm),
                                     *work_lists.queue_clock(now), len(bank), order("sla")))
        if show_query:
            console.print(escape(f"visibility query: {work_lists.customer_query()}"
                                 + (f"; {work_lists.bank_query()}"
                                    if rm is not None and waiting_on is None else "")
                                 + ("; who submitted it from the journey store" if rm else "")))
        if not rows and not bank and rm is not None and pinned_policy.directory_role(
                settings, rm) not in FRONT_OFFICE:
            console.print(escape(f"{rm!r} submits no cases: --rm takes a relationship manager "
                                 "or operations of the staff directory"))

    run(go())
