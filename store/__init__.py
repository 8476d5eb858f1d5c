"""Storage: SQLAlchemy 2 models and sessions for timing events, documents, ledger and outbox.

Every write is idempotent by a natural key, so an activity that is retried or replayed
never writes a second row. Callers pass a SQLAlchemy URL; `store.db` caches the engine
and runs the Alembic migrations once per process.
"""
