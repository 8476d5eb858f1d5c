"""The human side of the journey map, aggregated in SQL: satisfaction per stage, touchpoints
per stage and channel, pain points, complaint categories, and waiting time against score.

Feedback rows (store/feedback.py) are about a stage; waiting time is a journey's time in that
stage (its spans summed, store/spans.py; an open one up to the report's time; an end such
as rejected is none), so a customer who went through completeness twice waited both times.
A stage's pain is over the waits of the customers who rated it, not of every journey.
Python only ranks the few result rows and turns the SQL sums into Pearson's r.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Float, and_, case, cast, func, select
from sqlalchemy.orm import aliased

from journey.stages import ORDER, Party
from journey.timeline import EventType
from journey.touchpoints import ScoreKind
from store.analytics import SLOWEST, build_report
from store.db import ready
from store.feedback import FeedbackRow as F
from store.models import StageEventRow as E
from store.report_models import (
    UNKNOWN_CHANNEL,
    ChannelCount,
    ComplaintCount,
    Held,
    JourneyReport,
    PainPoint,
    StageSatisfaction,
    TouchpointReport,
    WaitScore,
)
from store.spans import TERMINAL_STATES, event_filters, spans_select
from store.stage_stats import waited_on

H = 3600.0
DRAWDOWN = "drawdown"  # a drawdown's steps' detail: "drawdown <tranche> <step>" (drawdowns.py)
MAX_POINTS = 500  # per stage, for the scatter chart
CSAT_TOP = 5
_RANK = {s.value: i for i, s in enumerate(ORDER)}
_CSAT, _NPS = F.kind == ScoreKind.CSAT.value, F.kind == ScoreKind.NPS.value


def _order(stage: str) -> int:
    return _RANK.get(stage, len(_RANK))


def _latest_score() -> Any:
    """One score of a kind counts per stage visit, the latest given: a complaint's score,
    or feedback after the journey ended, replaces what the customer said before."""
    later = aliased(F)
    return F.sequence == (
        select(func.max(later.sequence))
        .where(later.workflow_id == F.workflow_id, later.stage == F.stage,
               later.attempt == F.attempt, later.kind == F.kind)
        .scalar_subquery()
    )


def _satisfaction(conn: Connection, where: list[Any]) -> list[StageSatisfaction]:
    def count_if(condition: Any) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    query = (
        select(
            F.stage,
            count_if(_CSAT).label("csat_n"),
            func.avg(case((_CSAT, cast(F.score, Float)))).label("csat_avg"),
            count_if(_NPS).label("nps_n"),
            count_if(and_(_NPS, F.score >= 9)).label("promoters"),
            count_if(and_(_NPS, F.score <= 6)).label("detractors"),
        )
        .where(*where, _latest_score())
        .group_by(F.stage)
    )
    rows = [
        StageSatisfaction(
            stage=r.stage,
            csat_n=r.csat_n,
            csat_avg=None if r.csat_avg is None else float(r.csat_avg),
            nps_n=r.nps_n,
            nps=100.0 * (r.promoters - r.detractors) / r.nps_n if r.nps_n else None,
        )
        for r in conn.execute(query)
    ]
    return sorted(rows, key=lambda s: _order(s.stage))


def _asked_through() -> Any:
    """A drawdown's step stored before it carried the channel: that of the request it answers,
    in the customer's wait which the bank's wait, the step's, continues (store/spans.py)."""
    asked = aliased(E)
    request = (
        select(func.max(asked.channel))
        .where(asked.workflow_id == E.workflow_id, asked.stage == E.stage,
               asked.attempt == E.attempt - 1, asked.type == EventType.TOUCHPOINT.value,
               asked.detail.like(f"{DRAWDOWN} %"))
        .scalar_subquery()
    )
    return case((E.detail.like(f"{DRAWDOWN} %"), request))


def _channels(
    conn: Connection, product: str | None, since: datetime | None, until: datetime | None,
    held: Held,
) -> list[ChannelCount]:
    channel = func.coalesce(E.channel, _asked_through(), UNKNOWN_CHANNEL)
    touched = (
        select(E.stage, channel.label("channel"))
        .where(E.type == EventType.TOUCHPOINT.value,
               *event_filters(product, since, until=until, held=held))
        .subquery("touched")
    )
    t = touched.c
    query = select(t.stage, t.channel, func.count().label("touchpoints")).group_by(
        t.stage, t.channel
    )
    rows = [ChannelCount.model_validate(dict(r)) for r in conn.execute(query).mappings()]
    return sorted(rows, key=lambda c: (_order(c.stage), -c.touchpoints, c.channel))


def _waits(
    product: str | None, since: datetime | None, until: datetime | None, now: datetime,
    held: Held,
) -> Any:
    """(workflow_id, stage, wait, customer): a journey's seconds in each stage, an open wait
    counted up to `now`, and of them those it waited on the customer. An end (rejected,
    withdrawn, ...) is no wait: a journey stays in it for good, so it would grow with `now`
    and top the pain ranking; it has no row."""
    sp = spans_select(product, since, until, now, held).subquery("sp")
    return (
        select(
            sp.c.workflow_id,
            sp.c.stage,
            func.sum(sp.c.seconds).label("wait"),
            waited_on(sp.c, Party.CUSTOMER).label("customer"),
        )
        .where(sp.c.stage.not_in(TERMINAL_STATES))
        .group_by(sp.c.workflow_id, sp.c.stage)
        .subquery("waits")
    )


