from __future__ import annotations

import os
import stat
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select, text

from store import db
from store.db import alembic_config, engine_for, head_revision, migrate, ready, session
from store.models import Base
from store.outbox import claim, enqueue, pending
from store.policies import in_force, record_policy
from store.reset_acknowledgements import ResetAcknowledged, ResetAcknowledgementRow, acknowledge
from store.sealed_records import POLICIES
from store.unsealed_rows import seal_unsealed


def test_migrate_creates_the_tables(db_url: str, tmp_path: Path) -> None:
    migrate(db_url)
    migrate(db_url)  # a second upgrade is a no-op
    if db_url.startswith("sqlite"):
        assert (tmp_path / "data" / "journey.db").is_file()  # the directory was created
    tables = set(inspect(engine_for(db_url)).get_table_names())
    assert {"stage_events", "ledger_bookings", "outbox", "document_readings"} <= tables
    with engine_for(db_url).connect() as c:
        version = c.execute(text("select version_num from alembic_version")).scalar()
    assert version == ScriptDirectory.from_config(alembic_config(db_url)).get_current_head()


def test_the_head_read_without_alembic_is_alembics(db_url: str) -> None:
    """`ready` skips Alembic for a database at `head_revision`, read from the scripts' file
    names: they must name their revisions, in order, as Alembic reads them."""
    scripts = ScriptDirectory.from_config(alembic_config(db_url))
    assert head_revision() == scripts.get_current_head()
    assert all(s.path.endswith(f"/{s.revision}.py") for s in scripts.walk_revisions())


def test_a_database_behind_head_is_migrated_and_one_at_head_only_read(db_url: str) -> None:
    migrate(db_url)
    command.downgrade(alembic_config(db_url), "-1")  # as an older version left it
    with engine_for(db_url).connect() as c:
        assert c.execute(text("select version_num from alembic_version")).scalar() != \
            head_revision()
    ready(db_url)
    with engine_for(db_url).connect() as c:
        assert c.execute(text("select version_num from alembic_version")).scalar() == \
            head_revision()
    # a new process (a command line) at head: the database read, Alembic never loaded
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys; from store.db import ready; "
         f"ready({db_url!r}); print('alembic' in sys.modules)"],
        capture_output=True, text=True, timeout=120, check=True,
    )
    assert loaded.stdout.strip() == "False", loaded.stderr


@pytest.mark.usefixtures("sqlite_only")
def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(db_url: str) -> None:
    with ready(db_url).connect() as c:
        assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert c.exec_driver_sql("PRAGMA busy_timeout").scalar_one() >= 5000


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_journey_database_is_its_owners_only(tmp_path: Path) -> None:
    """It holds refusal reasons, complaints and fixings: not for other users of the host."""
    umask = os.umask(0o022)  # the usual umask, whatever the test runner's
    try:
        data = tmp_path / "fresh"
        file = data / "journey.db"
        with session(f"sqlite:///{file}") as s:
            s.execute(text("select 1"))
        assert (_mode(data), _mode(file)) == (0o700, 0o600)
        assert all(_mode(f) == 0o600 for f in data.glob("journey.db-*"))  # WAL, shared memory

        old = tmp_path / "old.db"  # as an earlier version left it
        old.touch(mode=0o644)
        old.chmod(0o644)
        engine_for(f"sqlite:///{old}")
        assert _mode(old) == 0o600
    finally:
        os.umask(umask)


@pytest.mark.usefixtures("sqlite_only")
def test_engine_is_cached_per_url(db_url: str, tmp_path: Path) -> None:
    assert engine_for(db_url) is engine_for(db_url)
    assert engine_for(db_url) is not engine_for(f"sqlite:///{tmp_path / 'other.db'}")


def test_models_match_the_migrations(db_url: str) -> None:
    with ready(db_url).connect() as c:
        diff = compare_metadata(MigrationContext.configure(c), Base.metadata)
    assert diff == []


def test_session_commits_and_rolls_back(db_url: str) -> None:
    insert = text(
        "insert into outbox (key, workflow_id, channel, recipient, template, body, created_at)"
        " values (:k, 'wf', 'sms', 'r', 't', 'b', '2026-01-01 00:00:00')"
    )
    with session(db_url) as s:
        s.execute(insert, {"k": "a"})
    try:
        with session(db_url) as s:
            s.execute(insert, {"k": "b"})
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    with session(db_url) as s:
        assert s.execute(text("select key from outbox")).scalars().all() == ["a"]


