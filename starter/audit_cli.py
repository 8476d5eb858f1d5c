"""`loan-journey history` and `loan-journey verify`: auditors read, they never act.

Nothing here signals, updates, cancels or terminates: the commands fetch histories, list
workflows and replay locally. Register them on the main app:

    app.command("history")(audit_cli.history)
    app.command("verify")(audit_cli.verify)
    app.command("refusals")(audit_cli.refusals)
"""

from __future__ import annotations

import importlib
import io
from collections.abc import AsyncIterator, Iterable, Mapping
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console, Group, RenderableType
from rich.markup import escape
from rich.table import Table
from temporalio.client import WorkflowHistory

from journey.settings import Settings
from starter import audit
from starter.audit_findings import render_findings, shared_identities
from starter.audit_runs import Runs, chain
from starter.bank_clock import bank_label, on_bank_clock
from starter.boundary import run
from starter.codec import SETTING, data_converter
from starter.connect import connect
from starter.errors import BadInput
from starter.history_cross_check import cross_check
from starter.journey_cli import JourneyId
from starter.replay_divergence import next_step, verdict
from starter.terminal import wide_console
from store.archive import KEY_SETTING
from store.blobs import write_whole
from store.refusals import refusals as refused_attempts


def history(
    workflow_id: JourneyId,
    json_output: Annotated[
        bool,
        typer.Option("--json", help="The raw history, as `temporal workflow show -o json`."),
    ] = False,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write to this file (its owner's alone: "
                                  "it names people), not stdout.")
    ] = None,
    run_id: Annotated[str | None, typer.Option(help="A run other than the latest.")] = None,
    archived: Annotated[
        bool,
        typer.Option(
            "--archived", help="From the archive only (`loan-journey archive`): no server needed."
        ),
    ] = False,
    full: Annotated[
        bool,
        typer.Option("--full", help="Every payload in full, not summarised to a line's worth, "
                     "and the engine's own bookkeeping (version markers, work-list attributes)."),
    ] = False,
) -> None:
    """A journey's history as an audit trail: who decided what, when, on what evidence.

    A journey that continued as new shows every run from the first, oldest first (--run-id:
    that run alone; --json: the latest run, and the earlier runs named on stderr). A run the
    server no longer has (its retention) is read from the archive. What the bank's systems
    decided acting on an update (credit-authority re-routing a case, setting votes aside,
    keeping a tier) is a line of its own, in full; --full prints every payload in full.
    Under the trail, a finding for an auditor: a client (user@host, in one process or
    several: each command line run is one) that acted for more than one person or role on
    the loan."""
    settings = Settings()
    text, table, earlier, warnings = run(
        _history(settings, workflow_id, run_id, json_output, archived, full))
    for warning in warnings:
        typer.echo(warning, err=True)
    if earlier:
        typer.echo(f"{workflow_id} continued as new: this is its latest run; the earlier runs, "
                   f"oldest first: {', '.join(earlier)} (`--run-id RUN` prints each)", err=True)
    if table is not None and out is None:
        wide_console().print(table)
        return
    if table is not None:
        page = io.StringIO()
        Console(file=page, width=200, no_color=True).print(table)
        text = page.getvalue()
    if out is None:
        typer.echo(text, nl=False)
    else:  # signatories, comments with --full: for its owner only, as the store's files
        write_whole(out, text.encode("utf-8"))


