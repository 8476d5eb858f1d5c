"""SQL for stage spans: one row per (journey, stage, attempt), built by one grouped scan.

`seconds_between(a, b)` compiles to julianday arithmetic on SQLite and EXTRACT(EPOCH ...)
on PostgreSQL, so every duration is computed in the database.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Float, Select, case, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from journey.stages import TERMINAL
from journey.timeline import EventType
from store.models import StageEventRow as E

TERMINAL_STATES = tuple(sorted(s.value for s in TERMINAL))


class seconds_between(FunctionElement[float]):  # noqa: N801 (a SQL function)
    """Seconds from timestamp `a` to timestamp `b`, computed by the database."""

    type = Float()
    name = "seconds_between"
    inherit_cache = True


@compiles(seconds_between, "sqlite")
def _seconds_sqlite(element: seconds_between, compiler: Any, **kw: Any) -> str:
    a, b = (compiler.process(c, **kw) for c in element.clauses)
    return f"ROUND((julianday({b}) - julianday({a})) * 86400.0, 3)"


@compiles(seconds_between, "postgresql")
def _seconds_postgresql(element: seconds_between, compiler: Any, **kw: Any) -> str:
    a, b = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(EXTRACT(EPOCH FROM ({b} - {a})) AS DOUBLE PRECISION)"


def event_filters(product: str | None, since: datetime | None) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if product:
        where.append(E.product == product)
    if since:  # a cohort: the journeys that started at or after `since`
        started = select(E.workflow_id).group_by(E.workflow_id).having(func.min(E.at) >= since)
        where.append(E.workflow_id.in_(started))
    return where


def _when(kind: EventType, value: Any) -> Any:
    return case((E.type == kind.value, value))


def _flag(kind: EventType) -> Any:
    return func.max(case((E.type == kind.value, 1), else_=0))


def spans_select(product: str | None = None, since: datetime | None = None) -> Select[Any]:
    """Spans with: product, waits_on, team (of the entered event), actor (of the exit),
    entered_at, exited_at, seconds (NULL while open), outcome (of the exit),
    warned/breached/escalated (0/1)."""
    entered_at = func.min(_when(EventType.ENTERED, E.at))
    exited_at = func.max(_when(EventType.EXITED, E.at))
    return (
        select(
            E.workflow_id,
            E.stage,
            E.attempt,
            func.max(E.product).label("product"),
            func.max(_when(EventType.ENTERED, E.waits_on)).label("waits_on"),
            func.max(_when(EventType.ENTERED, E.team)).label("team"),
            func.max(_when(EventType.EXITED, E.actor)).label("actor"),
            entered_at.label("entered_at"),
            exited_at.label("exited_at"),
            seconds_between(entered_at, exited_at).label("seconds"),
            func.max(_when(EventType.EXITED, E.outcome)).label("outcome"),
            _flag(EventType.SLA_WARNED).label("warned"),
            _flag(EventType.SLA_BREACHED).label("breached"),
            _flag(EventType.ESCALATED).label("escalated"),
        )
        .where(E.type != EventType.TOUCHPOINT.value, *event_filters(product, since))
        .group_by(E.workflow_id, E.stage, E.attempt)
        .having(entered_at.is_not(None))
    )
