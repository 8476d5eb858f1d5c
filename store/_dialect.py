"""INSERT ... ON CONFLICT for the two dialects we run on."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, Engine, Executable, literal_column
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_for(engine: Engine, table: Any) -> Any:
    """A dialect insert that has `.on_conflict_do_nothing()` / `.on_conflict_do_update()`."""
    name = engine.dialect.name
    if name == "sqlite":
        return sqlite.insert(table)
    if name == "postgresql":
        return postgresql.insert(table)
    raise NotImplementedError(
        f"database dialect {name!r} is not supported: use a sqlite or postgresql URL"
    )


def inserted(session: Session, stmt: Any) -> bool:
    """Execute a one-row INSERT ... ON CONFLICT DO NOTHING; True if the row was written.

    RETURNING says so on every driver; rowcount does not (psycopg reports -1 for some forms).
    """
    return session.execute(stmt.returning(literal_column("1"))).first() is not None


def affected(session: Session, stmt: Executable) -> int:
    """Execute an UPDATE or DELETE and return how many rows it changed."""
    return cast(CursorResult[Any], session.execute(stmt)).rowcount