async def _history(
    settings: Settings, workflow_id: str, run_id: str | None, raw: bool, archived: bool,
    full: bool,
) -> tuple[str, RenderableType | None, list[str], list[str]]:
    """The requested run's text or the trail of its runs (and under it, the findings for an
    auditor: starter/audit_findings.py), the earlier runs' ids, and the warnings of the
    archived runs read (a seal not checked)."""
    client = None if archived else await connect(settings)
    converter = data_converter(settings) if client is None else client.data_converter
    runs = Runs(settings, workflow_id, client)
    latest = await runs.fetch(run_id)
    found, lost = ([latest], "") if run_id else await chain(runs, latest)
    ids = [audit.run_id(r.history) for r in found]
    warnings = [r.warning for r in ([latest] if raw else found) if r.warning]
    if raw:
        return latest.text, None, ids[:-1], warnings
    lines = [line for r in found
             for line in await audit.audit_trail(r.history, converter, full=full)]
    title = f"journey {workflow_id}{latest.where}"
    if len(found) > 1:
        title += f"; {len(found)} runs, oldest first: {', '.join(ids)}"
    if lost:
        title += f"; the runs up to {lost} are neither on the server nor in the archive"
    trail = audit.render_trail(lines, title=title)
    findings = shared_identities(lines)
    return "", Group(trail, render_findings(findings)) if findings else trail, [], warnings


def verify(
    path: Annotated[
        list[Path] | None,
        typer.Argument(help="History JSON files or folders of them (`history --json`)."),
    ] = None,
    query: Annotated[
        str | None,
        typer.Option(
            "--query",
            "-q",
            help="Visibility query over live journeys, e.g. \"ExecutionStatus='Running'\".",
        ),
    ] = None,
    workflow: Annotated[
        list[str] | None,
        typer.Option(
            "--workflow", "-w", help="module:Class to replay against [the project's workflows]."
        ),
    ] = None,
    limit: Annotated[int | None, typer.Option(help="At most this many live journeys.")] = None,
) -> None:
    """Replay histories against the current code; exit 1 on any non-determinism.

    A history the code no longer replays is told with the first event it could not match,
    whether the history agrees with the bank's sealed records (with the archive key set),
    so whether the code or the history changed, and what to do."""
    if (path is None) == (query is None):
        raise typer.BadParameter("give history files or --query, not both and not neither")
    classes = load_workflows(workflow) if workflow else project_workflows()
    settings = Settings()

    async def go() -> tuple[audit.VerifyReport, dict[str, str]]:
        report = await _verify(settings, path, query, classes, limit)
        against = "the server and the bank's sealed records" if query else \
            "the bank's sealed records"
        return report, {o.run_id: await _verdict(settings, o, against)
                        for o in report.failures if o.nondeterministic}

    if not told(*run(go())):
        raise typer.Exit(1)


async def _verdict(settings: Settings, outcome: audit.ReplayOutcome, against: str) -> str:
    """Whether the code or the history changed: the history held to the bank's sealed
    records (starter/history_cross_check.py), with the archive key; without it, unknown."""
    key = settings.archive_seal_key
    if key is None or outcome.history is None:
        return verdict({}, f"the bank's sealed records ({KEY_SETTING} is not set)")
    checked = await cross_check(settings.db_url, key, outcome.history,
                                data_converter(settings))
    if not checked.held:
        return verdict({}, "the bank's sealed records (it holds none of this journey)")
    said = verdict({against: checked.agrees})
    return said if checked.agrees else f"{said}: {'; '.join(checked.differences)}"


def told(report: audit.VerifyReport, verdicts: Mapping[str, str] | None = None) -> bool:
    """Print a replay report, what each non-deterministic run means (its verdict from
    `verdicts`, by run id: whether the code or the history changed) and what to do, and its
    sum; whether it passed: something replayed, nothing failed, and nothing was left
    unreplayed for want of the codec keys."""
    wide_console().print(render_report(report))
    for o in report.failures:
        if o.nondeterministic:
            said = (verdicts or {}).get(o.run_id) or verdict({})
            where = f"diverges at event {o.diverges_at}" if o.diverges_at else "diverges"
            typer.echo(f"{o.workflow_id} run {o.run_id} {where}: {said}; "
                       f"{next_step(o.build_id)}")
    bad = len(report.failures)
    nondeterministic = sum(o.nondeterministic for o in report.failures)
    encrypted = len(report.encrypted)
    typer.echo(
        f"{len(report.outcomes) - encrypted} replayed, {bad} failed "
        f"({nondeterministic} non-deterministic)"
        + (f"; {encrypted} encrypted, not replayed: set {SETTING} to replay them"
           if encrypted else "")
    )
    if not report.outcomes:
        # nothing checked is no pass: say why, so that a typo in a query does not read as one
        typer.echo("nothing to replay: no history matched (check the query or the paths)",
                   err=True)
    return bool(report.outcomes) and not bad and not encrypted


