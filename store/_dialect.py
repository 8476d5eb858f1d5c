"""INSERT ... ON CONFLICT for the two dialects we run on."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, Engine, Executable
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


def affected(session: Session, stmt: Executable) -> int:
    """Execute a DML statement and return how many rows it inserted or changed."""
    return cast(CursorResult[Any], session.execute(stmt)).rowcount
