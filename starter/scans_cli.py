"""`loan-journey scans get <sha256>`: a stored document pulled out whole, for auditors (`records
verify` checks the whole store); `scans encrypt`: the files already in the store encrypted with
the first document key (store/blobs_encrypted.py)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from journey.settings import Settings
from starter.boundary import err_console, run
from starter.errors import BadInput, KeysNeeded
from starter.scans import belongs_to, scan
from starter.start_checks import document_store_ready
from store import blob_cipher
from store.blobs import DocumentStore, write_whole
from store.blobs_encrypted import Encrypted, encrypt_all

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


@scans_app.command("encrypt")
def encrypt() -> None:
    """Encrypt the files already in the document store with the first key of
    LOAN_JOURNEY_DOCUMENT_KEYS: plain ones, and those under an older key (rotation). Each file
    is rewritten whole or not at all; a second run rewrites nothing. A file that does not hash
    to its name, or fails its authentication, is left as it was and named (exit 1)."""
    settings = Settings()

    async def go() -> Encrypted:
        if settings.document_keys is None:
            raise KeysNeeded(f"set {blob_cipher.SETTING} (kid:base64key, 32 bytes) to encrypt "
                             "the document store with its first key")
        document_store_ready(settings)  # every key its files are under, older ones too
        return encrypt_all(DocumentStore.of(settings))

    done = run(go())
    typer.echo(f"{done.encrypted} plain file(s) encrypted with key {done.key_id!r}, "
               f"{done.rotated} encrypted again from an older key, {done.already} already "
               f"under it; {len(done.left)} left as they were")
    for why in done.left:
        err_console.print(f"left: {why}", highlight=False, markup=False)
    if done.left:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(scans_app, name="scans")
