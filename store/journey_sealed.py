"""One journey's sealed records, each row with whether its own seal vouches for it: what the
history cross-check (starter/history_cross_check.py) holds a run's history to.

A row is checked alone, not its whole chain (`records verify` does that): its seal against
its facts and the seal before it in its chain (a position's seal is held by a row of the
chain's tables, or kept by the change that sealed its row again). Cost per journey: one
read of its exposure line with its changes, its stage exits, its bookings, its outbox
notices and its resets' acknowledgements, and one read of the seal before each.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from journey.timeline import EventType
from store.db import ready
from store.exposure import CreditExposureChangeRow, CreditExposureRow
from store.models import BookingRow, OutboxRow, StageEventRow
from store.reset_acknowledgements import ResetAcknowledgementRow
from store.seal_check import seals_at
from store.sealed_records import (
    ACKNOWLEDGED,
    ACKNOWLEDGEMENTS,
    BOOKED,
    BOOKINGS,
    EXPOSED,
    EXPOSURES,
    NOTICES,
    NOTIFIED,
    STAGE_EVENTS,
    STAGED,
    SealedRecords,
    SealedTable,
)
from store.seals import baseline_of, matches, position_of


class Vouched(StrEnum):
    SEALED = "sealed"  # its seal matches it
    UNSEALED = "unsealed"  # kept before the key, or before its chain was sealed
    FAILS = "fails its seal"  # changed, or the key is not the chain's: `records verify` says


@dataclass(frozen=True)
class Held:
    """A row, how it is named (`records verify`'s name) and whether its seal vouches for it."""

    row: Any
    name: str
    vouched: Vouched
    table: SealedTable
    seals: dict[int, str]  # the seal before its own, by position: what it was checked over


@dataclass(frozen=True)
class JourneySealed:
    line: Held | None  # its credit exposure line
    exits: list[Held]  # its stage events that left a stage, by number
    bookings: list[Held]  # its ledger bookings, oldest first
    notices: list[Held]  # its outbox notices, oldest first
    # the newest change of its line's principal, which the line was sealed again over: what
    # the line's principal and time were when last sealed (store/sealed_fields.py)
    line_change: CreditExposureChangeRow | None = None
    # the supervisors' acknowledgements of its runs' resets (store/reset_acknowledgements.py)
    resets: list[Held] = field(default_factory=list)

    @property
    def workers_here(self) -> bool:
        """Whether this database holds what the journey's workers wrote: a stage it left (its
        first notice follows its intake's exit). One kept apart from the journeys' database
        (an archive's, where `start` may have kept the exposure line) holds none of it."""
        return bool(self.exits)


def of_journey(url: str, key: bytes, workflow_id: str) -> JourneySealed:
    """`workflow_id`'s exposure line, stage exits, bookings, outbox notices and reset
    acknowledgements, each checked against its seal with `key`."""
    with Session(ready(url)) as s:
        line = s.scalars(select(CreditExposureRow).where(
            CreditExposureRow.workflow_id == workflow_id)).first()
        exits = s.scalars(select(StageEventRow).where(
            StageEventRow.workflow_id == workflow_id,
            StageEventRow.type == EventType.EXITED.value).order_by(StageEventRow.sequence))
        bookings = s.scalars(select(BookingRow).where(BookingRow.workflow_id == workflow_id)
                             .order_by(BookingRow.id))
        change = None if line is None else s.scalars(select(CreditExposureChangeRow).where(
            CreditExposureChangeRow.exposure_id == line.id)
            .order_by(CreditExposureChangeRow.id.desc())).first()
        notices = s.scalars(select(OutboxRow).where(OutboxRow.workflow_id == workflow_id)
                            .order_by(OutboxRow.id))
        return JourneySealed(
            line=None if line is None else _held(s, key, EXPOSED, EXPOSURES, line),
            exits=[_held(s, key, STAGED, STAGE_EVENTS, e) for e in exits],
            bookings=[_held(s, key, BOOKED, BOOKINGS, b) for b in bookings],
            notices=[_held(s, key, NOTIFIED, NOTICES, n) for n in notices],
            line_change=change,
            resets=_acknowledgements(s, key, workflow_id))


def acknowledgements(url: str, key: bytes, workflow_id: str) -> list[Held]:
    """`workflow_id`'s resets' acknowledgements alone, each checked against its seal with
    `key` (`records acknowledge-reset`: one kept already, and whether it stands)."""
    with Session(ready(url)) as s:
        return _acknowledgements(s, key, workflow_id)


def _acknowledgements(s: Session, key: bytes, workflow_id: str) -> list[Held]:
    return [_held(s, key, ACKNOWLEDGED, ACKNOWLEDGEMENTS, r) for r in s.scalars(
        select(ResetAcknowledgementRow).where(ResetAcknowledgementRow.workflow_id == workflow_id)
        .order_by(ResetAcknowledgementRow.id))]


def _held(s: Session, key: bytes, chain: SealedRecords, table: SealedTable, row: Any) -> Held:
    position = position_of(row.seal)
    if row.seal is None:
        return Held(row, table.label(row), Vouched.UNSEALED, table, {})
    if position is None:
        return Held(row, table.label(row), Vouched.FAILS, table, {})
    # the baseline's seal is the one before position 1 only: read it for that row alone
    seals = seals_at(s, chain, {position - 1},
                     baseline_of(s, chain.columns) if position == 1 else None)
    vouched = (Vouched.SEALED if matches(key, table.facts(row), row.seal, seals)
               else Vouched.FAILS)
    return Held(row, table.label(row), vouched, table, seals)
