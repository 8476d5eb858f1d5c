"""`loan-journey encryption ...`: whether this namespace's journeys are encrypted."""

from __future__ import annotations

import typer
from rich.console import Console

from journey.actors import Actor, Role
from journey.settings import Settings
from starter import encryption, encryption_declare
from starter.boundary import run
from starter.codec import SETTING
from starter.connect import connect
from starter.journey_cli import As, RoleOpt

console = Console()
encryption_app = typer.Typer(help="Whether the namespace's journeys are encrypted: a keyless "
                                  "client writes nothing to one that is.",
                             no_args_is_help=True)


@encryption_app.command("status")
def status() -> None:
    """What the namespace declares, who declared it, and its keys' check values."""
    settings = Settings()

    async def go() -> tuple[str | None, str, dict[str, str]]:
        client = await connect(settings)
        return *await encryption.declared(client), await encryption.recorded_checks(client)

    value, by, checks = run(go())
    where = f"namespace {settings.temporal_namespace}"
    if value is None:
        console.print(f"{where} declares nothing yet: the first client with {SETTING} marks it "
                      "encrypted; `loan-journey encryption plain` declares it plain")
    else:
        console.print(f"{where}: journeys {value} (declared by {by or 'an administrator'})")
    if checks:
        console.print("key check values: " + ", ".join(f"{k} {v}" for k, v in checks.items())
                      + "; a client whose key under one of these ids has another exits 8")


@encryption_app.command("require")
def require(actor: As, role: RoleOpt = Role.OPERATIONS) -> None:
    """Declare the namespace's journeys encrypted (operations or a supervisor)."""
    settings = Settings()

    async def go() -> None:
        client = await connect(settings)
        await encryption_declare.require(client, settings, Actor(id=actor, role=role))

    run(go())
    console.print(f"namespace {settings.temporal_namespace}: journeys encrypted; clients "
                  f"without {SETTING} write nothing to it")


@encryption_app.command("plain")
def plain(actor: As, role: RoleOpt = Role.SUPERVISOR) -> None:
    """Declare the namespace's journeys plain, turning a requirement off (a supervisor)."""
    settings = Settings()

    async def go() -> None:
        client = await connect(settings)
        await encryption_declare.turn_off(client, settings, Actor(id=actor, role=role))

    run(go())
    console.print(f"namespace {settings.temporal_namespace}: journeys plain; clients without "
                  f"{SETTING} may write to it (journeys begun encrypted stay encrypted)")


def register(app: typer.Typer) -> None:
    app.add_typer(encryption_app, name="encryption")