async def _verify(
    settings: Settings,
    paths: list[Path] | None,
    query: str | None,
    classes: list[type],
    limit: int | None,
) -> audit.VerifyReport:
    client = await connect(settings) if query is not None else None
    converter = client.data_converter if client is not None else data_converter(settings)
    histories: Iterable[WorkflowHistory] | AsyncIterator[WorkflowHistory]
    if client is not None:
        histories = client.list_workflows(query, limit=limit).map_histories()
    else:
        histories = read_histories(paths or [])
    return await audit.verify(histories, classes, converter)


def read_histories(paths: Iterable[Path]) -> list[WorkflowHistory]:
    """Histories from JSON files; a folder means every *.json in it. The stem is the id."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(path.glob("*.json")))
        elif path.is_file():
            files.append(path)
        else:
            raise BadInput(f"{path}: no such history file or folder")
    histories = []
    for file in files:
        try:
            histories.append(WorkflowHistory.from_json(file.stem, file.read_text("utf-8")))
        except ValueError as err:
            raise BadInput(
                f"{file}: not a history export ({err}); export one with "
                "`loan-journey history ID --json` or `temporal workflow show -o json`"
            ) from err
    return histories


def project_workflows() -> list[type]:
    """The workflows the worker runs, which `verify` replays against unless told otherwise."""
    from worker import WORKFLOWS

    return list(WORKFLOWS)


def load_workflows(specs: Iterable[str]) -> list[type]:
    """Workflow classes from "module:Class" names."""
    classes = []
    for spec in specs:
        module_name, _, class_name = spec.partition(":")
        try:
            found = getattr(importlib.import_module(module_name), class_name, None)
        except ModuleNotFoundError as err:
            raise BadInput(f"{spec}: cannot import it ({err}); use module:Class") from err
        if not isinstance(found, type):
            raise BadInput(f"{spec}: no class {class_name!r} in {module_name}; use module:Class")
        classes.append(found)
    if not classes:
        raise BadInput("no workflow classes to replay against; pass --workflow module:Class")
    return classes


def render_report(report: audit.VerifyReport) -> Table:
    table = Table(title="replay against the current code")
    for column in ("workflow id", "run id", "result"):
        table.add_column(column, no_wrap=True)
    table.add_column("error", overflow="fold")
    for o in report.outcomes:
        result = ("ok" if o.ok else "ENCRYPTED" if o.encrypted
                  else "NON-DETERMINISM" if o.nondeterministic else "FAILED")
        table.add_row(o.workflow_id, o.run_id, result, o.error)
    return table


def refusals(
    workflow_id: Annotated[str | None, typer.Argument(help="One journey; all when left out.")]
    = None,
    limit: Annotated[int, typer.Option(min=1, help="The newest N.")] = 200,
) -> None:
    """Refused attempts to act on a loan, which never reach its history: what the journey or
    the server turned away (wrong person, wrong stage) and what the command line refused
    before sending it (bad input), as the command line kept them: who, from where, why."""
    rows = refused_attempts(Settings().db_url, workflow_id, limit)
    table = Table(f"when ({bank_label()})", "journey", "action", "actor", "role", "from",
                  "why refused",
                  title=f"refused attempts ({len(rows)}, oldest first)")
    for r in rows:
        # escaped, every cell: an id, an actor, a role may be what someone typed
        table.add_row(on_bank_clock(r.at), escape(r.workflow_id), escape(r.action),
                      escape(r.actor), escape(r.role), escape(r.origin), escape(r.reason))
    wide_console().print(table)
