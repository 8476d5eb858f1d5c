"""`loan-journey lpr ...`: the LPR fixings floating-rate loans are repriced to."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated

import typer
from rich.table import Table

from journey.actors import Actor, Role
from journey.lpr import LprFixing
from journey.settings import Settings
from starter import lpr
from starter.boundary import run
from starter.journey_cli import As, RoleOpt
from starter.terminal import wide_console

console = wide_console()
lpr_app = typer.Typer(help="LPR fixings: floating-rate loans are repriced to them on each "
                           "anniversary of their payout.", no_args_is_help=True)

Percent = Annotated[str, typer.Option(help="the rate in percent: 3.10 for 3.10%")]


def _rate(text: str, name: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite():
        raise typer.BadParameter(f"{text!r} is not a rate in percent (3.10 for 3.10%)",
                                 param_hint=name)
    return value / 100


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as err:
        raise typer.BadParameter(f"{text!r} is not an ISO date (2026-11-20)",
                                 param_hint="FIXED_ON") from err


@lpr_app.command("record")
def record(
    fixed_on: Annotated[str, typer.Argument(help="the day the fixing was published")],
    one_year: Annotated[str, typer.Option("--one-year", help="1-year LPR in percent: 3.10")],
    five_year: Annotated[str, typer.Option("--five-year", help="5-year LPR in percent: 3.60")],
    actor: As,
    role: RoleOpt = Role.OPERATIONS,
) -> None:
    """Record a published LPR fixing (operations or a supervisor)."""
    fixing = LprFixing(fixed_on=_day(fixed_on), one_year=_rate(one_year, "--one-year"),
                       five_year=_rate(five_year, "--five-year"))

    async def go() -> bool:
        return lpr.record_fixing(Settings(), fixing, Actor(id=actor, role=role))

    done = "recorded" if run(go()) else "was already recorded, the same"
    console.print(f"LPR fixing of {fixing.fixed_on} ({fixing.describe()}) {done}")


@lpr_app.command("list")
def list_() -> None:
    """The fixings recorded, newest first, and the policy's rates new offers are priced at."""
    settings = Settings()

    async def go() -> tuple[list[LprFixing], str]:
        version, rates = lpr.policy_rates(settings)
        policy = ", ".join(f"{r.name} {r.rate:.2%}" for r in rates)
        return lpr.fixings(settings), f"policy {version} prices new offers at {policy}"

    recorded, policy = run(go())
    if not recorded:
        console.print(f"no LPR fixing recorded: floating-rate loans keep the rate they were "
                      f"priced at on their repricing dates ({policy}); `loan-journey lpr "
                      "record` records one")
        return
    table = Table("fixed on", "1y LPR", "5y LPR", "recorded by", title="LPR fixings",
                  caption=policy)
    for f in reversed(recorded):
        table.add_row(str(f.fixed_on), f"{f.one_year:.2%}", f"{f.five_year:.2%}",
                      f.recorded_by)
    console.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(lpr_app, name="lpr")
