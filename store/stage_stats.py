"""Per-stage figures over the materialised spans.

On SQLite, in three SQL statements:
1. Two indexes on the temporary spans table: (stage, product, seconds, ...) covering the
   grouped figures, and (stage, seconds). Building them is the one sort the report needs.
2. One grouped scan per (stage, product), rolled up per stage in the same statement.
3. Nearest-rank percentiles as index lookups: the duration at rank ceil(p/100 * n) is
   `ORDER BY seconds LIMIT 1 OFFSET rank-1` within the group, which walks the index and sorts
   nothing. All lookups go in one statement, one scalar subquery each.

At a million events on SQLite this took 2-3 s where ROW_NUMBER()/COUNT() windows took 9 s:
the windows sort the spans once per window and grouping (bench/RESULTS.md).

On PostgreSQL, in one: GROUPING SETS ((stage, product), (stage)) with percentile_disc, which
is the nearest rank; OFFSET there fetches every skipped row from the heap.
"""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy import Connection, Table, case, func, literal, select, tuple_, union_all

from journey.stages import Party
from store.report_models import ALL_PRODUCTS, StageStats
from store.spans import TERMINAL_STATES

PERCENTILES = (25, 50, 75, 90)
_SUMS = ("spans", "completed", "measured", "total", "customer", "bank", "warned", "breached",
         "escalated", "early_warned", "continued")


def _index(conn: Connection, sp: Table) -> None:
    name = sp.name
    conn.exec_driver_sql(
        f"CREATE INDEX {name}_by_product ON {name} "
        "(stage, product, seconds, waits_on, warned, breached, escalated, early_warned, continues, "
        "exited_at)"
    )
    conn.exec_driver_sql(f"CREATE INDEX {name}_by_stage ON {name} (stage, seconds)")


def waited_on(c: Any, party: Party) -> Any:
    """The seconds of the spans `c` that waited on `party`, summed (0 without any)."""
    return func.coalesce(func.sum(case((c.waits_on == party.value, c.seconds))), 0.0)


def _figures(c: Any) -> list[Any]:
    return [
        func.count().label("spans"),
        func.count(c.exited_at).label("completed"),
        func.count(c.seconds).label("measured"),  # all, when the open ones count up to now
        func.min(c.seconds).label("min"),
        func.max(c.seconds).label("max"),
        func.coalesce(func.sum(c.seconds), 0.0).label("total"),
        waited_on(c, Party.CUSTOMER).label("customer"),
        waited_on(c, Party.BANK).label("bank"),
        func.sum(c.warned).label("warned"),
        func.sum(c.breached).label("breached"),
        func.sum(c.escalated).label("escalated"),
        func.sum(c.early_warned).label("early_warned"),
        func.sum(c.continues).label("continued"),  # spans that go on with a visit
    ]


def _grouped(sp: Table) -> Any:
    """SQLite: per (stage, product), rolled up per stage in the same statement."""
    c = sp.c
    per_product = (
        select(c.stage, c.product, *_figures(c))
        .where(c.stage.not_in(TERMINAL_STATES))
        .group_by(c.stage, c.product)
        .cte("per_product")
    )
    g = per_product.c
    per_stage = select(
        g.stage,
        literal(ALL_PRODUCTS).label("product"),
        *(func.sum(g[k]).label(k) for k in _SUMS[:2]),
        func.min(g.min).label("min"),
        func.max(g.max).label("max"),
        *(func.sum(g[k]).label(k) for k in _SUMS[2:]),
    ).group_by(g.stage)
    columns = ["stage", "product", "spans", "completed", "min", "max", *_SUMS[2:]]
    return union_all(select(*(g[k] for k in columns)), per_stage)


def _grouped_with_percentiles(sp: Table) -> Any:
    """PostgreSQL: one pass with GROUPING SETS; percentile_disc is the nearest rank."""
    c = sp.c
    return (
        select(
            c.stage,
            case((func.grouping(c.product) == 1, literal(ALL_PRODUCTS)), else_=c.product).label(
                "product"
            ),
            *_figures(c),
            *(
                func.percentile_disc(p / 100).within_group(c.seconds).label(f"p{p}")
                for p in PERCENTILES
            ),
        )
        .where(c.stage.not_in(TERMINAL_STATES))
        .group_by(func.grouping_sets(tuple_(c.stage, c.product), tuple_(c.stage)))
    )


def _rank_lookup(sp: Table, stage: str, product: str, offset: int) -> Any:
    c = sp.c
    where = [c.stage == stage, c.seconds.is_not(None)]
    if product != ALL_PRODUCTS:
        where.append(c.product == product)
    return (
        select(c.seconds).where(*where).order_by(c.seconds).limit(1).offset(offset)
    ).scalar_subquery()


def _percentiles(conn: Connection, sp: Table, groups: list[Any]) -> dict[tuple[str, str, int], Any]:
    wanted = [
        (g.stage, g.product, p, math.ceil(p * g.measured / 100) - 1)
        for g in groups
        if g.measured
        for p in PERCENTILES
    ]
    if not wanted:
        return {}
    lookups = [
        _rank_lookup(sp, s, prod, k).label(f"q{i}") for i, (s, prod, _, k) in enumerate(wanted)
    ]
    row = conn.execute(select(*lookups)).one()
    return {(s, prod, p): row[i] for i, (s, prod, p, _) in enumerate(wanted)}


def stage_stats(conn: Connection, sp: Table) -> list[StageStats]:
    """Figures per (stage, product) and per stage (product ALL_PRODUCTS)."""
    if conn.dialect.name == "postgresql":
        # index lookups would fetch every skipped heap row there: sort once per group instead
        groups = list(conn.execute(_grouped_with_percentiles(sp)))
        pct = {(g.stage, g.product, p): getattr(g, f"p{p}") for g in groups for p in PERCENTILES}
    else:
        _index(conn, sp)
        groups = list(conn.execute(_grouped(sp)))
        pct = _percentiles(conn, sp, groups)
    out = []
    for g in groups:
        total = float(g.total)
        continued = int(g.continued)  # each follows a completed span of its visit
        out.append(
            StageStats(
                stage=g.stage,
                product=g.product,
                count=g.spans - continued,
                completed=g.completed - continued,
                waits=g.spans,
                waits_completed=g.completed,
                min=g.min,
                max=g.max,
                **{f"p{p}": pct.get((g.stage, g.product, p)) for p in PERCENTILES},
                total_seconds=total,
                customer_seconds=float(g.customer),
                bank_seconds=float(g.bank),
                customer_share=float(g.customer) / total if total else 0.0,
                bank_share=float(g.bank) / total if total else 0.0,
                warning_rate=int(g.warned) / g.spans,
                breach_rate=int(g.breached) / g.spans,
                escalation_rate=int(g.escalated) / g.spans,
                early_warning_rate=int(g.early_warned) / g.spans,
            )
        )
    return out
