"""Commands that run things: the embedded server with a worker, a worker, migrations."""

from __future__ import annotations

import typer
from rich.console import Console

import worker
from journey.settings import Settings
from starter import archivist
from starter.boundary import run
from starter.embedded import embedded_server, ui_address
from starter.encryption import writes_allowed
from starter.server_watch import while_serving
from starter.start_checks import check_start
from store.db import migrate, shown

console = Console()
db_app = typer.Typer(help="The journey database (timing events, documents, ledger, outbox).")


def up() -> None:
    """Start the embedded Temporal dev server (SQLite file, Web UI) and a worker, until Ctrl-C
    or until the server exits (SetupError); with LOAN_JOURNEY_METRICS_PORT, the worker serves
    its metrics as `worker` does."""
    settings = Settings()
    worker.log_to_stderr(settings)  # its role and queues, pending instructions delivered

    async def go() -> None:
        policies = check_start(settings)  # the database migrated, or checked (`ready`)
        async with embedded_server(settings, runtime=worker.metrics_runtime(settings)) as env:
            await writes_allowed(env.client, "up not started")  # before the archivist's schedule
            await archivist.schedule(env.client, settings.task_queue)  # unless it exists
            console.print(f"Temporal at {settings.temporal_address}, Web UI {ui_address(settings)}")
            if settings.metrics_port is not None:
                console.print(f"metrics on {settings.metrics_host} port {settings.metrics_port} "
                              f"(SDK) and {settings.metrics_port + 1} (journey)")
            console.print(f"database {shown(settings.db_url)}; worker role "
                          f"{settings.worker_role}; press Ctrl-C to stop")
            await while_serving(worker.run(settings, env.client, policies), settings)
        console.print("stopped")

    run(go())


def worker_() -> None:
    """Run a worker against the configured Temporal address (an existing cluster)."""
    settings = Settings()
    worker.log_to_stderr(settings)

    async def go() -> None:
        policies = check_start(settings)  # the database migrated, or checked (`ready`)
        await worker.run(settings, policies=policies)
        console.print("stopped")

    run(go())


@db_app.command("upgrade")
def upgrade() -> None:
    """Create or migrate the journey database to the latest schema."""
    settings = Settings()
    migrate(settings.db_url)
    console.print(f"database at the latest schema: {shown(settings.db_url)}")


def register(app: typer.Typer) -> None:
    app.command()(up)
    app.command("worker")(worker_)
    app.add_typer(db_app, name="db")
