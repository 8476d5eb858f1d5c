"""`loan-journey archive ...`: closed runs' histories kept past the namespace's retention."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Annotated

import typer
from rich.table import Table
from temporalio.client import WorkflowHistory

from activities.archive import archive_closed_runs
from journey import archive_contracts as ac
from journey.settings import Settings
from starter import archivist, audit
from starter.audit_cli import conclude, project_workflows
from starter.boundary import run
from starter.codec import data_converter
from starter.connect import connect
from starter.errors import NotFound
from starter.terminal import wide_console
from store import archive

console = wide_console()
archive_app = typer.Typer(
    help="Keep closed runs' histories (the audit record) past the namespace's retention.",
    no_args_is_help=True,
)


@archive_app.command("run")
def run_pass(
    overlap: Annotated[
        int, typer.Option(min=0, help="minutes to look behind the start of the last complete pass")
    ] = int(ac.OVERLAP.total_seconds() // 60),
) -> None:
    """Archive every closed run not archived yet, now (the schedule does it every hour)."""
    settings = Settings()

    async def go() -> None:
        client = await connect(settings)
        done = await archive_closed_runs(client, settings, timedelta(minutes=overlap))
        since = done.closed_since.isoformat() if done.closed_since else "the first"
        console.print(
            f"archived {done.archived} closed run(s) since {since} "
            f"({done.held} held already, {done.gone} deleted before they could be)"
        )

    run(go())


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
    workflow_id: Annotated[str, typer.Argument(help="journey (workflow) id")],
) -> None:
    """A journey's archived runs, oldest first (`loan-journey history` reads them)."""
    runs = archive.runs_of(Settings().db_url, workflow_id)
    if not runs:
        console.print(f"no archived run of {workflow_id}: `loan-journey archive run` archives "
                      "the closed runs")
        return
    table = Table(title=f"archived runs of {workflow_id}")
    for column in ("run id", "workflow", "status", "closed (UTC)", "events", "sha256"):
        table.add_column(column, no_wrap=True)
    for r in runs:
        table.add_row(r.run_id, r.workflow_type, r.status, f"{r.closed_at:%Y-%m-%d %H:%M:%S}",
                      str(r.events), r.sha256[:16])
    console.print(table)


@archive_app.command("verify")
def verify_archived(
    workflow_ids: Annotated[
        list[str] | None, typer.Argument(help="journeys (workflow ids) [every archived run]")
    ] = None,
) -> None:
    """Replay archived histories against the current code; exit 1 on any non-determinism."""
    settings = Settings()

    async def go() -> audit.VerifyReport:
        wanted: list[str | None] = list(workflow_ids) if workflow_ids else [None]  # None: all
        found = {wid: archive.runs_of(settings.db_url, wid) for wid in wanted}
        missing = [wid or "any journey" for wid, runs in found.items() if not runs]
        if missing:  # every one asked for, or none: a check of fewer is no answer
            raise NotFound(f"no archived run of {', '.join(missing)}: `loan-journey archive "
                           "run` archives the closed runs")
        runs = [r for of in found.values() for r in of]
        damaged: list[audit.ReplayOutcome] = []

        def histories() -> Iterator[WorkflowHistory]:  # read one at a time, as they replay
            for r in runs:
                try:
                    yield WorkflowHistory.from_json(r.workflow_id, archive.history_json(
                        settings.documents_dir, r, settings.archive_seal_key))
                except archive.ArchiveDamaged as err:  # reported with the others, not instead
                    damaged.append(audit.ReplayOutcome(r.workflow_id, r.run_id, ok=False,
                                                       error=str(err)))

        report = await audit.verify(histories(), project_workflows(), data_converter(settings))
        report.outcomes += damaged
        return report

    conclude(run(go()))


@archive_app.command("seal")
def seal() -> None:
    """Seal the runs archived before LOAN_JOURNEY_ARCHIVE_KEY was set, so that `archive
    verify` accepts them; check them first: sealing vouches for them as they stand."""
    settings = Settings()
    key = settings.archive_seal_key
    if key is None:
        raise typer.BadParameter("set LOAN_JOURNEY_ARCHIVE_KEY first: it is what seals them")
    sealed = archive.seal_unsealed(settings.db_url, key)
    console.print(f"sealed {sealed} archived run(s); every archived run is sealed now")


def register(app: typer.Typer) -> None:
    app.add_typer(archive_app, name="archive")
