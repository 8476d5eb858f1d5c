"""The journey map's timing rows (`stage_events`, store/timing.py) checked for deletions and
changes by their numbering, beside their seals (store/seal_check.py, the stage events' chain
in store/sealed_records.py), at `records verify`. The seals name a row changed (its actor,
stage, outcome, time...), inserted or deleted; the numbering names what they cannot: the
events of a journey deleted while they were unsealed (kept before the key, or by a worker
without it), and which journey's events the deleted seals were.

What makes them checkable so is how they are numbered: each journey numbers its own events 0,
1, 2, ... as it emits them, its late touchpoints from LATE_TOUCHPOINT_BASE on, and records
each at the workflow's time, which never goes back. So one scan of (journey, number, time)
names:
  - a number missing below a journey's newest (its events deleted, the first ones too);
  - an event earlier than the one numbered before it (its time changed);
  - a journey the sealed chains name (a ledger booking, an outbox notice: store/seals.py)
    that holds no event at all (all of them deleted).
Unsealed, it cannot tell a journey's newest events deleted (the numbers before them stay
whole), nor an event's stage, type, actor or outcome changed, nor its time changed within its
neighbours': a backup, or the journey's own history (`loan-journey history`), tells those.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby

from sqlalchemy import select, union
from sqlalchemy.orm import Session

from journey.touchpoints import LATE_TOUCHPOINT_BASE
from store.models import BookingRow, OutboxRow, StageEventRow
from store.seal_findings import Finding, Found

RECORDS = "stage events (the journey map)"
_AT = "%Y-%m-%d %H:%M:%S"


def _restore(workflow_id: str) -> str:
    return ("the report, the funnel and the journey map count this journey wrong until its "
            "events are restored from a backup (stage_events), or rebuilt from its history "
            f"(`loan-journey records rebuild-events {workflow_id}`)")


# a row that is there is rebuilt from no history: its own is restored from a backup
_CHANGED = ("the report, the funnel and the journey map count this journey wrong until its "
            "event is restored from a backup (stage_events)")


@dataclass(frozen=True)
class _Event:
    workflow_id: str
    sequence: int
    type: str
    stage: str
    at: datetime

    def said(self) -> str:
        return f"#{self.sequence} ({self.type} {self.stage} at {self.at:{_AT}})"


def findings(s: Session) -> list[Finding]:
    """Every journey's events scanned once in order, and the journeys sealed records name."""
    rows = s.execute(select(
        StageEventRow.workflow_id, StageEventRow.sequence, StageEventRow.type,
        StageEventRow.stage, StageEventRow.at,
    ).order_by(StageEventRow.workflow_id, StageEventRow.sequence).execution_options(
        yield_per=5000))
    found, journeys = [], set()
    for workflow_id, events in groupby((_Event(*r) for r in rows), lambda e: e.workflow_id):
        kept = list(events)
        journeys.add(workflow_id)
        found += _gaps(kept) + _backwards(kept)
    return found + _emptied(s, journeys)


def _series(events: list[_Event]) -> Iterator[tuple[int, list[_Event]]]:
    """The journey's own events, then its late touchpoints, each with the number it starts at."""
    own = [e for e in events if e.sequence < LATE_TOUCHPOINT_BASE]
    late = [e for e in events if e.sequence >= LATE_TOUCHPOINT_BASE]
    yield 0, own
    if late:
        yield LATE_TOUCHPOINT_BASE, late


def _gaps(events: list[_Event]) -> list[Finding]:
    """Each run of numbers missing before a journey's newest event."""
    found = []
    for first, series in _series(events):
        before: _Event | None = None
        for e in series:
            expected = first if before is None else before.sequence + 1
            if e.sequence > expected:
                missing = (f"#{expected}" if e.sequence == expected + 1
                           else f"#{expected} to #{e.sequence - 1}")
                after = f"after {before.said()}" if before else "its first"
                found.append(Finding(
                    record=f"stage events of {e.workflow_id}", found=Found.DELETED,
                    detail=f"event(s) {missing}, {after} and before {e.said()}, are missing: "
                           f"deleted in the database; {_restore(e.workflow_id)}"))
            before = e
    return found


def _backwards(events: list[_Event]) -> list[Finding]:
    """Each event recorded earlier than the one numbered before it."""
    return [Finding(record=f"stage event #{e.sequence} of {e.workflow_id}", found=Found.CHANGED,
                    detail=f"{e.said()} is earlier than {before.said()}, though a journey "
                           f"records its events in order: a time changed in the database; "
                           f"{_CHANGED}")
            for _, series in _series(events)
            for before, e in zip(series, series[1:], strict=False) if e.at < before.at]


def _emptied(s: Session, journeys: Iterable[str]) -> list[Finding]:
    """Each journey a sealed booking or notice names that holds no event."""
    named = s.scalars(union(
        select(BookingRow.workflow_id).where(BookingRow.seal.is_not(None)),
        select(OutboxRow.workflow_id).where(OutboxRow.seal.is_not(None)),
    ).order_by("workflow_id"))
    held = set(journeys)
    return [Finding(record=f"stage events of {workflow_id}", found=Found.DELETED,
                    detail="none kept, though a sealed ledger booking or outbox notice names "
                           f"this journey (`records verify` checks those): all of them deleted "
                           f"in the database (or, for one started a moment ago, not written yet: "
                           f"check again); {_restore(workflow_id)}")
            for workflow_id in named if workflow_id not in held]
