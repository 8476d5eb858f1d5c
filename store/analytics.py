"""The journey report, aggregated in SQL: stage durations, waiting split, SLA rates, funnel.

Every figure is computed by the database over the spans (store/spans.py), materialised once
per report in a temporary table; Python
only sorts the few result rows and picks the bottleneck among them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Float, Table, and_, case, cast, func, literal, select

from journey.stages import ORDER, Party
from store.db import ready
from store.models import StageEventRow as E
from store.report_models import (
    ALL_PRODUCTS,
    Bottleneck,
    FunnelRow,
    JourneyReport,
    SlowJourney,
    Span,
    StageStats,
    human,
)
from store.spans import (
    TERMINAL_STATES,
    drop,
    event_filters,
    materialize,
    seconds_between,
    spans_select,
)

SLOWEST = 10
_RANK = {s.value: i for i, s in enumerate(ORDER)}
_PERCENTILES = (25, 50, 75, 90)


def _stage_order(stage: str) -> int:
    return _RANK.get(stage, len(_RANK))


def _seconds_if(c: Any, party: Party) -> Any:
    return func.coalesce(func.sum(case((c.waits_on == party.value, c.seconds))), 0.0)


def _stage_stats(conn: Connection, sp: Table, by_product: bool) -> list[StageStats]:
    keys = [sp.c.stage, sp.c.product] if by_product else [sp.c.stage]
    # completed spans ranked by duration within their group, open spans (NULL) last
    ranked = (
        select(
            *keys,
            *(sp.c[k] for k in ("seconds", "waits_on", "warned", "breached", "escalated")),
            *([] if by_product else [sp.c.product]),
            func.row_number()
            .over(partition_by=keys, order_by=[sp.c.seconds.is_(None), sp.c.seconds])
            .label("rn"),
            func.count(sp.c.seconds).over(partition_by=keys).label("n"),
        )
        .where(sp.c.stage.not_in(TERMINAL_STATES))
        .subquery("ranked")
    )
    r = ranked.c
    group = [r.stage, r.product] if by_product else [r.stage]

    def nearest_rank(p: int) -> Any:  # the smallest duration whose rank reaches p% of n
        return func.min(case((and_(r.seconds.is_not(None), r.rn * 100 >= p * r.n), r.seconds)))

    query = select(
        *group,
        (r.product if by_product else literal(ALL_PRODUCTS)).label("product_label"),
        func.count().label("count"),
        func.count(r.seconds).label("completed"),
        *(nearest_rank(p).label(f"p{p}") for p in _PERCENTILES),
        func.min(r.seconds).label("min"),
        func.max(r.seconds).label("max"),
        func.coalesce(func.sum(r.seconds), 0.0).label("total_seconds"),
        _seconds_if(r, Party.CUSTOMER).label("customer_seconds"),
        _seconds_if(r, Party.BANK).label("bank_seconds"),
        func.avg(cast(r.warned, Float)).label("warning_rate"),
        func.avg(cast(r.breached, Float)).label("breach_rate"),
        func.avg(cast(r.escalated, Float)).label("escalation_rate"),
    ).group_by(*group)
    out = []
    for row in conn.execute(query).mappings():
        total = float(row["total_seconds"])
        out.append(
            StageStats(
                **{k: row[k] for k in ("stage", "count", "completed", "min", "max")},
                **{f"p{p}": row[f"p{p}"] for p in _PERCENTILES},
                product=row["product_label"],
                total_seconds=total,
                customer_seconds=float(row["customer_seconds"]),
                bank_seconds=float(row["bank_seconds"]),
                customer_share=float(row["customer_seconds"]) / total if total else 0.0,
                bank_share=float(row["bank_seconds"]) / total if total else 0.0,
                warning_rate=float(row["warning_rate"] or 0.0),
                breach_rate=float(row["breach_rate"] or 0.0),
                escalation_rate=float(row["escalation_rate"] or 0.0),
            )
        )
    return sorted(out, key=lambda s: (_stage_order(s.stage), s.product))


def _distinct_journeys_if(sp: Table, condition: Any) -> Any:
    return func.count(func.distinct(case((condition, sp.c.workflow_id))))


def _funnel(conn: Connection, sp: Table) -> list[FunnelRow]:
    ended = {state: _distinct_journeys_if(sp, sp.c.outcome == state) for state in TERMINAL_STATES}
    query = (
        select(
            sp.c.stage,
            func.count(func.distinct(sp.c.workflow_id)).label("reached"),
            _distinct_journeys_if(
                sp, and_(sp.c.outcome.is_not(None), sp.c.outcome.not_in(TERMINAL_STATES))
            ).label("advanced"),
            *(column.label(state) for state, column in ended.items()),
            _distinct_journeys_if(sp, sp.c.exited_at.is_(None)).label("in_stage"),
        )
        .where(sp.c.stage.not_in(TERMINAL_STATES))
        .group_by(sp.c.stage)
    )
    rows = [FunnelRow.model_validate(dict(r)) for r in conn.execute(query).mappings()]
    return sorted(rows, key=lambda f: _stage_order(f.stage))


def _slowest(conn: Connection, sp: Table, limit: int) -> list[SlowJourney]:
    last = func.max(func.coalesce(sp.c.exited_at, sp.c.entered_at))
    elapsed = seconds_between(func.min(sp.c.entered_at), last)
    query = (
        select(
            sp.c.workflow_id,
            func.max(sp.c.product).label("product"),
            func.min(sp.c.entered_at).label("started_at"),
            last.label("last_at"),
            elapsed.label("elapsed_seconds"),
            _seconds_if(sp.c, Party.CUSTOMER).label("customer_seconds"),
            _seconds_if(sp.c, Party.BANK).label("bank_seconds"),
            func.count().label("stages"),
            func.sum(sp.c.breached).label("breaches"),
            func.max(case((sp.c.outcome.in_(TERMINAL_STATES), sp.c.outcome))).label("final"),
        )
        .group_by(sp.c.workflow_id)
        .order_by(elapsed.desc(), sp.c.workflow_id)
        .limit(limit)
    )
    return [SlowJourney.model_validate(dict(r)) for r in conn.execute(query).mappings()]


def _timelines(conn: Connection, sp: Table, workflow_ids: list[str]) -> list[Span]:
    if not workflow_ids:
        return []
    query = (
        select(
            sp.c.workflow_id,
            sp.c.stage,
            sp.c.attempt,
            sp.c.waits_on,
            sp.c.entered_at,
            sp.c.exited_at,
            sp.c.seconds,
            sp.c.breached,
        )
        .where(sp.c.workflow_id.in_(workflow_ids), sp.c.stage.not_in(TERMINAL_STATES))
        .order_by(sp.c.workflow_id, sp.c.entered_at)
    )
    return [Span.model_validate(dict(r)) for r in conn.execute(query).mappings()]


def bottleneck(totals: list[StageStats]) -> Bottleneck | None:
    """The stage where journeys spend the most time, and why it stands out."""
    grand = sum(s.total_seconds for s in totals)
    if not grand:
        return None
    worst = max(totals, key=lambda s: (s.total_seconds, s.breach_rate))
    share = worst.total_seconds / grand
    party = "customer" if worst.customer_share >= worst.bank_share else "bank"
    waiting = max(worst.customer_share, worst.bank_share)
    reason = (
        f"{worst.stage} holds {share:.0%} of all stage time (p50 {human(worst.p50)}, "
        f"p90 {human(worst.p90)}, breach rate {worst.breach_rate:.0%}), "
        f"{waiting:.0%} of it waiting on the {party}"
    )
    return Bottleneck(stage=worst.stage, share_of_time=share, reason=reason)


def build_report(
    url: str,
    *,
    product: str | None = None,
    since: datetime | None = None,
    slowest: int = SLOWEST,
) -> JourneyReport:
    """The journey report over the stored timing events, optionally for one product and
    for the cohort of journeys that started at or after `since`."""
    with ready(url).connect() as conn:
        sp = materialize(conn, spans_select(product, since))
        try:
            totals = _stage_stats(conn, sp, by_product=False)
            counts = conn.execute(
                select(func.count(), func.count(func.distinct(E.workflow_id))).where(
                    *event_filters(product, since)
                )
            ).one()
            slow = _slowest(conn, sp, slowest)
            return JourneyReport(
                generated_at=datetime.now(UTC),
                product=product,
                since=since,
                events=counts[0],
                journeys=counts[1],
                stages=_stage_stats(conn, sp, by_product=True),
                stage_totals=totals,
                funnel=_funnel(conn, sp),
                slowest=slow,
                timelines=_timelines(conn, sp, [j.workflow_id for j in slow]),
                bottleneck=bottleneck(totals),
            )
        finally:
            drop(conn, sp)
            conn.rollback()
