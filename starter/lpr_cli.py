"""`loan-journey lpr ...`: the LPR fixings new offers are priced, and floating-rate loans
repriced, at. A refused attempt is kept for auditors under `lpr-fixings` (starter/lpr.py
says which exit 2 and which 3)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from journey.actors import Actor, Role
from journey.lpr import LprFixing
from journey.lpr_record import RecordedFixing, percent
from journey.policy.calendar import moment_at
from journey.settings import Settings
from starter import lpr
from starter.attempts import Attempt, acting
from starter.bank_clock import bank_offset
from starter.boundary import run
from starter.journey_cli import As, Reason, RoleOpt
from starter.terminal import wide_console
from store.seal_findings import Finding

console = wide_console()
lpr_app = typer.Typer(help="LPR fixings: new offers are priced at the one in force, and "
                           "floating-rate loans repriced on each anniversary of their payout.",
                      no_args_is_help=True)

FixedOn = Annotated[str, typer.Argument(help="the day the fixing was published: the 20th, "
                                             "or the next working day")]
OneYear = Annotated[str, typer.Option("--one-year", help="1-year LPR in percent: 3.10")]
FiveYear = Annotated[str, typer.Option("--five-year", help="5-year LPR in percent: 3.60")]
Inverted = Annotated[bool, typer.Option(
    "--inverted-confirmed", help="the published 5-year LPR is below the 1-year one")]


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


def _fixing(fixed_on: str, one_year: str, five_year: str) -> LprFixing:
    return LprFixing(fixed_on=_day(fixed_on), one_year=_rate(one_year, "--one-year"),
                     five_year=_rate(five_year, "--five-year"))


def _attempt(action: str, default_role: Role) -> Any:
    def named(params: Mapping[str, Any]) -> Attempt:
        return Attempt(lpr.FIXINGS, f"{action} {params['fixed_on']}"[:64], str(params["actor"]),
                       str(params.get("role") or default_role))
    return named


@lpr_app.command("record")
@acting("lpr record", named=_attempt("lpr record", Role.OPERATIONS))
def record(fixed_on: FixedOn, one_year: OneYear, five_year: FiveYear, actor: As,
           role: RoleOpt = Role.OPERATIONS, inverted_confirmed: Inverted = False) -> None:
    """Record a published LPR fixing (operations or a supervisor)."""
    fixing = _fixing(fixed_on, one_year, five_year)

    async def go() -> bool:
        return lpr.record_fixing(Settings(), fixing, Actor(id=actor, role=role),
                                 inverted_confirmed=inverted_confirmed)

    done = "recorded" if run(go()) else "was already recorded, the same"
    console.print(f"LPR fixing of {fixing.fixed_on} ({_rates(fixing)}) {done}")


@lpr_app.command("correct")
@acting("lpr correct", named=_attempt("lpr correct", Role.SUPERVISOR))
def correct(fixed_on: FixedOn, one_year: OneYear, five_year: FiveYear, reason: Reason,
            actor: As, role: RoleOpt = Role.SUPERVISOR, inverted_confirmed: Inverted = False
            ) -> None:
    """Correct a recorded fixing no loan has read yet (a supervisor who did not record it)."""
    fixing = _fixing(fixed_on, one_year, five_year)

    async def go() -> LprFixing:
        return lpr.correct_fixing(Settings(), fixing, Actor(id=actor, role=role), reason,
                                  inverted_confirmed)

    was = run(go())
    console.print(f"LPR fixing of {fixing.fixed_on} corrected to {_rates(fixing)}, was "
                  f"{_rates(was)} (recorded by {was.recorded_by})")


@lpr_app.command("list")
def list_() -> None:
    """The fixings recorded, newest first, and what new offers are priced at."""
    settings = Settings()

    async def go() -> tuple[list[RecordedFixing], dict[date, Finding], str]:
        recorded, failing = lpr.fixings(settings), lpr.seals_failing(settings)
        return recorded, failing, lpr.new_offers_priced_at(settings, recorded, failing=failing)

    recorded, failing, priced = run(go())
    if not recorded:
        console.print(f"no LPR fixing recorded: floating-rate loans keep the rate they were "
                      f"priced at on their repricing dates ({priced}); `loan-journey lpr "
                      "record` records one")
        return
    table = Table("fixed on", "1y LPR", "5y LPR", "recorded by", "recorded at",
                  "first read by", "corrections", title="LPR fixings",
                  caption=None if failing else priced)
    for r in reversed(recorded):
        f = r.fixing
        broken = failing.get(f.fixed_on)
        table.add_row(f"{f.fixed_on}\n[red]fails its seal ({broken.found.value})[/]" if broken
                      else str(f.fixed_on), percent(f.one_year), percent(f.five_year),
                      escape(f.recorded_by), moment_at(r.recorded_at, bank_offset()),
                      escape(f"{r.used_by} ({r.used_at:%Y-%m-%d})") if r.used_by else "-",
                      escape("\n".join(
                          f"was 1y {percent(c.one_year)}, 5y {percent(c.five_year)}: "
                          f"{c.corrected_by} {moment_at(c.corrected_at, bank_offset())}, "
                          f"{c.reason}"
                          for c in r.corrections)) or "-")
    console.print(table)
    if failing:  # a fixing no worker with the key prices on: said, not a caption in grey
        console.print(f"[red]{escape(priced)}[/]")


def _rates(fixing: LprFixing) -> str:
    return f"1y {percent(fixing.one_year)}, 5y {percent(fixing.five_year)}"


def register(app: typer.Typer) -> None:
    app.add_typer(lpr_app, name="lpr")
