"""`loan-journey notices <id>`: what the customer was told, and the reminders staff were sent
on the case, from the outbox, for auditors; `loan-journey notices send`: the outbox delivered
(starter/notifier.py)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
from datetime import datetime
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table
from typer._click.core import Command, Context  # typer's own click
from typer.core import TyperGroup

from journey.policy.calendar import moment_at
from journey.settings import Settings
from starter.bank_clock import bank_offset
from starter.boundary import run
from starter.connect import connect
from starter.errors import JourneyError, SetupError
from starter.journey_cli import JourneyId
from starter.notices import Notice, notices
from starter.notifier import gateways, send_pass
from starter.notifier_metrics import start_notifier_metrics
from starter.terminal import wide_console
from store.outbox import Dispatched, OutboxMessage, notifier_id

console = wide_console()


def notices_command(
    workflow_id: JourneyId,
    as_json: Annotated[bool, typer.Option("--json", help="the notices as JSON")] = False,
) -> None:
    """Every notice a journey queued, to its customer and to staff (SLA reminders), oldest
    first: its outbox number, kind, when it was queued and sent (the bank's clock; not sent
    yet: due), channel, recipient and text."""
    settings = Settings()

    async def go() -> list[Notice]:
        return notices(settings, workflow_id)

    found = run(go())
    if as_json:
        print(json.dumps({"journey": workflow_id,
                          "notices": [n.model_dump(mode="json") for n in found]},
                         indent=2, ensure_ascii=False))
        return
    if not found:
        console.print(f"no notice queued for {escape(workflow_id)}: the outbox holds none for "
                      "it (a journey id as `loan-journey list` shows it: loan-...)")
        return
    table = Table("outbox #", "kind", "queued", "sent", "channel", "to", "text",
                  title=f"notices of {escape(workflow_id)}: to its customer, and reminders "
                        "to staff",
                  caption="on the bank's clock; a notice not sent yet is due: queued in the "
                          "outbox for `notices send`; outbox # is the notice's row, as "
                          "`records verify` names it (outbox notice #N)")
    for n in found:
        table.add_row(str(n.number), n.kind, _at(n.queued_at),
                      _at(n.sent_at) if n.sent_at else "[yellow]not sent yet[/]",
                      n.channel, escape(n.recipient), escape(n.text))
    console.print(table)


def _at(moment: datetime) -> str:
    return moment_at(moment, bank_offset())


SHOW = "show"


class NoticesGroup(TyperGroup):
    """`notices <id>` as before, and `notices send`: words that name no subcommand (a journey
    id, an option of the listing) are the listing's."""

    def resolve_command(self, ctx: Context, args: list[str]
                        ) -> tuple[str | None, Command | None, list[str]]:
        if args and args[0] not in self.commands:
            return "notices", self.commands[SHOW], args
        return super().resolve_command(ctx, args)


notices_app = typer.Typer(
    cls=NoticesGroup, no_args_is_help=True,
    context_settings={"ignore_unknown_options": True},
    help="A journey's notices (`notices <id>`), and their delivery (`notices send`).")


class HeldBack(JourneyError):
    """A pass left notices pending (no address, a gateway refusing): exit 1, each named."""


def send_command(
    follow: Annotated[bool, typer.Option(
        "--follow", help="send again every --every seconds until stopped")] = False,
    every: Annotated[float, typer.Option("--every", min=1, help="seconds between passes")
                     ] = 60.0,
) -> None:
    """Deliver the outbox's pending notices: email through the mail server (SMTP settings),
    SMS through the gateway (SMS webhook settings), to the customer's contact in its
    application or the staff member's address in the policy in force, and mark each sent.
    A notice that has no address or that its gateway refuses stays pending, named with why,
    and the next pass tries it again (exit 1 when a single pass left any); with no gateway
    configured nothing is sent (exit 5). Several may run at once (replicas): each claims a
    notice before it sends it, and one that another is sending is left to it."""
    settings = Settings()

    async def go() -> None:
        if gateways(settings) == (None, None):
            raise SetupError(
                "no gateway is configured: nothing sent; set LOAN_JOURNEY_SMTP_HOST and "
                "LOAN_JOURNEY_NOTICE_FROM (email) or LOAN_JOURNEY_SMS_WEBHOOK_URL (SMS)")
        told: set[tuple[int, str]] = set()
        stop = _stopped_by_sigterm()
        by = notifier_id()
        if follow:
            _serve_metrics(settings)
        while True:
            done = await send_pass(settings, lambda: connect(settings), by)
            _report(done, told)
            if not follow:
                if done.held:
                    raise HeldBack(f"{len(done.held)} notice(s) left pending: see above")
                return
            try:
                await asyncio.wait_for(stop.wait(), every)
            except TimeoutError:
                continue
            console.print("stopped")
            return

    run(go())


def _serve_metrics(settings: Settings) -> None:
    """With LOAN_JOURNEY_NOTIFIER_METRICS_PORT, a follower serves its metrics (notices sent,
    held by why, pending and the oldest one's age) for Prometheus; one pass exits too soon to
    be scraped, so it serves none."""
    port, host = settings.notifier_metrics_port, str(settings.metrics_host)
    if port is None:
        return
    try:
        start_notifier_metrics(port, host)
    except OSError as err:
        raise SetupError(
            f"cannot serve the notifier's metrics on {host}, port {port}: {err}; set "
            "LOAN_JOURNEY_NOTIFIER_METRICS_PORT to a port that is free and "
            "LOAN_JOURNEY_METRICS_HOST to an address of this machine") from err
    console.print(f"metrics on {host} port {port}", highlight=False)


def _stopped_by_sigterm() -> asyncio.Event:
    """Set by SIGTERM (`docker stop`): a follower ends between passes, never between a send
    and its mark (which would send it again on its next start)."""
    stop = asyncio.Event()
    with contextlib.suppress(ValueError, RuntimeError, NotImplementedError):  # not main thread
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    return stop


def _report(done: Dispatched, told: set[tuple[int, str]]) -> None:
    """Each notice sent, and each held with why, once per reason (a follower's passes
    repeat it otherwise every minute)."""
    for m in done.sent:
        console.print(f"sent #{m.id} {m.channel} {escape(m.template)} to {_whom(m)}",
                      highlight=False)
    for m, why in done.held:
        if (m.id, why) not in told:
            told.add((m.id, why))
            console.print(f"pending #{m.id} {m.channel} {escape(m.template)} to {_whom(m)}: "
                          f"{escape(why)}", highlight=False)
    for m in done.elsewhere:
        console.print(f"#{m.id} {m.channel} {escape(m.template)} to {_whom(m)}: another "
                      "notifier is sending it", highlight=False)
    if not done.held:
        told.clear()


def _whom(m: OutboxMessage) -> str:
    return escape(f"the customer of {m.workflow_id}" if m.recipient == "customer"
                  else m.recipient)


def register(app: typer.Typer, *_: Any) -> None:
    notices_app.command(SHOW, hidden=True)(notices_command)
    notices_app.command("send")(send_command)
    app.add_typer(notices_app, name="notices")
