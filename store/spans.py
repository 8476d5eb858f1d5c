"""SQL for stage spans: one row per (journey, stage, attempt) with its entry and exit.

A span is an `entered` event joined to the `exited` event of the same (workflow_id, stage,
attempt) through the span index, plus the SLA flags of that attempt from one grouped pass
over the (few) SLA events. A span is one wait, on one party. A visit of a stage is one span,
or two: a span that waits on the bank continues the visit of the span before it when that
one waited on the customer in the same stage and left into it (`continues` 1). So a
project's drawdown is one visit of disbursement with two waits, on the customer to ask and on
the bank to check, decide and book (workflows/drawdowns.py), each counted once where it
waited. `seconds_between(a, b)` compiles to julianday arithmetic on SQLite and
EXTRACT(EPOCH ...) on PostgreSQL, so every duration is computed in the database.
A report materialises the spans once into a temporary table and aggregates over it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    Float,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    and_,
    case,
    func,
    insert,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import aliased

from journey.stages import TERMINAL, Party
from journey.timeline import EARLY_WARNING, EventType
from store.ended_outside import ENDED_OUTSIDE
from store.holders import held_cohort
from store.models import StageEventRow as E
from store.report_models import Held
from store.seconds_between import seconds_between
from store.types import UTCDateTime

AnySelect = Select[*tuple[Any, ...]]
# the ends a journey records, and the one the archivist records for it (store/ended_outside.py)
TERMINAL_STATES = tuple(sorted([*(s.value for s in TERMINAL), ENDED_OUTSIDE]))
_SLA = (EventType.SLA_WARNED, EventType.SLA_BREACHED, EventType.ESCALATED)


def event_filters(
    product: str | None,
    since: datetime | None,
    e: Any = E,
    until: datetime | None = None,
    held: Held | None = None,
) -> list[Any]:
    """Only `product`; only the cohort of journeys that started at or after `since` and
    before `until`, and had a wait on the bank that `held`'s team or person held."""
    where: list[ColumnElement[bool]] = []
    if product:
        where.append(e.product == product)
    if held is not None and (held.team or held.person):
        where.append(e.workflow_id.in_(held_cohort(held, spans_select().subquery("every_span"))))
    started = [
        *([func.min(E.at) >= since] if since else []),
        *([func.min(E.at) < until] if until else []),
    ]
    if started:
        cohort = select(E.workflow_id).group_by(E.workflow_id).having(*started)
        where.append(e.workflow_id.in_(cohort))
    return where


def _flag(kind: EventType, *also: ColumnElement[bool]) -> Any:
    return func.max(case((and_(E.type == kind.value, *also), 1), else_=0))


def spans_select(
    product: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    now: datetime | None = None,
    held: Held | None = None,
) -> AnySelect:
    """Spans with: product, waits_on, team (of the entered event), actor (of the exit),
    entered_at, exited_at and outcome (NULL while open), seconds (NULL while open, or with
    `now` counted up to it), warned/breached/escalated (0/1: SLA events), early_warned (0/1: a
    loan's early warning, which is no SLA's escalation though stored as an escalated event),
    continues (0/1: the span goes on with the visit of the span before it)."""
    en, ex = aliased(E, name="en"), aliased(E, name="ex")
    end = ex.at if now is None else func.coalesce(ex.at, literal(now, UTCDateTime()))
    asked = aliased(E, name="asked")  # the customer's wait, left into the bank's
    early = E.detail.startswith(EARLY_WARNING)
    sla = (
        select(
            E.workflow_id,
            E.stage,
            E.attempt,
            _flag(EventType.SLA_WARNED).label("warned"),
            _flag(EventType.SLA_BREACHED).label("breached"),
            _flag(EventType.ESCALATED, or_(E.detail.is_(None), ~early)).label("escalated"),
            _flag(EventType.ESCALATED, early).label("early_warned"),
        )
        .where(E.type.in_([k.value for k in _SLA]))
        .group_by(E.workflow_id, E.stage, E.attempt)
        .subquery("sla")
    )

    def same_span(other: Any) -> ColumnElement[bool]:
        return and_(
            other.workflow_id == en.workflow_id,
            other.stage == en.stage,
            other.attempt == en.attempt,
        )

    return (
        select(
            en.workflow_id,
            en.stage,
            en.attempt,
            en.product,
            en.waits_on,
            en.team,
            ex.actor,
            en.at.label("entered_at"),
            ex.at.label("exited_at"),
            seconds_between(en.at, end).label("seconds"),
            ex.outcome,
            *(func.coalesce(sla.c[k], 0).label(k)
              for k in ("warned", "breached", "escalated", "early_warned")),
            case((asked.id.is_not(None), 1), else_=0).label("continues"),
        )
        .select_from(en)
        .outerjoin(ex, and_(same_span(ex), ex.type == EventType.EXITED.value))
        .outerjoin(
            asked,
            and_(
                asked.workflow_id == en.workflow_id,
                asked.stage == en.stage,
                asked.attempt == en.attempt - 1,
                asked.type == EventType.EXITED.value,
                asked.outcome == en.stage,
                asked.waits_on == Party.CUSTOMER.value,
                en.waits_on == Party.BANK.value,
            ),
        )
        .outerjoin(sla, same_span(sla.c))
        .where(en.type == EventType.ENTERED.value,
               *event_filters(product, since, en, until, held))
    )


def _spans_table(name: str) -> Table:
    return Table(
        name,
        MetaData(),
        Column("workflow_id", String(128)),
        Column("stage", String(32)),
        Column("attempt", Integer),
        Column("product", String(32)),
        Column("waits_on", String(16)),
        Column("team", String(64)),
        Column("actor", String(128)),
        Column("entered_at", UTCDateTime),
        Column("exited_at", UTCDateTime),
        Column("seconds", Float),
        Column("outcome", String(32)),
        Column("warned", Integer),
        Column("breached", Integer),
        Column("escalated", Integer),
        Column("early_warned", Integer),
        Column("continues", Integer),
        prefixes=["TEMPORARY"],
    )


def materialize(conn: Connection, query: AnySelect, name: str = "report_spans",
                table: Table | None = None) -> Table:
    """Run the query once into a temporary table of this connection (the spans' `name`,
    unless `table` says another); return it.

    CREATE + INSERT ... SELECT rather than CREATE TABLE AS, so the query keeps its bound
    parameters on every driver.
    """
    table = _spans_table(name) if table is None else table
    table.drop(conn, checkfirst=True)
    table.create(conn)
    conn.execute(insert(table).from_select([c.name for c in table.columns], query))
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"ANALYZE {table.name}")  # autovacuum never sees temporary tables
    return table


def drop(conn: Connection, table: Table) -> None:
    table.drop(conn, checkfirst=True)
