"""`loan-journey subject`: what the loan journeys hold about one person, for a data subject's
request (PIPL art. 45); a thin command over starter/subject.py. It reads, never changes."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from journey.settings import Settings
from starter.boundary import run
from starter.connect import connect
from starter.errors import BadInput
from starter.subject import Incomplete, Kind, Sought, said, subject
from starter.typed_values import day
from store.blobs import write_whole


def subject_command(
    name: Annotated[str | None, typer.Option(
        help="the person's name, equal once trimmed (a full-width space as a half-width one)")
    ] = None,
    id_number: Annotated[str | None, typer.Option(
        help="the person's id number, equal with spaces removed; shown masked but its last 4 "
             "unless --full")] = None,
    mobile: Annotated[str | None, typer.Option(
        help="the person's mobile, equal with spaces removed (+86 left out)")] = None,
    email: Annotated[str | None, typer.Option(
        help="the person's email, equal once trimmed, letters' case aside")] = None,
    account: Annotated[str | None, typer.Option(
        help="the person's bank account, as a payer of a repayment: equal as the bank "
             "compares accounts (its digits, spaces and hyphens aside); shown by its first "
             "and last 4 digits unless --full")] = None,
    since: Annotated[datetime | None, typer.Option(
        parser=day, metavar="YYYY-MM-DD",
        help="read the histories of the journeys and runs started since this day only, and "
             "of the archived ones closed since (default: every run on the server and in "
             "the archive, read whole: minutes for thousands); the document readings, the "
             "pending instructions and the money back to payers are always all read")] = None,
    full: Annotated[bool, typer.Option(
        "--full", help="id numbers whole (the output is personal data: keep it so)")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="the findings as JSON")] = False,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="write the findings to this file, its owner's alone (it names "
                            "the person), for the requester; not stdout")] = None,
) -> None:
    """Every journey holding one person, what it holds and where: the answer to their request
    to know (PIPL art. 45). Reads only.

    The document readings' fields that name them (a licence's legal representative, a
    supporting page's text: which document, which field), the application's contact
    (name, mobile, email: read from each journey's first history event, decoded with the
    codec keys when set; from the archive for a journey the server no longer has), the
    offer's signatory (by name), a repayment's payer (by --account: a repayment names its
    payer's account, no name) and feedback comments (any value, in their text) in every
    run's history, late feedback's too, the pending instructions and the refunds and returns
    to payers' accounts; each journey with its stage, whether it ended, and the archive when
    its history is only there. Give one of --name, --id-number, --mobile, --email, --account.
    Matching is exact (an id number or mobile with spaces removed, a name or email trimmed),
    free text (a supporting page's, a comment) looked in the same way. People named in
    staff's free text (reasons, a signature's evidence) are not looked for.
    Exit 0, found or nothing found; 1 when some journeys could not be read (an encrypted
    history without the keys), after the rest is printed."""
    given: list[tuple[Kind, str]] = [
        (k, v) for k, v in (("name", name), ("id_number", id_number), ("mobile", mobile),
                            ("email", email), ("account", account)) if v is not None]

    async def go() -> None:
        if len(given) != 1:
            raise BadInput("give one of --name, --id-number, --mobile, --email, --account")
        sought = Sought.typed(*given[0])
        settings = Settings()
        findings = await subject(await connect(settings), settings, sought, since, full)
        text = (json.dumps(findings.model_dump(mode="json"), indent=2, ensure_ascii=False)
                + "\n" if as_json else said(findings))
        if out is None:
            typer.echo(text, nl=False)
        else:  # the person's data, for them: the owner's alone, as the store's files
            write_whole(out, text.encode("utf-8"))
            typer.echo(f"written to {out}: {len(findings.journeys)} journey(s)")
        if findings.unread:
            raise Incomplete(f"{len(findings.unread)} journey(s) could not be read: "
                             f"{findings.unread[0].why}")

    run(go())


def register(app: typer.Typer) -> None:
    app.command("subject")(subject_command)
