"""`loan-journey pending list|deliver|return`: acts kept while no worker answered
(starter/pending.py), and money received and not booked returned to its payer; `pending
refunds|refund`: money owed back to payers, and its refunds (starter/refunds.py); `pending
confirm|cancel`: a second operations person's word on a refund or a return entered
(starter/outflow_checks.py: four eyes), without which nothing goes back."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from journey.actors import Actor, Role
from journey.policy.calendar import moment_at
from journey.repayment import money
from journey.settings import Settings
from starter import pending_delivery
from starter.act_words import act_words
from starter.bank_clock import bank_day, bank_label, bank_offset, bank_zone
from starter.book_json import plain
from starter.boundary import run
from starter.connect import connect
from starter.errors import NoAnswer, NotMet, Refused
from starter.journey_cli import As, Reason, RoleOpt
from starter.outflow_checks import (
    CANCEL,
    CONFIRM,
    awaiting_checker,
    cancel,
    checker_told,
    kept_submitter,
)
from starter.outflow_checks import entered_said as told_maker
from starter.pending_request import ASIDE
from starter.pending_return import came_from, confirm_return, return_to_payer, said
from starter.refunds import RefundRequest, RefundsOwed, confirm_refund, refund, refunds_owed
from starter.terminal import BOOK_WIDTH, wide_console
from starter.typed_values import yuan
from store.payer_outflows import OutflowKind, PayerOutflow, outflows
from store.pending import Delivery, Instruction, instructions

pending_app = typer.Typer(
    help="Repayments, decisions, documents, feedback and inquiries typed while no worker "
         "answered: kept, then delivered; money refused at delivery, booked or returned; "
         "money owed back to payers, refunded.",
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
    for entry in outflows(settings.db_url, OutflowKind.RETURN):
        told = checker_told(entry, came_from(settings, entry))
        wide_console().print(escape(f"awaiting confirmation: {told}"))


@pending_app.command()
def deliver() -> None:
    """Send each pending instruction to its journey, under the update id it was first sent
    under, so that it is taken once; a worker must run (each worker delivers them as it
    starts, too). An inquiry's answer, for the customer, is printed below the table. A vote
    delivered that does not count (set aside, or refused) is no success: exit 3, naming it."""
    settings = Settings()

    async def go() -> None:
        done = await pending_delivery.deliver(await connect(settings), settings)
        if done.settled:
            _print(done.settled, f"delivered or refused ({len(done.settled)})")
        elif not done.stopped:
            wide_console().print("nothing pending")
        for asked in (k for k in done.settled if k.update == "record_inquiry"):
            wide_console().print(escape(
                f"inquiry of {asked.actor} typed "
                f"{moment_at(asked.typed_at, bank_offset(), seconds=True)} "
                f"(pending instruction {asked.id}), {asked.state}: {asked.outcome}"))
        uncounted = f"not counted: {done.uncounted()}" if done.not_counted else ""
        if done.stopped:
            raise NoAnswer(_and(done.stopped, uncounted))
        if unbooked := [k for k in done.settled if k.state is Delivery.UNBOOKED]:
            raise Refused(_and("money received and not booked, refused at delivery: "
                               + "; ".join(f"instruction {k.id}: {k.outcome}"
                                           for k in unbooked), uncounted))
        if uncounted:
            raise NotMet(uncounted)

    run(go())


def _and(said: str, uncounted: str) -> str:
    """What a delivery's error says, and the votes it delivered that do not count."""
    return f"{said}; {uncounted}" if uncounted else said


@pending_app.command("return")
def return_(
    number: Annotated[int, typer.Argument(help="the instruction's number (`pending list`)")],
    reason: Reason, actor: As,
    reference: Annotated[str, typer.Option(help="the return payment's reference")],
    account: Annotated[str, typer.Option("--to-account",
                                         help="the payer's account it goes back to")],
    role: RoleOpt = Role.OPERATIONS,
) -> None:
    """Enter the return of money received and not booked (a repayment refused at delivery)
    to the payer: operations only, once; nothing goes back until a second operations person
    confirms it (`pending confirm`); kept with who, when, why, to which account and under
    which payment."""

    async def go() -> str:
        settings = Settings()
        entry = return_to_payer(settings, number, Actor(id=actor, role=role), reason,
                                reference, account)
        return told_maker(entry, kept_submitter(settings, entry.workflow_id))

    wide_console().print(escape(f"entered: {run(go())}"))


@pending_app.command("confirm")
def confirm(
    number: Annotated[int, typer.Argument(help="the refund's or return's number, as entered")],
    actor: As,
    role: RoleOpt = Role.OPERATIONS,
) -> None:
    """A second operations person, neither its maker nor the case's submitter, confirms a
    refund or a return entered, after checking it (the account against the bank's books):
    only then is it paid and kept as refunded or returned."""

    async def go() -> str:
        settings = Settings()
        entry, checked_as = await awaiting_checker(None, settings, number,
                                                   Actor(id=actor, role=role), CONFIRM)
        checker = Actor(id=actor, role=checked_as)
        if entry.kind is OutflowKind.REFUND:  # what is owed back, as the journey says now
            done = await confirm_refund(await connect(settings), settings, entry, checker,
                                        bank_day())
            return (f"refund {number} confirmed by {actor}: {money(done.amount)} owed back by "
                    f"{done.workflow_id} (paid beyond the whole plan under {done.payment}) "
                    f"refunded to account {done.account} under {done.reference}, entered by "
                    f"{done.refunded_by}")
        settled = confirm_return(settings, entry, checker)
        return (f"return {number} confirmed by {actor}: pending instruction "
                f"{entry.instruction_id} ({settled.workflow_id}) {settled.state}: "
                f"{settled.outcome}")

    wide_console().print(escape(run(go())))


