"""`archive verify`'s cross-check: each archived run's history held to the bank's sealed
records (starter/history_cross_check.py), with the archive key."""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.table import Table
from temporalio.client import WorkflowHistory

from journey.settings import Settings
from starter.codec import data_converter
from starter.history_cross_check import CrossChecked, cross_check
from starter.terminal import wide_console
from store import archive, blobs
from store.archive import KEY_SETTING

console = wide_console()


async def cross_checked(settings: Settings, runs: list[archive.ArchivedRun]
                         ) -> list[CrossChecked] | None:
    """Each archived run's history (one that passes the archive's own checks) against the
    bank's sealed records; None without the archive key, which vouches for them."""
    key = settings.archive_seal_key
    if key is None:
        return None
    converter, crossed, store = data_converter(settings), [], blobs.DocumentStore.of(settings)
    for r in runs:
        try:
            text = archive.history_json(store, r, key)
        except archive.ArchiveDamaged:  # named by the replay, and against the server's copy
            continue
        crossed.append(await cross_check(settings.db_url, key, WorkflowHistory.from_json(
            r.workflow_id, text), converter))
    return crossed


def told_cross_checked(crossed: list[CrossChecked] | None) -> bool:
    """Print how the archived histories agree with the bank's sealed records; whether all
    do."""
    if crossed is None:
        typer.echo(f"warning: not cross-checked with the bank's sealed records: {KEY_SETTING} "
                   "is not set, and no seal vouches for them without it", err=True)
        return True
    differ = [c for c in crossed if not c.agrees]
    if differ:
        table = Table(title="the archive against the bank's sealed records")
        for column in ("workflow id", "run id", "sealed records"):
            table.add_column(column, no_wrap=True)
        table.add_column("detail", overflow="fold")
        for c in differ:
            table.add_row(c.workflow_id, c.run_id, "DIFFERS", escape("; ".join(c.differences)))
        console.print(table)
    skipped = sum(len(c.skipped) for c in crossed)
    typer.echo(f"{len(crossed)} cross-checked with the bank's sealed records: "
               f"{len(crossed) - len(differ)} agree, {len(differ)} differ"
               + (f" ({skipped} row(s) unsealed or failing their seal not compared: "
                  "`records verify` names them)" if skipped else ""))
    return not differ
