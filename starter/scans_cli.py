"""`loan-journey scans get <sha256>|check`: a stored document pulled out whole, and the
document store checked, for auditors."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from journey.settings import Settings
from starter.boundary import run
from starter.errors import BadInput
from starter.scans import Found, StoreCheck, belongs_to, check, scan
from starter.terminal import wide_console
from store.blobs import write_whole

scans_app = typer.Typer(help="The document store: the customers' scans as they were sent.",
                        no_args_is_help=True)


@scans_app.command("get")
def get(
    digest: Annotated[str, typer.Argument(
        help="the document's sha256, or its start as `status` shows it (12 characters)")],
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="write it to this file (else to stdout, redirected: what it is then "
                       "goes to stderr)")] = None,
) -> None:
    """Write a stored document byte for byte; say which journeys have it, as what."""
    settings = Settings()

    async def go() -> list[str]:
        if out is None and sys.stdout.isatty():
            raise BadInput("a document is bytes, not text for a terminal: give --out FILE, "
                           "or redirect stdout (> FILE)")
        found = scan(settings, digest)
        if out is None:
            typer.get_binary_stream("stdout").write(found.data)
        else:
            write_whole(out, found.data)
        return belongs_to(found)

    said = run(go())
    for line in said:
        typer.echo(line, err=out is None)
    if out is not None:
        typer.echo(f"written to {out}")


@scans_app.command("check")
def check_() -> None:
    """Check that every document a journey read is still in the document store, whole (its
    bytes hash to its sha256); exit 1 naming each that is not."""
    settings = Settings()

    async def go() -> StoreCheck:
        return check(settings)

    checked = run(go())
    root = settings.documents_dir.resolve()
    if checked.findings:
        table = Table("sha256", "found", "whose", title=f"the document store at {root}")
        for f in checked.findings:
            table.add_row(f.sha256, f.found.value, escape("\n".join(
                f"{h.kind.value} {h.filename!r} of {h.workflow_id}" for h in f.held_by)))
        wide_console().print(table)
    missing = sum(f.found is Found.MISSING for f in checked.findings)
    typer.echo(f"{checked.checked} document(s) journeys read checked in {root}: {missing} "
               f"missing, {len(checked.findings) - missing} changed"
               + ("; restore each from a backup" if checked.findings else ""))
    if checked.findings:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(scans_app, name="scans")