@pending_app.command("cancel")
def cancel_(
    number: Annotated[int, typer.Argument(help="the refund's or return's number, as entered")],
    reason: Reason, actor: As,
    role: RoleOpt = Role.OPERATIONS,
) -> None:
    """Cancel a refund or a return entered and not confirmed (operations: its maker who typed
    it wrong, or the checker who found it wrong): nothing goes back; it stays listed as
    cancelled, with who and why."""

    async def go() -> str:
        settings = Settings()
        who = Actor(id=actor, role=role)
        entry, _ = await awaiting_checker(None, settings, number, who, CANCEL)
        done = cancel(settings, entry, who, reason)
        return f"{done.kind} {number} cancelled by {actor}, nothing paid: {done.said()}"

    wide_console().print(escape(run(go())))


@pending_app.command("refunds")
def refunds_(
    as_json: Annotated[bool, typer.Option("--json", help="the same figures as JSON, money as "
                                                         "strings to the fen")] = False,
) -> None:
    """Money owed back to payers, oldest first: each loan paid beyond its whole plan, by the
    payment that overpaid (its reference and value date, since when it is owed), what is left
    after the refunds recorded, and how many days it has been owed; the total."""

    async def go() -> RefundsOwed:
        settings = Settings()
        return await refunds_owed(await connect(settings), settings, bank_day())

    owed = run(go())
    if as_json:
        print(json.dumps(plain(owed.model_dump() | {
            "owed": [o.model_dump() | {"left": o.left} for o in owed.owed],
            "total": owed.total}), indent=2, ensure_ascii=False))
        return
    entered = [f"awaiting confirmation (`pending confirm N`): {_refund_told(owed, e)}"
               for e in owed.entered]
    table = Table(title=f"money owed back to payers, on {owed.on} (`loan-journey pending "
                        "refund` enters a refund, a second person confirms it)",
                  show_footer=True,
                  caption="\n".join(escape(n) for n in owed.not_read + entered) or None)
    table.add_column("journey", no_wrap=True, footer=f"total, {len(owed.owed):,} payments")
    for name in ("payer", "credit code", "paid under", "owed since", "days"):
        table.add_column(name)
    for name in ("overpaid", "refunded"):
        table.add_column(name, justify="right")
    table.add_column("owed back", justify="right", footer=money(owed.total))
    for o in owed.owed:
        table.add_row(escape(o.workflow_id), escape(o.payer), escape(o.credit_code),
                      escape(o.payment), str(o.paid_on), str(o.age_days), money(o.overpaid),
                      money(o.refunded), money(o.left))
    wide_console(BOOK_WIDTH).print(table)


@pending_app.command("refund")
def refund_(
    workflow_id: Annotated[str, typer.Argument(help="the journey that owes money back")],
    amount: Annotated[Decimal, typer.Option(
        parser=yuan, help="the amount refunded, yuan to the fen")],
    account: Annotated[str, typer.Option("--to-account", help="the payer's account it went to")],
    reference: Annotated[str, typer.Option(help="the refund payment's reference")],
    reason: Reason, actor: As,
    payment: Annotated[str | None, typer.Option(
        help="the payment that overpaid (`pending refunds`): the oldest owed back unless given")
    ] = None,
    role: RoleOpt = Role.OPERATIONS,
) -> None:
    """Enter the refund of money owed back (paid beyond the loan's whole plan) to the payer:
    operations only; at most what is owed back; one refund per refund payment; nothing is
    paid until a second operations person confirms it (`pending confirm`); kept with who,
    when, why, to which account and under which payment."""

    async def go() -> str:
        settings = Settings()
        client = await connect(settings)
        entry = await refund(client, settings, RefundRequest(
            workflow_id=workflow_id, amount=amount, account=account, reference=reference,
            reason=reason, actor=Actor(id=actor, role=role), payment=payment), bank_day())
        return told_maker(entry, kept_submitter(settings, entry.workflow_id))

    wide_console().print(escape(f"entered: {run(go())}"))


def _refund_told(owed: RefundsOwed, entry: PayerOutflow) -> str:
    """What the checker is told of refund `entry`: the account the payment came from, as the
    list read it from its journey (not read where its journey's status was not)."""
    line = next((o for o in owed.owed if (o.workflow_id, o.payment) == (entry.workflow_id,
                                                                        entry.payment)), None)
    return checker_told(entry, line.from_account if line else None, read=line is not None)


def _print(rows: list[Instruction], title: str, returns: dict[int | None, str] | None = None
           ) -> None:
    """The instructions, each with its outcome (a return to the payer as `returns` says it)."""
    table = Table("#", f"typed ({bank_label()})", "journey", "act", "by", "role", "from",
                  title=title)
    for wide in ("instruction", "state", "outcome"):
        table.add_column(wide, overflow="fold")
    for r in rows:
        # escaped, every cell: ids, actors and references are what someone typed
        table.add_row(str(r.id), f"{r.typed_at.astimezone(bank_zone()):%Y-%m-%d %H:%M:%S}",
                      escape(r.workflow_id),
                      act_words(r.update), escape(r.actor), escape(r.role), escape(r.origin),
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
