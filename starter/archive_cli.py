"""`loan-journey archive ...`: closed runs' histories kept past the namespace's retention."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table
from temporalio.client import Client, WorkflowHistory

from activities import anchors
from activities.archive import archive_closed_runs
from journey import archive_contracts as ac
from journey.policy.calendar import moment_at
from journey.settings import Settings
from starter import archivist, audit
from starter.archive_compare import PARALLEL, Found, ServerCheck, compare_runs
from starter.archive_cross_check import cross_checked, told_cross_checked
from starter.audit_cli import project_workflows, told
from starter.bank_clock import bank_offset
from starter.boundary import run
from starter.codec import data_converter
from starter.connect import connect
from starter.errors import JourneyError, KeysNeeded, NotFound, SetupError
from starter.history_cross_check import CrossChecked
from starter.journey_cli import JourneyId
from starter.records import key_needed
from starter.records_cli import anchor_told, findings_told
from starter.replay_divergence import verdict
from starter.terminal import wide_console
from store import archive, blobs
from store.archive import KEY_SETTING
from store.chain_anchors import ARCHIVED, Anchored, archive_missing

console = wide_console()
archive_app = typer.Typer(
    help="Keep closed runs' histories (the audit record) past the namespace's retention.",
    no_args_is_help=True,
)


def listed_from(done: ac.ArchivePassResult, overlap_minutes: int) -> str:
    """Which closed runs a pass listed: those closed since the previous complete pass started,
    less the overlap (a run that closed as that pass listed may have been missed); every one
    on a first pass."""
    if done.closed_since is None:
        return "of every closed run (no pass before)"
    before = done.closed_since + timedelta(minutes=overlap_minutes)
    return (f"of those closed since {_at(done.closed_since)}: the previous pass started at "
            f"{_at(before)}, looked behind by --overlap {overlap_minutes} min")


def _at(moment: datetime) -> str:
    """A moment of the archive's on the bank's clock, to the second, labelled."""
    return moment_at(moment, bank_offset(), seconds=True)


@archive_app.command("run")
def run_pass(
    overlap: Annotated[
        int, typer.Option(min=0, help="minutes to look behind the start of the last complete pass")
    ] = int(ac.OVERLAP.total_seconds() // 60),
) -> None:
    """Archive every closed run not archived yet, now (the schedule does it every hour), then
    ask the archivist's schedule for a pass now, which anchors what this one sealed."""
    settings = Settings()

    async def go() -> ac.ArchivePassResult:
        client = await connect(settings)
        with key_needed(settings):
            done = await archive_closed_runs(client, settings, timedelta(minutes=overlap))
        console.print(
            f"archived {done.archived} closed run(s) {listed_from(done, overlap)} "
            f"({done.held} held already, {done.gone} deleted before they could be); "
            f"{done.ended_outside} open stage(s) closed of journeys the server ended"
        )
        if await archivist.pass_now(client):
            console.print(f"asked the archivist for a pass now ({ac.SCHEDULE_ID} triggered): "
                          "it anchors the sealed chains' heads, the runs sealed here among "
                          "them, as a worker runs it; `archive verify` and `records verify` "
                          "name the anchor they compare with")
            return done
        typer.echo(f"warning: no archivist schedule ({ac.SCHEDULE_ID}) on this server: "
                   "nothing anchors the runs sealed here, so the deletion of the newest "
                   "of them only a backup shows, until `loan-journey archive schedule` (or "
                   "`up`) starts the hourly pass", err=True)
        return done

    done = run(go())
    for kept_out in done.kept_out:
        typer.echo(f"kept out of the archive, not sealed: {kept_out}", err=True)
    if done.kept_out:
        typer.echo(f"{len(done.kept_out)} closed run(s) not archived: each history disagrees "
                   "with the bank's sealed records, which no one without the archive key could "
                   "have rewritten: its history on the Temporal server was changed (or the "
                   "records restored from another backup); restore the Temporal database from "
                   "a backup, then `loan-journey archive run` again", err=True)
        raise typer.Exit(1)


@archive_app.command("schedule")
def schedule() -> None:
    """Create the hourly archiving schedule, if it does not exist."""
    settings = Settings()

    async def go() -> None:
        made = await archivist.schedule(await connect(settings), settings.task_queue)
        state = "created" if made else "exists already"
        console.print(f"{ac.SCHEDULE_ID}: {state} (every {ac.EVERY})")

    run(go())


@archive_app.command("list")
def list_runs(
    workflow_id: JourneyId,
) -> None:
    """A journey's archived runs, oldest first (`loan-journey history` reads them)."""
    runs = archive.runs_of(Settings().db_url, workflow_id)
    if not runs:
        console.print(f"no archived run of {workflow_id}: `loan-journey archive run` archives "
                      "the closed runs")
        return
    table = Table(title=f"archived runs of {workflow_id}")
    for column in ("run id", "workflow", "status", "closed", "events", "sha256"):
        table.add_column(column, no_wrap=True)
    for r in runs:
        table.add_row(r.run_id, r.workflow_type, r.status, _at(r.closed_at),
                      str(r.events), r.sha256[:16])
    console.print(table)


