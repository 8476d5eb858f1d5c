"""Resets of a journey's run on the Temporal server (`temporal workflow reset`) that a
supervisor checked and acknowledged as the bank's (`loan-journey records acknowledge-reset`):
one row per reset, naming the run it made, its reset event, when it was made, by whom and why
as the history says, and who at the bank acknowledged it, when and why. With the archive key
each row is sealed as it is kept, in a chain of its own (store/seals.py), so that an
acknowledgement inserted or changed in the database is reported by `records verify`, not
taken.

What it settles: the stage exits the workers wrote in the part of the run the reset threw
away are held to the run reset from (whose history holds their updates), not to the run the
reset made, once the reset is acknowledged (starter/history_cross_check.py).
"""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel
from sqlalchemy import Integer, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from store.models import Base, BigId
from store.seals import add_sealed, sealing
from store.types import UTCDateTime


class ResetAcknowledged(BaseModel):
    workflow_id: str
    run_id: str  # the run the reset made
    reset_event_id: int  # its WorkflowTaskFailed event (cause: reset) in that run
    base_run_id: str  # the run it was reset from
    reset_at: datetime  # as the event says
    reset_by: str  # the identity the server recorded for the reset
    reset_reason: str  # the reason given with the reset
    acknowledged_by: str  # the supervisor (--as)
    role: str
    why: str  # the supervisor's words: what was checked, with whom
    acknowledged_at: datetime
    origin: str  # user@host pid of the command line


class ResetAcknowledgementRow(Base):
    __tablename__ = "reset_acknowledgements"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    workflow_id: Mapped[str] = mapped_column(String(128), index=True)
    run_id: Mapped[str] = mapped_column(String(64))
    reset_event_id: Mapped[int] = mapped_column(Integer)
    base_run_id: Mapped[str] = mapped_column(String(64))
    reset_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reset_by: Mapped[str] = mapped_column(String(200))
    reset_reason: Mapped[str] = mapped_column(Text)
    acknowledged_by: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(32))
    why: Mapped[str] = mapped_column(Text)
    acknowledged_at: Mapped[datetime] = mapped_column(UTCDateTime)
    origin: Mapped[str] = mapped_column(String(200))
    seal: Mapped[str | None] = mapped_column(String(64), index=True)  # None: kept unsealed


CHAIN = [ResetAcknowledgementRow.seal]


def facts(row: ResetAcknowledgementRow) -> list[object]:
    """What an acknowledgement's seal covers: the whole row but the seal."""
    return [row.id, row.workflow_id, row.run_id, row.reset_event_id, row.base_run_id,
            row.reset_at.astimezone(UTC).isoformat(), row.reset_by, row.reset_reason,
            row.acknowledged_by, row.role, row.why,
            row.acknowledged_at.astimezone(UTC).isoformat(), row.origin]


def named(row: ResetAcknowledgementRow) -> str:
    """"acknowledgement #3 of the reset at event 25 of loan-x run 9f..."."""
    return (f"acknowledgement #{row.id} of the reset at event {row.reset_event_id} of "
            f"{row.workflow_id} run {row.run_id}")


def acknowledge(url: str, acknowledged: ResetAcknowledged, key: bytes) -> bool:
    """Keep `acknowledged`, sealed with `key`; once: a reset acknowledged before is not
    acknowledged again (False)."""
    with sealing(url, ResetAcknowledgementRow.__tablename__) as s:
        if s.scalars(select(ResetAcknowledgementRow.id).where(
                ResetAcknowledgementRow.run_id == acknowledged.run_id,
                ResetAcknowledgementRow.reset_event_id == acknowledged.reset_event_id)
                .limit(1)).first() is not None:
            return False
        add_sealed(s, key, ResetAcknowledgementRow(**acknowledged.model_dump()), facts, CHAIN)
        return True

