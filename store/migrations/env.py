"""Alembic environment: run with a connection handed in by store.db.migrate, or a URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine, pool, text

import store.archive  # noqa: F401  (the archive table's model, in Base.metadata)
import store.code_names  # noqa: F401  (the credit codes' name history, in Base.metadata)
import store.exposure  # noqa: F401  (the credit exposures' model, in Base.metadata)
import store.feedback  # noqa: F401  (the feedback table's model, in Base.metadata)
import store.lpr  # noqa: F401  (the LPR fixings' model, in Base.metadata)
import store.payer_returns  # noqa: F401  (the returns to payers, in Base.metadata)
import store.payment_references  # noqa: F401  (the repayments' references, in Base.metadata)
import store.pending  # noqa: F401  (the pending instructions' model, in Base.metadata)
import store.policies  # noqa: F401  (the lending policies the workers ran, in Base.metadata)
import store.reading_seals  # noqa: F401  (the document readings kept again, in Base.metadata)
import store.refusals  # noqa: F401  (the refused attempts' model, in Base.metadata)
import store.scan_erasures  # noqa: F401  (the scans erased under retention, in Base.metadata)
from store.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            # several workers may start at once: one migrates, the others wait
            connection.execute(text("SELECT pg_advisory_xact_lock(7305120001)"))
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "", poolclass=pool.NullPool)
    with engine.connect() as conn:
        _run(conn)
        conn.commit()


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