@archive_app.command("verify")
def verify_archived(
    workflow_ids: Annotated[
        list[str] | None, typer.Argument(help="journeys (workflow ids) [every archived run]")
    ] = None,
    offline: Annotated[
        bool, typer.Option("--offline", help="do not ask the server (when it cannot be reached):"
                                             " the archive's own checks and the replay only, "
                                             "blind to its newest runs' deletion")
    ] = False,
    parallel: Annotated[
        int, typer.Option(min=1, max=64, help="runs compared with the server at once")
    ] = PARALLEL,
    no_seal_check: Annotated[
        bool, typer.Option("--no-seal-check", help="without LOAN_JOURNEY_ARCHIVE_KEY, check "
                                                   "sealed runs all the same, their seals not")
    ] = False,
) -> None:
    """Compare archived histories with the server's copies while it still has them (event
    for event, payloads as stored), the archive's chain with the head the archivist's last
    pass anchored on the server (its newest runs deleted, which the chain alone does not
    show), and replay them against the current code; exit 1 on any difference, deletion or
    non-determinism, and on sealed runs when the key to check their seals is not set (unless
    --no-seal-check); exit 8, nothing checked, when it is not the key they were sealed
    with."""
    settings = Settings()

    async def go() -> tuple[audit.VerifyReport, list[ServerCheck] | None, Anchored | None,
                            list[CrossChecked] | None]:
        archivist.key_matches(settings)
        runs = _archived(settings, workflow_ids or [])
        _seals_checkable(settings, runs, no_seal_check)
        checks = anchored = None
        if not offline:
            client = await _server(settings)
            checks = await compare_runs(client, settings, runs, parallel)
            anchored = await anchors.latest(client, settings.task_queue)
        return (await _replayed(settings, runs), checks, anchored,
                await cross_checked(settings, runs))

    report, checks, anchored, crossed = run(go())
    replayed = told(report, replay_verdicts(checks, crossed))
    compared = _told_compared(checks)
    whole = _told_anchored(settings, anchored, offline)
    agreed = told_cross_checked(crossed)
    if not (replayed and compared and whole and agreed):
        raise typer.Exit(1)


def replay_verdicts(checks: list[ServerCheck] | None, crossed: list[CrossChecked] | None
              ) -> dict[str, str]:
    """Whether the code or the history changed, for each run by its id: how its archived
    history compared with the server's copy and with the bank's sealed records."""
    server = {c.run_id: c.found for c in checks or [] if c.found in (Found.MATCHES,
                                                                         Found.DIFFERS)}
    sealed = {c.run_id: c.agrees for c in crossed or [] if c.held}
    said = {}
    for run_id in server.keys() | sealed.keys():
        compared = {name: agrees for name, agrees in (
            ("the server", server[run_id] is Found.MATCHES if run_id in server else None),
            ("the bank's sealed records", sealed.get(run_id))) if agrees is not None}
        said[run_id] = verdict(compared)
    return said


def _archived(settings: Settings, workflow_ids: list[str]) -> list[archive.ArchivedRun]:
    """The archived runs of these journeys (every archived run when none is named); NotFound
    when any of them has none: a check of fewer is no answer."""
    wanted: list[str | None] = list(workflow_ids) or [None]  # None: all
    found = {wid: archive.runs_of(settings.db_url, wid) for wid in wanted}
    missing = [wid or "any journey" for wid, runs in found.items() if not runs]
    if missing:
        raise NotFound(f"no archived run of {', '.join(missing)}: `loan-journey archive "
                       "run` archives the closed runs")
    return [r for of in found.values() for r in of]


class SealsUnchecked(JourneyError):
    """Sealed archived runs, and no key here to check their seals: no verification."""


def _seals_checkable(settings: Settings, runs: list[archive.ArchivedRun], skip: bool) -> None:
    """Without the archive key, sealed runs cannot be vouched for: SealsUnchecked, or with
    `skip` (--no-seal-check, said explicitly) a warning."""
    sealed = sum(r.seal is not None for r in runs)
    if settings.archive_seal_key is not None or not sealed:
        return
    if not skip:
        raise SealsUnchecked(
            f"{sealed} archived run(s) are sealed: set {KEY_SETTING} to check their seals (or "
            "pass --no-seal-check to check the rest of them without)")
    typer.echo(f"warning: the seals of {sealed} archived run(s) were not checked "
               f"(--no-seal-check; {KEY_SETTING} is not set)", err=True)


async def _server(settings: Settings) -> Client:
    try:
        return await connect(settings)
    except KeysNeeded:  # the keys, not the server: --offline would not help
        raise
    except SetupError as err:
        raise SetupError(f"{err}; `loan-journey archive verify --offline` checks the archive "
                         "without the server") from err


