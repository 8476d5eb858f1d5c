"""The journey report, aggregated in SQL: stage durations, waiting split, SLA rates, funnel.

Every figure is computed by the database over the spans (store/spans.py), materialised once
per report in a temporary table; stage figures and percentiles come from store/stage_stats.py.
Python only sorts the few result rows and picks the bottleneck among them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Table, and_, case, func, literal, select

from journey.stages import ORDER, Party
from store.db import ready
from store.models import StageEventRow as E
from store.report_models import (
    ALL_PRODUCTS,
    APPLICATION_PATH,
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
from store.stage_stats import stage_stats
from store.types import UTCDateTime

SLOWEST = 10
_RANK = {s.value: i for i, s in enumerate(ORDER)}


def _stage_order(stage: str) -> int:
    return _RANK.get(stage, len(_RANK))


def _split(stats: list[StageStats]) -> tuple[list[StageStats], list[StageStats]]:
    """(per stage and product, per stage), in journey order."""
    ordered = sorted(stats, key=lambda s: (_stage_order(s.stage), s.product))
    return (
        [s for s in ordered if s.product != ALL_PRODUCTS],
        [s for s in ordered if s.product == ALL_PRODUCTS],
    )


def _distinct_journeys_if(sp: Table, condition: Any) -> Any:
    return func.count(func.distinct(case((condition, sp.c.workflow_id))))


def _funnel(conn: Connection, sp: Table) -> list[FunnelRow]:
    c = sp.c

    def spans_where(condition: Any) -> Any:  # a journey ends once, and is open once per stage
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    moved_on = and_(c.outcome.is_not(None), c.outcome.not_in(TERMINAL_STATES), c.outcome != c.stage)
    query = (
        select(
            c.stage,
            func.count(func.distinct(c.workflow_id)).label("reached"),
            _distinct_journeys_if(sp, moved_on).label("advanced"),
            *(spans_where(c.outcome == state).label(state) for state in TERMINAL_STATES),
            spans_where(c.exited_at.is_(None)).label("in_stage"),
        )
        .where(c.stage.not_in(TERMINAL_STATES))
        .group_by(c.stage)
    )
    rows = [FunnelRow.model_validate(dict(r)) for r in conn.execute(query).mappings()]
    return sorted(rows, key=lambda f: _stage_order(f.stage))


def _slowest(conn: Connection, sp: Table, limit: int, now: datetime) -> list[SlowJourney]:
    """The journeys longest on the application path; a stage still open counts up to `now`
    (a case stuck for weeks is among the slowest, its wait on the party the stage waits on)."""
    c = sp.c
    on_path = c.stage.in_(APPLICATION_PATH)
    until_now = literal(now, UTCDateTime())

    def path(value: Any) -> Any:  # the value on the application path, NULL after it
        return case((on_path, value))

    last = func.max(path(func.coalesce(c.exited_at, until_now)))
    seconds = func.coalesce(c.seconds, seconds_between(c.entered_at, until_now))
    elapsed = seconds_between(func.min(path(c.entered_at)), last)
    query = (
        select(
            c.workflow_id,
            func.max(c.product).label("product"),
            func.min(path(c.entered_at)).label("started_at"),
            last.label("last_at"),
            elapsed.label("elapsed_seconds"),
            *(
                func.coalesce(func.sum(path(case((c.waits_on == p.value, seconds)))), 0.0).label(
                    f"{p.value}_seconds"
                )
                for p in (Party.CUSTOMER, Party.BANK)
            ),
            (func.count(path(1)) - func.coalesce(func.sum(path(c.continues)), 0)).label(
                "stages"
            ),  # stage visits: a drawdown's two waits are one
            func.coalesce(func.sum(path(c.breached)), 0).label("breaches"),
            func.max(case((c.outcome.in_(TERMINAL_STATES), c.outcome))).label("final"),
        )
        .group_by(c.workflow_id)
        .having(func.count(path(1)) > 0)
        .order_by(elapsed.desc(), c.workflow_id)
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
        .where(sp.c.workflow_id.in_(workflow_ids), sp.c.stage.in_(APPLICATION_PATH))
        .order_by(sp.c.workflow_id, sp.c.entered_at)
    )
    return [Span.model_validate(dict(r)) for r in conn.execute(query).mappings()]


def bottleneck(totals: list[StageStats]) -> Bottleneck | None:
    """The application-path stage where journeys spend the most time, and why."""
    totals = [s for s in totals if s.stage in APPLICATION_PATH]
    grand = sum(s.total_seconds for s in totals)
    if not grand:
        return None
    worst = max(totals, key=lambda s: (s.total_seconds, s.breach_rate))
    share = worst.total_seconds / grand
    party = "customer" if worst.customer_share >= worst.bank_share else "bank"
    waiting = max(worst.customer_share, worst.bank_share)
    reason = (
        f"{worst.stage} holds {share:.0%} of the time to payout (p50 {human(worst.p50)}, "
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
    now: datetime | None = None,
) -> JourneyReport:
    """The journey report over the stored timing events, optionally for one product and
    for the cohort of journeys that started at or after `since`, as of `now` (the current
    time by default), up to which the stages still open count."""
    now = now or datetime.now(UTC)
    with ready(url).connect() as conn:
        events, journeys = conn.execute(
            select(func.count(), func.count(func.distinct(E.workflow_id))).where(
                *event_filters(product, since)
            )
        ).one()
        sp = materialize(conn, spans_select(product, since))
        try:
            # funnel and slowest scan the spans; stage_stats then indexes them for its lookups
            funnel = _funnel(conn, sp)
            slow = _slowest(conn, sp, slowest, now)
            timelines = _timelines(conn, sp, [j.workflow_id for j in slow])
            per_product, totals = _split(stage_stats(conn, sp))
        finally:
            drop(conn, sp)
            conn.rollback()
    return JourneyReport(
        generated_at=now,
        product=product,
        since=since,
        events=events,
        journeys=journeys,
        stages=per_product,
        stage_totals=totals,
        funnel=funnel,
        slowest=slow,
        timelines=timelines,
        bottleneck=bottleneck(totals),
    )
