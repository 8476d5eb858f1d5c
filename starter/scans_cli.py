"""`loan-journey scans get <sha256>`: a stored document pulled out whole, for auditors (`records
verify` checks the whole store); `scans encrypt`: the files already in the store encrypted with
the first document key (store/blobs_encrypted.py); `scans erase`: the scans past their
retention erased (starter/scans_erase.py)."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import typer

from journey.actors import Actor, Role
from journey.settings import Settings
from starter.attempts import Attempt, acting
from starter.boundary import err_console, run
from starter.errors import BadInput, KeysNeeded
from starter.journey_cli import As, RoleOpt
from starter.scans import belongs_to, scan
from starter.scans_erase import ACTION, SCANS, Swept, erase_past_retention
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


def _attempt(params: Mapping[str, Any]) -> Attempt:
    return Attempt(SCANS, ACTION, str(params["actor"]),
                   str(params.get("role") or Role.SUPERVISOR))


@scans_app.command("erase")
@acting(ACTION, named=_attempt)
def erase(
    actor: As,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="list what would be erased, erase nothing (a supervisor or an "
                          "auditor)")] = False,
    role: RoleOpt = Role.SUPERVISOR,
) -> None:
    """Erase the scans whose journeys all ended longer ago than the lending policy keeps them
    (`retention`, 5 years without), as a supervisor: each erasure is kept, sealed, before its
    file goes. A scan another journey still needs, or sent again lately, is kept and named.
    The journeys' readings, stage events and histories are not erased (sealed records)."""
    settings = Settings()

    async def go() -> Swept:
        return erase_past_retention(settings, Actor(id=actor, role=role), dry_run)

    swept = run(go())
    done = "erased" if swept.erased else "would erase (dry run)"
    for due in swept.found.due:
        typer.echo(f"{done}: {due.sha256} of {', '.join(due.journeys)} (kept until "
                   f"{due.kept_until})")
    for kept in swept.found.kept:
        typer.echo(f"kept: {kept.sha256} of {', '.join(kept.journeys)}: {kept.why}")
    typer.echo(f"{len(swept.found.due)} scan(s) {done} under {swept.rule}; "
               f"{len(swept.found.kept)} kept")


def register(app: typer.Typer) -> None:
    app.add_typer(scans_app, name="scans")
