"""`loan-journey policy show`: the lending and post-loan policies in force, as every command
that acts by them reads them (the newest load of each kind, on its seal with the archive key:
store/policies.py), and the newest loads, which worker loaded which version when: what
operations check after a rollout."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from journey.settings import Settings
from starter.bank_clock import bank_label, on_bank_clock
from starter.boundary import report
from starter.pinned_policy import in_force_of_each
from starter.terminal import wide_console
from store.policies import loads, named

console = wide_console()
policy_app = typer.Typer(help="The lending and post-loan policies the workers run: which is in "
                              "force, and which worker loaded which version when.",
                         no_args_is_help=True)


@policy_app.command("show")
def show(
    last: Annotated[int, typer.Option("--last", min=1, max=1000,
                                      help="how many of the newest loads to list")] = 10,
) -> None:
    """The policy of each kind in force (the one a worker loaded last, checked against its
    text's sha256, and against its seal and its load's with LOAN_JOURNEY_ARCHIVE_KEY, as every
    command that acts by it checks it: exit 1 when it fails), then the newest loads."""
    settings = Settings()
    try:
        in_force, newest = in_force_of_each(settings), loads(settings.db_url, last)
    except Exception as err:
        raise typer.Exit(report(err)) from None
    for kind, row in in_force.items():
        own = (": the command line acts by its own LOAN_JOURNEY_POLICY_FILE (the packaged "
               "policy without) until one is" if kind == "lending" else "")
        console.print(
            f"{kind.replace('_', '-')} policy in force: none recorded yet (no worker has "
            f"started on this journey database){own}" if row is None else
            f"{named(row)} in force: sha256 {row.sha256[:12]}, first loaded "
            f"{on_bank_clock(row.first_loaded_at, '%Y-%m-%d %H:%M')} {bank_label()}",
            highlight=False)
    table = Table(f"loaded ({bank_label()})", "policy", "sha256", "by", "load",
                  title=f"the newest {len(newest)} load(s)")
    for load in newest:
        table.add_row(on_bank_clock(load.loaded_at, "%Y-%m-%d %H:%M:%S"),
                      f"{load.kind.replace('_', '-')} {escape(load.version)}",
                      load.sha256[:12], escape(load.origin), f"#{load.id}")
    console.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(policy_app, name="policy")
