"""`loan-journey calendar show [--year Y]`: a year's holidays and make-up working days as the
workers pin them, and whether they are the bank's file's or the `holidays` package's."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.markup import escape

from journey.policy.calendar import WorkingCalendar
from journey.settings import Settings
from starter.boundary import report
from starter.calendar_year import calendar_year
from starter.terminal import wide_console

console = wide_console()
calendar_app = typer.Typer(help="The bank's working calendar: holidays and make-up working "
                                "days (调休), from its calendar file or the holidays package.",
                           no_args_is_help=True)


@calendar_app.command("show")
def show(
    year: Annotated[int | None, typer.Option(
        "--year", min=1901, max=2199, help="the year to show (else this year, on the bank's "
                                           "clock)")] = None,
) -> None:
    """The year's holidays and make-up working days, and where they come from."""
    settings = Settings()
    shown = year or WorkingCalendar().day_of(datetime.now(UTC)).year
    try:
        found = calendar_year(settings, shown)
    except Exception as err:
        raise typer.Exit(report(err)) from None
    console.print(f"{found.year}: from {escape(found.source)}", highlight=False, soft_wrap=True)
    for title, days in (("holidays", found.holidays),
                        ("make-up working days", found.makeup_workdays)):
        console.print(f"{title} ({len(days)}):", highlight=False)
        for day in days:
            console.print(f"  {day} {day:%a}", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(calendar_app, name="calendar")