def test_a_process_that_may_not_migrate_checks_the_schema_and_changes_nothing(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`migrate_on_start` false (production): a database at head is used, one behind (or
    empty) refused with both schemas named, and left as it is for the migrate job."""
    monkeypatch.setattr(db, "_migrated", set())
    monkeypatch.setattr(db, "_migrating", True)  # put back as it was after the test
    db.migrate_on_start(False)
    with pytest.raises(db.SchemaBehind) as empty:
        ready(db_url)
    assert (empty.value.at, empty.value.head) == (None, head_revision())
    assert "alembic_version" not in inspect(engine_for(db_url)).get_table_names()
    migrate(db_url)
    command.downgrade(alembic_config(db_url), "-1")
    with engine_for(db_url).connect() as c:
        behind = c.execute(text("select version_num from alembic_version")).scalar_one()
    with pytest.raises(db.SchemaBehind, match=f"is at schema {behind}, this build needs "
                       f"{head_revision()}"):
        ready(db_url)
    with engine_for(db_url).connect() as c:
        assert c.execute(text("select version_num from alembic_version")).scalar() == behind
    migrate(db_url)  # the migrate job
    assert ready(db_url) is engine_for(db_url)


def _db_upgrade(db_url: str) -> None:
    """`loan-journey db upgrade` (the migrate job) in a process of its own."""
    done = subprocess.run(
        [sys.executable, "-c", "import sys; sys.argv = ['loan-journey', 'db', 'upgrade']; "
         "from starter.cli import main; main()"],
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
             "LOAN_JOURNEY_DATABASE_URL": db_url},
        capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "database at the latest schema" in done.stdout, (
        done.stdout + done.stderr)


def test_the_outbox_claims_migrate_from_empty_and_from_0031(db_url: str) -> None:
    """Migration 0032 adds the notifiers' claims (store/outbox.py `claim`): `db upgrade` makes
    them on an empty database, and on one as 0031 left it, whose pending notice is then free
    to claim and sent once; going back to 0031 drops them and keeps the notice."""
    _db_upgrade(db_url)
    assert {"claimed_by", "claimed_until"} <= {
        c["name"] for c in inspect(engine_for(db_url)).get_columns("outbox")}
    assert enqueue(db_url, "loan-1:offer:1", "loan-1", "email", "ops-li", "offer", "...")
    engine_for(db_url).dispose()  # the columns change under the pooled connections

    command.downgrade(alembic_config(db_url), "0031_outflow_sources")
    assert {"claimed_by", "claimed_until"}.isdisjoint(
        c["name"] for c in inspect(engine_for(db_url)).get_columns("outbox"))
    with engine_for(db_url).begin() as c:
        assert c.execute(text("select key from outbox where sent_at is null")).scalars().all() \
            == ["loan-1:offer:1"]
    engine_for(db_url).dispose()

    _db_upgrade(db_url)
    with engine_for(db_url).connect() as c:
        assert c.execute(text("select version_num from alembic_version")).scalar() == \
            head_revision()
    [queued] = pending(db_url)
    assert claim(db_url, queued.id, "notifier-a") and not claim(db_url, queued.id, "notifier-b")


def test_the_policy_seals_migrate_from_empty_and_from_0033(db_url: str) -> None:
    """Migration 0034 adds the recorded policies' seals (store/policies.py): `db upgrade`
    makes the column on an empty database; going back to 0033 drops it, and the chain's
    baseline, and keeps the policy, which reads as recorded before sealing began when upgraded
    again: `records seal` seals it (not refused as one inserted around the key)."""
    _db_upgrade(db_url)
    assert "seal" in {c["name"] for c in inspect(engine_for(db_url)).get_columns(
        "lending_policies")}
    record_policy(db_url, "2026.12-8", '{"version": "2026.12-8"}', key=b"k" * 16)
    assert in_force(db_url).seal is not None  # type: ignore[union-attr]
    engine_for(db_url).dispose()  # the columns change under the pooled connections

    # 0036's loads, sealed, hold places in the policies' chain: not dropped while kept; gone
    # here, as going below 0034 drops the policies' seals and their chain's baseline anyway
    with pytest.raises(RuntimeError, match="1 sealed policy load"):
        command.downgrade(alembic_config(db_url), "0033_scan_erasures")
    with session(db_url) as s:
        s.execute(text("delete from policy_loads"))
    command.downgrade(alembic_config(db_url), "0033_scan_erasures")
    assert "seal" not in {c["name"] for c in inspect(engine_for(db_url)).get_columns(
        "lending_policies")}
    engine_for(db_url).dispose()

    _db_upgrade(db_url)
    kept = in_force(db_url, key=b"k" * 16)  # read as one kept before sealing: not refused
    assert kept is not None and (kept.version, kept.seal) == ("2026.12-8", None)
    [policies] = [d for d in seal_unsealed(db_url, b"k" * 16) if d.records == POLICIES.records]
    assert (policies.sealed, policies.inserted) == (["lending policy 2026.12-8"], [])


def test_a_reset_acknowledged_keeps_its_table_from_being_dropped(db_url: str) -> None:
    """Migration 0035 adds the resets' acknowledgements (store/reset_acknowledgements.py),
    sealed as kept, once per reset. Going back to 0034 is refused while one is kept (the
    findings it settled would be back) and drops the table once none is."""
    migrate(db_url)
    reset = ResetAcknowledged(
        workflow_id="loan-A", run_id="run-2", reset_event_id=25, base_run_id="run-1",
        reset_at=datetime(2026, 12, 7, 2, 0, tzinfo=UTC), reset_by="ops@host",
        reset_reason="BCP drill", acknowledged_by="sup-sme", role="supervisor",
        why="checked with IT operations", acknowledged_at=datetime(2026, 12, 7, 3, 0, tzinfo=UTC),
        origin="ops@host pid 1")
    assert acknowledge(db_url, reset, b"k" * 16)
    assert not acknowledge(db_url, reset.model_copy(update={"why": "again"}), b"k" * 16)
    with session(db_url) as s:
        [row] = s.scalars(select(ResetAcknowledgementRow)).all()
        assert row.seal is not None and row.why == "checked with IT operations"
    with pytest.raises(RuntimeError, match="1 reset acknowledgement"):
        command.downgrade(alembic_config(db_url), "0034_policy_seals")
    with session(db_url) as s:
        s.execute(text("delete from reset_acknowledgements"))
    command.downgrade(alembic_config(db_url), "0034_policy_seals")
    assert "reset_acknowledgements" not in inspect(engine_for(db_url)).get_table_names()
