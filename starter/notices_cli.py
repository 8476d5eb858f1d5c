"""`loan-journey notices <id>`: what the customer was told, and the reminders staff were sent
on the case, from the outbox, for auditors."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from journey.policy.calendar import moment_at
from journey.settings import Settings
from starter.bank_clock import bank_offset
from starter.boundary import run
from starter.journey_cli import JourneyId
from starter.notices import Notice, notices
from starter.terminal import wide_console

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
                          "outbox for the bank's sender; outbox # is the notice's row, as "
                          "`records verify` names it (outbox notice #N)")
    for n in found:
        table.add_row(str(n.number), n.kind, _at(n.queued_at),
                      _at(n.sent_at) if n.sent_at else "[yellow]not sent yet[/]",
                      n.channel, escape(n.recipient), escape(n.text))
    console.print(table)


def _at(moment: datetime) -> str:
    return moment_at(moment, bank_offset())


def register(app: typer.Typer) -> None:
    app.command("notices")(notices_command)