async def _replayed(settings: Settings, runs: list[archive.ArchivedRun]) -> audit.VerifyReport:
    """Each archived run replayed against the current code; one whose archived history fails
    its own checks is reported with the others, not instead of them."""
    damaged: list[audit.ReplayOutcome] = []
    store = blobs.DocumentStore.of(settings)

    def histories() -> Iterator[WorkflowHistory]:  # read one at a time, as they replay
        for r in runs:
            try:
                yield WorkflowHistory.from_json(r.workflow_id, archive.history_json(
                    store, r, settings.archive_seal_key))
            except archive.ArchiveDamaged as err:
                damaged.append(audit.ReplayOutcome(r.workflow_id, r.run_id, ok=False,
                                                   error=str(err)))

    report = await audit.verify(histories(), project_workflows(), data_converter(settings))
    report.outcomes += damaged
    return report


def _told_compared(checks: list[ServerCheck] | None) -> bool:
    """Print how the archived runs compare with the server's copies; whether none differs
    and the server could be asked about each."""
    if checks is None:
        typer.echo("not compared with the server (--offline): the archive's own checks (digest, "
                   "row, and the seal where LOAN_JOURNEY_ARCHIVE_KEY is set) and the replay only")
        return True
    console.print(_compared(checks, "the archive against the server's copy (payloads as stored)"))
    counted = Counter(c.found for c in checks)
    said = [f"{counted[Found.MATCHES]} match", f"{counted[Found.DIFFERS]} differ",
            f"{counted[Found.GONE]} no longer on it"]
    said += [f"{counted[f]} {f.value.lower()}" for f in (Found.UNCHECKED, Found.FAILED)
             if counted[f]]
    typer.echo(f"{len(checks)} compared with the server: {', '.join(said)}")
    return not any(c.failed for c in checks)


def _told_anchored(settings: Settings, anchored: Anchored | None, offline: bool) -> bool:
    """Print how the archive's own chain compares with the head the archivist's last pass
    anchored (and those earlier passes found lost); whether it holds each of them."""
    anchor_told(anchored, offline, [ARCHIVED.records])
    if anchored is not None and ARCHIVED.records not in {h.records for h in anchored.anchor.heads}:
        typer.echo("warning: that anchor holds no head of the archive's chain (no run was sealed "
                   "when it was taken, or it was taken before the archive's chain was anchored):"
                   " the deletion of the newest sealed runs cannot be told until the next pass "
                   "anchors it", err=True)
    missing = [] if anchored is None else archive_missing(settings.db_url, anchored)
    findings_told("the archive's chain against its anchor", missing)
    if missing:
        typer.echo(f"{len(missing)} archived run(s) sealed and anchored are missing from the "
                   "archive: restore them from a backup", err=True)
    return not missing


def _compared(checks: list[ServerCheck], title: str) -> Table:
    table = Table(title=title)
    for column in ("workflow id", "run id", "server's copy"):
        table.add_column(column, no_wrap=True)
    table.add_column("detail", overflow="fold")
    for c in checks:
        table.add_row(c.workflow_id, c.run_id, c.found.value, escape(c.detail))
    return table


@archive_app.command("seal")
def seal(
    parallel: Annotated[
        int, typer.Option(min=1, max=64, help="runs compared with the server at once")
    ] = PARALLEL,
) -> None:
    """Seal the runs archived before LOAN_JOURNEY_ARCHIVE_KEY was set, those only whose
    archived history still matches the server's copy: a run the server no longer has, or
    whose copy differs, is left unsealed and named (exit 1): nobody can vouch for it here."""
    settings = Settings()
    key = settings.archive_seal_key
    if key is None:
        raise typer.BadParameter(f"set {KEY_SETTING} first: it is what seals them")

    async def go() -> tuple[int, list[ServerCheck]]:
        with key_needed(settings):  # a key not the archive's: refused before the server is asked
            archive.key_checked(settings.db_url, key)
            unsealed = [r for r in archive.runs_of(settings.db_url) if r.seal is None]
            if not unsealed:
                return 0, []
            # unsealed runs read without the key: with it, their want of a seal is the refusal
            keyless = settings.model_copy(update={"archive_key": None})
            checks = await compare_runs(await _server(settings), keyless, unsealed, parallel)
            vouched = [(c.workflow_id, c.run_id) for c in checks if c.found is Found.MATCHES]
            return archive.seal_unsealed(settings.db_url, key, vouched), checks

    sealed, checks = run(go())
    refused = [c for c in checks if c.found is not Found.MATCHES]
    console.print(f"sealed {sealed} archived run(s), each the same as the server's copy")
    if refused:
        console.print(_compared(refused, "left unsealed: not vouched for by the server's copy"))
        typer.echo(f"{len(refused)} archived run(s) left unsealed: check them against a backup;"
                   " `archive verify` reports them", err=True)
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(archive_app, name="archive")
