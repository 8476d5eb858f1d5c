"""Engines, sessions and migrations, keyed by the one SQLAlchemy URL setting."""

from __future__ import annotations

import fcntl
import os
import stat
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BUSY_TIMEOUT_MS = 30_000

_migrated: set[str] = set()
_migrate_lock = threading.Lock()
# Whether `ready` migrates a database behind head (True) or refuses it (`SchemaBehind`): set
# once at a process's start from the `migrate_on_start` setting (`migrate_on_start`).
_migrating = True


def sqlite_file(url: str) -> Path | None:
    u = make_url(url)
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return None
    return Path(u.database)


def _on_sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def private_file(file: Path) -> None:
    """Create `file` for its owner only (600), in a folder made for its owner only (700):
    the journey database holds refusal reasons, complaints and fixings. A file another
    version left readable by others is made 600; a folder that exists is left as it is."""
    file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.close(os.open(file, os.O_CREAT | os.O_RDWR, 0o600))
    if stat.S_IMODE(file.stat().st_mode) & 0o077:
        file.chmod(0o600)


@lru_cache(maxsize=32)
def engine_for(url: str) -> Engine:
    """One engine per URL for the process. SQLite: WAL, a busy timeout, the file (and its
    folder) created for its owner only."""
    file = sqlite_file(url)
    if file is not None:
        private_file(file)
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _on_sqlite_connect)
        return engine
    return create_engine(url, pool_pre_ping=True)


def alembic_config(url: str) -> Config:
    """An Alembic config found through the package path, so it works when installed."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


@contextmanager
def file_lock(file: Path | None, purpose: str = "migrate") -> Iterator[None]:
    """An exclusive lock beside a SQLite file for `purpose`, across processes; nothing for
    another database (it locks its own way)."""
    if file is None:
        yield
        return
    with open(file.with_name(f"{file.name}.{purpose}.lock"), "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def shown(url: str) -> str:
    """`url` for messages and logs: its password hidden."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(not a database URL)"


class SchemaTooNew(Exception):
    """The database was migrated by a newer version of the journey: this one knows none of
    its revisions, and cannot upgrade it or work on it."""

    def __init__(self, url: str, at: str, newest: str) -> None:
        super().__init__(f"{shown(url)} is at schema {at}, newer than this version knows "
                         f"(its newest is {newest})")
        self.url, self.at, self.newest = url, at, newest


class SchemaBehind(Exception):
    """The database is behind the schema this version needs, and this process may not migrate
    it (`migrate_on_start` false): the operator runs the migrate job, after a backup."""

    def __init__(self, url: str, at: str | None, head: str) -> None:
        super().__init__(f"{shown(url)} is at schema {at or 'none (empty)'}, this build needs "
                         f"{head}")
        self.url, self.at, self.head = url, at, head


def migrate_on_start(migrating: bool) -> None:
    """Whether `ready` may migrate a database behind head in this process, from the setting
    of that name, read at the process's start (the command line, worker.py)."""
    global _migrating
    _migrating = migrating


def migrate(url: str) -> None:
    """`alembic upgrade head` on the database at `url` (safe to run from several processes);
    `SchemaTooNew` when a newer version migrated it."""
    from alembic import command
    from alembic.script import ScriptDirectory

    engine = engine_for(url)
    with file_lock(sqlite_file(url)), engine.begin() as conn:
        cfg = alembic_config(url)
        cfg.attributes["connection"] = conn
        _known_revision(url, conn, ScriptDirectory.from_config(cfg))
        command.upgrade(cfg, "head")


def _known_revision(url: str, conn: Any, scripts: ScriptDirectory) -> None:
    """Alembic's own check of a revision it has no script for is a CommandError traceback."""
    from alembic.runtime.migration import MigrationContext

    known = {script.revision for script in scripts.walk_revisions()}
    for at in MigrationContext.configure(conn).get_current_heads():
        if at not in known:
            raise SchemaTooNew(url, at, ", ".join(scripts.get_heads()))


def head_revision() -> str:
    """The newest migration's revision, without Alembic: each is named as its file, numbered
    in order (tests/store/test_db.py holds that to Alembic's own reading of the scripts)."""
    return max(p.stem for p in (MIGRATIONS / "versions").glob("[0-9]*.py"))


def _schema(engine: Engine) -> list[str]:
    """The revisions the database is at: none for one without a version table (empty).
    Failing to connect raises, as `migrate` would."""
    with engine.connect() as conn:
        try:
            return list(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
        except DBAPIError:
            return []


def _checked(url: str, at: list[str]) -> None:
    """A database not at head, where this process may not migrate: `SchemaTooNew` for a
    revision no script here names (as `migrate` says), else `SchemaBehind`. Read without
    Alembic: each script is named as its revision (`head_revision`)."""
    known = {p.stem for p in (MIGRATIONS / "versions").glob("[0-9]*.py")}
    head = head_revision()
    for revision in at:
        if revision not in known:
            raise SchemaTooNew(url, revision, head)
    raise SchemaBehind(url, ", ".join(at) or None, head)


def ready(url: str) -> Engine:
    """The engine for `url`, migrated to head once per process, or, with migrating switched
    off (`migrate_on_start`), checked to be at head. A database at head already, as nearly
    always, is only read: Alembic's import and its upgrade to where the database is were
    0.3-0.6 s of every command line that touches the store."""
    engine = engine_for(url)
    if url not in _migrated:
        with _migrate_lock:
            if url not in _migrated:
                if (at := _schema(engine)) != [head_revision()]:
                    if not _migrating:
                        _checked(url, at)
                    migrate(url)
                _migrated.add(url)
    return engine


@contextmanager
def session(url: str) -> Iterator[Session]:
    """A session on the migrated database that commits on success and rolls back on error."""
    with Session(ready(url)) as s, s.begin():
        yield s
