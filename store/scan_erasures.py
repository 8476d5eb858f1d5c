"""Scans erased once their retention passed (`loan-journey scans erase`,
journey/policy/retention.py): one row per file erased, with its digest, the journeys that had
it, when the last of them ended, when it was erased, by whom and under which rule. With the
archive key each row is sealed as it is kept, next in the erasures' chain (store/seals.py), so
that `records verify` tells a scan erased from one deleted, and an erasure row changed,
inserted or deleted in the database is reported.

Only the file goes: the journey's reading of it (what OCR read, `document_readings`), its
stage events and its history are sealed records, kept as they are.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from pydantic import BaseModel
from sqlalchemy import String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from journey.policy.calendar import WorkingCalendar
from store.db import session
from store.models import Base, BigId
from store.seals import add_sealed, sealing
from store.types import UTCDateTime


class Erasure(BaseModel):
    sha256: str
    journeys: list[str]  # every journey whose reading names it, all past retention
    ended_at: datetime  # when the last of them ended
    erased_at: datetime
    erased_by: str  # the staff id (--as)
    role: str
    rule: str  # the retention rule, with the policy's version
    origin: str  # user@host pid of the command line

    @property
    def erased_on(self) -> date:
        """The day it was erased, on the bank's clock."""
        return WorkingCalendar().day_of(self.erased_at)

    def said(self) -> str:
        """"erased on 2026-12-07 under retention (policy ...: ...; its last journey ended on
        2019-03-04), by sup-sme", the days on the bank's clock."""
        return (f"erased on {self.erased_on} under retention ({self.rule}; its last journey "
                f"ended on {WorkingCalendar().day_of(self.ended_at)}), by {self.erased_by}")


class ScanErasureRow(Base):
    __tablename__ = "scan_erasures"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    journeys: Mapped[str] = mapped_column(Text)  # their ids, sorted, ", " between
    ended_at: Mapped[datetime] = mapped_column(UTCDateTime)
    erased_at: Mapped[datetime] = mapped_column(UTCDateTime)
    erased_by: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(32))
    rule: Mapped[str] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(200))
    seal: Mapped[str | None] = mapped_column(String(64), index=True)  # None: kept unsealed


CHAIN = [ScanErasureRow.seal]
_SEP = ", "


def facts(row: ScanErasureRow) -> list[object]:
    """What an erasure's seal covers: the whole row but the seal."""
    return [row.id, row.sha256, row.journeys, row.ended_at.astimezone(UTC).isoformat(),
            row.erased_at.astimezone(UTC).isoformat(), row.erased_by, row.role, row.rule,
            row.origin]


def record_erasure(url: str, erasure: Erasure, key: bytes) -> None:
    """Keep `erasure`, sealed with `key`, before its file goes; once: a run stopped between
    the two erases the file next time, and the same digest erased of the same journeys again
    adds no row."""
    journeys = _SEP.join(sorted(erasure.journeys))
    with sealing(url, ScanErasureRow.__tablename__) as s:
        if s.scalars(select(ScanErasureRow.id).where(
                ScanErasureRow.sha256 == erasure.sha256,
                ScanErasureRow.journeys == journeys).limit(1)).first() is not None:
            return
        row = ScanErasureRow(**erasure.model_dump(exclude={"journeys"}), journeys=journeys)
        add_sealed(s, key, row, facts, CHAIN)


def erased(url: str, sha256: str) -> Erasure | None:
    """The latest erasure of the scan `sha256`; None when it was never erased."""
    with session(url) as s:
        row = s.scalars(select(ScanErasureRow).where(ScanErasureRow.sha256 == sha256)
                        .order_by(ScanErasureRow.id.desc()).limit(1)).first()
        return None if row is None else _erasure(row)


def erasures_by_reading(url: str) -> dict[tuple[str, str], Erasure]:
    """The latest erasure of each journey's scan, by (digest, journey): one query
    (`subject`). A digest sent again after its erasure and erased again later may have been
    erased of other journeys the second time."""
    with session(url) as s:
        return {(row.sha256, wf): erasure
                for row in s.scalars(select(ScanErasureRow).order_by(ScanErasureRow.id))
                for erasure in [_erasure(row)] for wf in erasure.journeys}


def erased_of(url: str) -> dict[str, set[str]]:
    """The journeys each scan erased was erased of (under every erasure of it), by digest."""
    of: dict[str, set[str]] = {}
    for sha256, wf in erasures_by_reading(url):
        of.setdefault(sha256, set()).add(wf)
    return of


def _erasure(row: ScanErasureRow) -> Erasure:
    return Erasure(sha256=row.sha256, journeys=row.journeys.split(_SEP),
                   ended_at=row.ended_at, erased_at=row.erased_at, erased_by=row.erased_by,
                   role=row.role, rule=row.rule, origin=row.origin)