def _raters(where: list[Any]) -> Any:
    """(workflow_id, stage): the journeys whose customer rated the stage (CSAT)."""
    return select(F.workflow_id, F.stage).where(_CSAT, *where).distinct().subquery("raters")


def _pain_points(
    conn: Connection, waits: Any, where: list[Any], satisfaction: list[StageSatisfaction]
) -> list[PainPoint]:
    raters = _raters(where)
    w = waits.c
    query = (
        select(
            w.stage,
            func.avg(w.wait).label("avg_wait"),
            func.sum(w.wait).label("wait"),
            func.sum(w.customer).label("customer"),
        )
        .join_from(
            waits, raters, and_(w.workflow_id == raters.c.workflow_id, w.stage == raters.c.stage)
        )
        .group_by(w.stage)
    )
    waited = {r.stage: r for r in conn.execute(query)}
    points = [
        PainPoint(
            stage=s.stage,
            avg_wait_seconds=float(waited[s.stage].avg_wait),
            customer_share=float(waited[s.stage].customer) / float(waited[s.stage].wait)
            if waited[s.stage].wait
            else 0.0,
            csat_avg=s.csat_avg,
            csat_n=s.csat_n,
            pain=float(waited[s.stage].avg_wait) / H * (CSAT_TOP - s.csat_avg),
        )
        for s in satisfaction
        if s.csat_avg is not None and s.stage in waited
    ]
    return sorted(points, key=lambda p: (-p.pain, _order(p.stage)))


def _complaints(conn: Connection, where: list[Any]) -> list[ComplaintCount]:
    query = (
        select(F.stage, F.category, func.count().label("complaints"))
        .where(F.category.is_not(None), *where)
        .group_by(F.stage, F.category)
    )
    rows = [ComplaintCount.model_validate(dict(r)) for r in conn.execute(query).mappings()]
    return sorted(rows, key=lambda c: (_order(c.stage), -c.complaints, c.category))


def _pearson(n: int, sx: float, sy: float, sxy: float, sxx: float, syy: float) -> float | None:
    if n < 3:
        return None
    spread = (n * sxx - sx * sx) * (n * syy - sy * sy)
    if spread <= 1e-12:
        return None
    return (n * sxy - sx * sy) / math.sqrt(spread)


def _wait_vs_score(conn: Connection, waits: Any, where: list[Any]) -> list[WaitScore]:
    scores = (
        select(F.workflow_id, F.stage, func.avg(cast(F.score, Float)).label("score"))
        .where(_CSAT, *where)
        .group_by(F.workflow_id, F.stage)
        .subquery("scores")
    )
    pairs = (
        select(waits.c.stage, (waits.c.wait / H).label("x"), scores.c.score.label("y"))
        .join_from(
            waits,
            scores,
            and_(waits.c.workflow_id == scores.c.workflow_id, waits.c.stage == scores.c.stage),
        )
        .subquery("pairs")
    )
    x, y = pairs.c.x, pairs.c.y
    sums = select(
        pairs.c.stage,
        func.count().label("n"),
        *(func.sum(v).label(k) for k, v in (("sx", x), ("sy", y), ("sxy", x * y))),
        *(func.sum(v).label(k) for k, v in (("sxx", x * x), ("syy", y * y))),
    ).group_by(pairs.c.stage)
    result: dict[str, WaitScore] = {}
    for r in conn.execute(sums):
        figures = (float(r.sx), float(r.sy), float(r.sxy), float(r.sxx), float(r.syy))
        result[r.stage] = WaitScore(stage=r.stage, n=r.n, correlation=_pearson(r.n, *figures))
    for r in conn.execute(select(pairs).order_by(pairs.c.stage, x, y)):
        points = result[r.stage].points
        if len(points) < MAX_POINTS:
            points.append((float(r.x), float(r.y)))
    return sorted(result.values(), key=lambda w: _order(w.stage))


def build_touchpoints(
    url: str,
    *,
    product: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    now: datetime | None = None,
    held: Held | None = None,
) -> TouchpointReport:
    """The touchpoint figures over the stored feedback and timing events, for one product
    and the cohort of journeys started at or after `since` and before `until` when given,
    as of `now` (the current time by default), up to which the waits still open count."""
    now, held = now or datetime.now(UTC), held or Held()
    where = event_filters(product, since, F, until, held)
    with ready(url).connect() as conn:
        satisfaction = _satisfaction(conn, where)
        channels = _channels(conn, product, since, until, held)
        waits = _waits(product, since, until, now, held)
        pain = _pain_points(conn, waits, where, satisfaction)
        complaints = _complaints(conn, where)
        wait_score = _wait_vs_score(conn, waits, where)
    return TouchpointReport(
        touchpoints=sum(c.touchpoints for c in channels),
        feedback=sum(s.csat_n + s.nps_n for s in satisfaction),
        complaints=sum(c.complaints for c in complaints),
        satisfaction=satisfaction,
        channels=channels,
        pain_points=pain,
        complaint_categories=complaints,
        wait_vs_score=wait_score,
    )


def build_journey_map(
    url: str,
    *,
    product: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    slowest: int = SLOWEST,
    now: datetime | None = None,
    held: Held | None = None,
) -> JourneyReport:
    """`store.analytics.build_report` with the touchpoint figures added, both as of `now`."""
    now = now or datetime.now(UTC)
    report = build_report(url, product=product, since=since, until=until, slowest=slowest,
                          now=now, held=held)
    touchpoints = build_touchpoints(url, product=product, since=since, until=until, now=now,
                                    held=held)
    return report.model_copy(update={"touchpoints": touchpoints})
