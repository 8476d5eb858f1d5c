"""Refused attempts: actions on a loan turned away before its history.

A refused update never reaches the workflow history (that is the point of validating it),
nor does what the command line refuses before sending it, so the command line keeps each
attempt here for auditors (starter/attempts.py): who tried what on which journey, from
where, and why it was refused. With the archive key, each is sealed as it is kept, next in
the refusals' chain (store/seals.py), so that one changed or deleted in the database is
reported (`loan-journey records verify`).
"""

from __future__ import annotations

import getpass
import os
import socket
from datetime import UTC, datetime

from pydantic import BaseModel
from sqlalchemy import Index, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from store.db import session
from store.models import Base, BigId
from store.seals import add_sealed, sealing
from store.types import UTCDateTime


class Refusal(BaseModel):
    workflow_id: str  # a start refused before its journey exists: the id it would have
    action: str  # what was attempted: the update's name, "start", "schedule paused", ...
    actor: str  # as the caller gave it (--as)
    role: str
    reason: str
    at: datetime
    origin: str  # user@host pid of the command line


class RefusalRow(Base):
    __tablename__ = "refusals"
    __table_args__ = (Index("ix_refusals_workflow_at", "workflow_id", "at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    workflow_id: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    origin: Mapped[str] = mapped_column(String(200))
    seal: Mapped[str | None] = mapped_column(String(64))  # None: kept unsealed


def facts(row: RefusalRow) -> list[object]:
    """What a refusal's seal covers: the whole row but the seal."""
    return [row.id, row.workflow_id, row.action, row.actor, row.role, row.reason,
            row.at.astimezone(UTC).isoformat(), row.origin]


def record_refusal(url: str, refusal: Refusal, key: bytes | None = None) -> bool:
    """Keep a refused attempt, sealed with `key` when given; False when this very attempt is
    kept already (the same journey, action, moment and process): a write tried again after
    the database did not confirm the first keeps it once."""
    same = select(RefusalRow.id).where(
        RefusalRow.workflow_id == refusal.workflow_id, RefusalRow.at == refusal.at,
        RefusalRow.action == refusal.action, RefusalRow.origin == refusal.origin,
    ).limit(1)
    with sealing(url, RefusalRow.__tablename__) as s:
        if s.scalars(same).first() is not None:
            return False
        row = RefusalRow(**refusal.model_dump())
        add_sealed(s, key, row, facts, [RefusalRow.seal])
        return True


def refusals(url: str, workflow_id: str | None = None, limit: int = 200) -> list[Refusal]:
    """The newest `limit` refused attempts (on one journey), oldest first."""
    query = select(RefusalRow).order_by(RefusalRow.at.desc(), RefusalRow.id.desc()).limit(limit)
    if workflow_id is not None:
        query = query.where(RefusalRow.workflow_id == workflow_id)
    with session(url) as s:
        rows = s.scalars(query).all()
        return [Refusal.model_validate(r, from_attributes=True) for r in reversed(rows)]


def origin() -> str:
    """This process as a refused attempt names it: user@host pid."""
    return f"{_user()}@{socket.gethostname()} pid {os.getpid()}"


def _user() -> str:
    """The login name, or the uid where it has none (a container run as a bare uid)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid {os.getuid()}"
