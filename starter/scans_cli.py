"""`loan-journey scans get <sha256>`: a stored document pulled out whole, for auditors (`records
verify` checks the whole store)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from journey.settings import Settings
from starter.boundary import run
from starter.errors import BadInput
from starter.scans import belongs_to, scan
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
        found = await scan(settings, digest)
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


def register(app: typer.Typer) -> None:
    app.add_typer(scans_app, name="scans")
