"""Journey timing events in SQL, idempotent by (workflow_id, sequence)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from journey.stages import Stage
from journey.timeline import EventType, TimingEvent
from store._dialect import insert_for
from store.db import ready
from store.models import StageEventRow


def _row(e: TimingEvent) -> dict[str, Any]:
    return {
        "workflow_id": e.workflow_id,
        "sequence": e.sequence,
        "type": e.type.value,
        "stage": e.stage.value,
        "attempt": e.attempt,
        "at": e.at,
        "waits_on": e.waits_on.value,
        "product": e.product.value,
        "actor": e.actor,
        "team": e.team,
        "outcome": e.outcome,
        "channel": e.channel.value if e.channel else None,
        "detail": e.detail,
    }


def record_events(url: str, events: Iterable[TimingEvent]) -> int:
    """Insert the events that are not stored yet; return how many were new.

    A retried or replayed batch inserts nothing twice: rows that collide on
    (workflow_id, sequence) are skipped by the database (ON CONFLICT DO NOTHING), and
    RETURNING reports the rows that were really inserted.
    """
    rows = [_row(e) for e in events]
    if not rows:
        return 0
    engine = ready(url)
    stmt = (
        insert_for(engine, StageEventRow.__table__)
        .on_conflict_do_nothing(index_elements=["workflow_id", "sequence"])
        .returning(StageEventRow.__table__.c.sequence)
    )
    with engine.begin() as conn:
        return len(conn.execute(stmt, rows).all())


def _event(r: StageEventRow) -> TimingEvent:
    return TimingEvent.model_validate(
        {
            "workflow_id": r.workflow_id,
            "sequence": r.sequence,
            "type": r.type,
            "stage": r.stage,
            "attempt": r.attempt,
            "at": r.at,
            "waits_on": r.waits_on,
            "product": r.product,
            "actor": r.actor,
            "team": r.team,
            "outcome": r.outcome,
            "channel": r.channel,
            "detail": r.detail,
        }
    )


def events_for(url: str, workflow_id: str) -> list[TimingEvent]:
    """A journey's stored events in sequence order."""
    with Session(ready(url)) as s:
        rows = s.scalars(
            select(StageEventRow)
            .where(StageEventRow.workflow_id == workflow_id)
            .order_by(StageEventRow.sequence)
        )
        return [_event(r) for r in rows]


def record_new_events(url: str, events: Iterable[TimingEvent]) -> list[TimingEvent]:
    """Like `record_events`, but return the events this call really inserted.

    Events a retry or a replay finds already stored are left out, so whoever counts the
    result (the worker's metrics) counts each event once.
    """
    batch = list(events)
    if not batch:
        return []
    engine = ready(url)
    table = StageEventRow.__table__
    stmt = (
        insert_for(engine, table)
        .on_conflict_do_nothing(index_elements=["workflow_id", "sequence"])
        .returning(table.c.workflow_id, table.c.sequence)
    )
    with engine.begin() as conn:
        fresh = {(r.workflow_id, r.sequence) for r in conn.execute(stmt, [_row(e) for e in batch])}
    return [e for e in batch if (e.workflow_id, e.sequence) in fresh]


def reached(url: str, stage: Stage, workflow_ids: Iterable[str]) -> set[str]:
    """Which of these journeys have entered `stage` (one query, however many journeys)."""
    ids = list(workflow_ids)
    if not ids:
        return set()
    with Session(ready(url)) as s:
        return set(
            s.scalars(
                select(StageEventRow.workflow_id)
                .where(StageEventRow.workflow_id.in_(ids))
                .where(StageEventRow.stage == stage.value)
                .where(StageEventRow.type == EventType.ENTERED.value)
                .distinct()
            )
        )
