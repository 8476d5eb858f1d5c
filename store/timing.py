"""Journey timing events in SQL, idempotent by (workflow_id, sequence); with the archive key,
sealed as they are written, in a chain of their own (store/seals.py), so that an actor,
stage, outcome or time changed, or an event inserted or deleted, in the database is reported
(`loan-journey records verify`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from journey.stages import Stage
from journey.timeline import EventType, TimingEvent
from store._dialect import insert_for
from store.db import ready
from store.models import StageEventRow
from store.seals import seal_rows, sealing

IN_ONE = 500  # journeys whose events one query reads


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


def facts(row: StageEventRow) -> list[object]:
    """What a stage event's seal covers: the whole row but the seal, every field the journey
    map, the report and the export show (its journey, stage, entry or exit, actor, team,
    outcome, what it waits on)."""
    return [row.id, row.workflow_id, row.sequence, row.type, row.stage, row.attempt,
            row.at.astimezone(UTC).isoformat(), row.waits_on, row.product, row.actor, row.team,
            row.outcome, row.channel, row.detail]


def record_events(url: str, events: Iterable[TimingEvent], key: bytes | None = None) -> int:
    """Insert the events that are not stored yet, sealed with `key` when given; return how
    many were new (`record_new_events`)."""
    return len(record_new_events(url, events, key))


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


def stored_events(url: str, workflow_ids: Iterable[str]) -> dict[tuple[str, int], TimingEvent]:
    """These journeys' stored events by (workflow_id, sequence), read IN_ONE query at a time."""
    ids = sorted(set(workflow_ids))
    found: dict[tuple[str, int], TimingEvent] = {}
    with Session(ready(url)) as s:
        for at in range(0, len(ids), IN_ONE):
            rows = s.scalars(select(StageEventRow).where(
                StageEventRow.workflow_id.in_(ids[at:at + IN_ONE])))
            found.update({(r.workflow_id, r.sequence): _event(r) for r in rows})
    return found


def stored_numbers(url: str, workflow_ids: Iterable[str]) -> set[tuple[str, int]]:
    """These journeys' stored events' (workflow_id, sequence), read IN_ONE query at a time."""
    ids = sorted(set(workflow_ids))
    found: set[tuple[str, int]] = set()
    with Session(ready(url)) as s:
        for at in range(0, len(ids), IN_ONE):
            rows = s.execute(select(StageEventRow.workflow_id, StageEventRow.sequence)
                             .where(StageEventRow.workflow_id.in_(ids[at:at + IN_ONE])))
            found.update((workflow_id, sequence) for workflow_id, sequence in rows)
    return found


def record_new_events(url: str, events: Iterable[TimingEvent], key: bytes | None = None
                      ) -> list[TimingEvent]:
    """Insert the events that are not stored yet, and return those this call really inserted;
    with `key`, each sealed next in the stage events' chain (store/seals.py), in order.

    A retried or replayed batch inserts nothing twice: rows that collide on
    (workflow_id, sequence) are skipped by the database (ON CONFLICT DO NOTHING), and
    RETURNING reports the rows that were really inserted, so whoever counts the result (the
    worker's metrics) counts each event once.
    """
    batch = list(events)
    if not batch:
        return []
    engine = ready(url)
    table = StageEventRow.__table__
    stmt = (
        insert_for(engine, table)
        .on_conflict_do_nothing(index_elements=["workflow_id", "sequence"])
        .returning(table.c.id, table.c.workflow_id, table.c.sequence)
    )
    rows = [_row(e) for e in batch]
    if key is None:  # no chain to extend: no sealer's lock
        with engine.begin() as conn:
            inserted = conn.execute(stmt, rows).all()
    else:
        with sealing(url, StageEventRow.__tablename__) as s:
            inserted = s.execute(stmt, rows).all()
            seal_rows(s, key, list(s.scalars(
                select(StageEventRow).where(StageEventRow.id.in_([r.id for r in inserted]))
                .order_by(StageEventRow.id))), facts, [StageEventRow.seal])
    fresh = {(r.workflow_id, r.sequence) for r in inserted}
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
