"""`loan-journey pending list|deliver`: acts kept while no worker answered (starter/pending.py)."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from journey.actors import Actor, Role
from journey.settings import Settings
from starter import pending
from starter.boundary import run
from starter.connect import connect
from starter.errors import NoAnswer, Refused
from starter.journey_cli import As, Reason, RoleOpt
from starter.pending_request import ASIDE
from starter.pending_return import return_to_payer, said
from starter.terminal import wide_console
from store.pending import Delivery, Instruction, instructions

pending_app = typer.Typer(
    help="Repayments, decisions, documents, feedback and inquiries typed while no worker "
         "answered: kept, then delivered; money refused at delivery, booked or returned.",
    no_args_is_help=True,
)


@pending_app.command("list")
def list_(
    every: Annotated[bool, typer.Option("--all", help="delivered and refused ones too")] = False,
) -> None:
    """The instructions kept because no worker took them, and the repayments refused at
    delivery, not booked (money received: action needed): who typed what, when, from where."""
    settings = Settings()
    rows = instructions(settings.db_url, every, (Delivery.PENDING, Delivery.UNBOOKED))
    _print(rows, f"{'instructions kept' if every else 'pending instructions'} ({len(rows)}, "
                 "oldest first)", said(settings, rows))


@pending_app.command()
def deliver() -> None:
    """Send each pending instruction to its journey, under the update id it was first sent
    under, so that it is taken once; a worker must run (each worker delivers them as it
    starts, too). An inquiry's answer, for the customer, is printed below the table."""
    settings = Settings()

    async def go() -> None:
        done = await pending.deliver(await connect(settings), settings)
        if done.settled:
            _print(done.settled, f"delivered or refused ({len(done.settled)})")
        elif not done.stopped:
            wide_console().print("nothing pending")
        for asked in (k for k in done.settled if k.update == "record_inquiry"):
            wide_console().print(escape(
                f"inquiry of {asked.actor} typed {asked.typed_at:%Y-%m-%d %H:%M:%S} UTC "
                f"(pending instruction {asked.id}), {asked.state}: {asked.outcome}"))
        if done.stopped:
            raise NoAnswer(done.stopped)
        if unbooked := [k for k in done.settled if k.state is Delivery.UNBOOKED]:
            raise Refused("money received and not booked, refused at delivery: "
                          + "; ".join(f"instruction {k.id}: {k.outcome}" for k in unbooked))

    run(go())


@pending_app.command("return")
def return_(
    number: Annotated[int, typer.Argument(help="the instruction's number (`pending list`)")],
    reason: Reason, actor: As,
    reference: Annotated[str, typer.Option(help="the return payment's reference")],
    role: RoleOpt = Role.OPERATIONS,
) -> None:
    """Record that money received and not booked (a repayment refused at delivery) went back
    to the payer: operations only, once; kept with who, when, why and under which payment."""

    async def go() -> Instruction:
        return return_to_payer(Settings(), number, Actor(id=actor, role=role), reason,
                               reference)

    settled = run(go())
    wide_console().print(escape(f"pending instruction {number} ({settled.workflow_id}) "
                                f"{settled.state}: {settled.outcome}"))


def _print(rows: list[Instruction], title: str, returns: dict[int | None, str] | None = None
           ) -> None:
    """The instructions, each with its outcome (a return to the payer as `returns` says it)."""
    table = Table("#", "typed (UTC)", "journey", "act", "by", "role", "from", title=title)
    for wide in ("instruction", "state", "outcome"):
        table.add_column(wide, overflow="fold")
    for r in rows:
        # escaped, every cell: ids, actors and references are what someone typed
        table.add_row(str(r.id), f"{r.typed_at:%Y-%m-%d %H:%M:%S}", escape(r.workflow_id),
                      r.update, escape(r.actor), escape(r.role), escape(r.origin),
                      escape(_fields(r.request)), r.state.value,
                      escape((returns or {}).get(r.id, r.outcome)))
    wide_console().print(table)


def _fields(request: str) -> str:
    """The request as typed, but the actor (its own columns): each field given, no defaults;
    fields set aside (kept out of the database) by name."""
    fields = json.loads(request)
    given = {k: v for k, v in fields.items() if k != "actor" and v not in (None, False, [], "")}
    if fields.get("tranche_id") == "":  # a drawdown decision typed without --tranche
        given["tranche_id"] = "the one waiting when delivered"
    if aside := given.pop(ASIDE, None):
        given["set aside"] = ", ".join(aside)
    return ", ".join(f"{k} {v}" for k, v in given.items())
