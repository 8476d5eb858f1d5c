"""The journey report, aggregated in SQL: stage durations, waiting split, SLA rates, funnel.

Every figure is computed by the database over the spans (store/spans.py), materialised once
per report in a temporary table; stage figures and percentiles come from store/stage_stats.py.
Python only sorts the few result rows and picks the bottleneck among them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Table, case, func, literal, or_, select

from journey.stages import ORDER, Party, Stage
from store.db import ready
from store.holders import held_table, held_waits, to_payout, waiting_on_whom
from store.ledger import booked_by_journey
from store.models import StageEventRow as E
from store.report_models import (
    ALL_PRODUCTS,
    APPLICATION_PATH,
    UNASSIGNED,
    Bottleneck,
    FunnelRow,
    Held,
    Holder,
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
from store.stage_stats import stage_stats, waited_on
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


# a journey's last visit of a stage says how it left the stage: forward, back, or an end
_ADVANCED, _SENT_BACK, _IN_STAGE = 1, 2, 3
_ENDS = {state: 4 + i for i, state in enumerate(TERMINAL_STATES)}
_CODES = 16  # > every code: max(attempt * _CODES + code) is the last attempt's code


def _funnel(conn: Connection, sp: Table) -> list[FunnelRow]:
    """Each journey counted once per stage it reached, by how its last visit left it, so
    reached = advanced + sent back + the ends + in stage. One grouped pass picks each
    journey's last attempt of a stage with its code, as max(attempt * _CODES + code)."""
    c = sp.c
    rank = case(_RANK, value=c.outcome)
    code = case(
        (or_(c.exited_at.is_(None), c.outcome == c.stage), _IN_STAGE),  # a retry goes on
        *((c.outcome == state, value) for state, value in _ENDS.items()),
        (rank > case(_RANK, value=c.stage), _ADVANCED),
        else_=_SENT_BACK,
    )
    last = (
        select(c.stage, (func.max(c.attempt * _CODES + code) % _CODES).label("code"))
        .where(c.stage.not_in(TERMINAL_STATES))
        .group_by(c.workflow_id, c.stage)
        .subquery("last_visits")
    )

    def journeys(value: int) -> Any:
        return func.coalesce(func.sum(case((last.c.code == value, 1), else_=0)), 0)

    query = select(
        last.c.stage,
        func.count().label("reached"),
        journeys(_ADVANCED).label("advanced"),
        journeys(_SENT_BACK).label("sent_back"),
        *(journeys(value).label(state) for state, value in _ENDS.items()),
        journeys(_IN_STAGE).label("in_stage"),
    ).group_by(last.c.stage)
    rows = [FunnelRow.model_validate(dict(r)) for r in conn.execute(query).mappings()]
    return sorted(rows, key=lambda f: _stage_order(f.stage))


def _slowest(conn: Connection, sp: Table, limit: int, now: datetime) -> list[SlowJourney]:
    """The journeys longest on the application path: to the payout, or for those not paid
    out, to their end, or to `now` while they run (a case stuck for weeks is among the
    slowest, its wait on the party the stage waits on). Post-loan is left out."""
    c = sp.c
    on_path = c.stage.in_(APPLICATION_PATH)
    until_now = literal(now, UTCDateTime())

    def path(value: Any) -> Any:  # the value on the application path, NULL after it
        return case((on_path, value))

    last = func.max(path(func.coalesce(c.exited_at, until_now)))
    elapsed = seconds_between(func.min(path(c.entered_at)), last)
    query = (
        select(
            c.workflow_id,
            func.max(c.product).label("product"),
            func.min(path(c.entered_at)).label("started_at"),
            last.label("last_at"),
            elapsed.label("elapsed_seconds"),
            *(
                func.coalesce(func.sum(path(case((c.waits_on == p.value, c.seconds)))), 0.0)
                .label(f"{p.value}_seconds")
                for p in (Party.CUSTOMER, Party.BANK)
            ),
            (func.count(path(1)) - func.coalesce(func.sum(path(c.continues)), 0)).label(
                "stages"
            ),  # stage visits: a drawdown's two waits are one
            func.coalesce(func.sum(path(c.breached)), 0).label("breaches"),
            func.max(case((c.outcome.in_(TERMINAL_STATES), c.outcome))).label("final"),
            func.max(case((c.stage == Stage.POST_LOAN.value, 1), else_=0)).label("paid_out"),
        )
        .group_by(c.workflow_id)
        .having(func.count(path(1)) > 0)
        .order_by(elapsed.desc(), c.workflow_id)
        .limit(limit)
    )
    return [SlowJourney.model_validate(dict(r)) for r in conn.execute(query).mappings()]


def _paid(sp: Table) -> Any:
    """The ids of the journeys paid out (they reached post-loan)."""
    return select(sp.c.workflow_id).where(sp.c.stage == Stage.POST_LOAN.value)


def _to_payout(conn: Connection, sp: Table) -> list[StageStats]:
    """The time per application-path stage of the journeys paid out, split by whom they
    waited on: what "the time to payout" is shared out from."""
    c = sp.c
    query = (
        select(
            c.stage,
            func.coalesce(func.sum(c.seconds), 0.0).label("total_seconds"),
            waited_on(c, Party.CUSTOMER).label("customer_seconds"),
            waited_on(c, Party.BANK).label("bank_seconds"),
        )
        .where(c.stage.in_(APPLICATION_PATH), c.workflow_id.in_(_paid(sp)))
        .group_by(c.stage)
    )
    stages = [
        StageStats(product=ALL_PRODUCTS, count=0, completed=0, **dict(r._mapping))
        for r in conn.execute(query)
    ]
    return stages


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


def _on_whom(holders: list[Holder], bank_seconds: float) -> tuple[str, str | None, str]:
    """Of a stage's wait on the bank, the team that held the most and, when one person held
    most of that, the person; and how the bottleneck says so."""
    teams: dict[str, float] = {}
    for h in holders:
        teams[h.team] = teams.get(h.team, 0.0) + h.total_seconds
    team = max(teams, key=lambda t: (teams[t], t))
    says = f": team {team} held {teams[team] / bank_seconds:.0%} of that" if bank_seconds else (
        f": team {team}")
    people = [h for h in holders if h.team == team and h.person != UNASSIGNED]
    top = max(people, key=lambda h: h.total_seconds, default=None)
    held = top.total_seconds / teams[team] if top is not None and teams[team] else 0.0
    if top is None or held <= 0.5:
        return team, None, says
    return team, top.person, f"{says}, {top.person} {held:.0%} of the team's"


def bottleneck(
    paid: list[StageStats], totals: list[StageStats], paid_out: int,
    holders: dict[str, list[Holder]] | None = None,
) -> Bottleneck | None:
    """The application-path stage where the journeys paid out spent the most of their time
    to payout, and why; None when none was paid out. Where it waited on the bank, the team
    and person (`holders`, store/holders.py) who held the most of that wait."""
    grand = sum(s.total_seconds for s in paid)
    if not grand:
        return None
    worst = max(paid, key=lambda s: s.total_seconds)
    share = worst.total_seconds / grand
    customer, bank = worst.customer_seconds, worst.bank_seconds
    party = "customer" if customer >= bank else "bank"
    waiting = max(customer, bank) / worst.total_seconds
    every = next(s for s in totals if s.stage == worst.stage)
    team = person = None
    whom = ""
    held = (holders or {}).get(worst.stage)
    if party == "bank" and held:
        team, person, whom = _on_whom(held, bank)
    reason = (
        f"{worst.stage} holds {share:.0%} of the time to payout of the {paid_out} "
        f"journey(s) paid out, {waiting:.0%} of it waiting on the {party}{whom} (all its "
        f"waits: p50 {human(every.p50)}, p90 {human(every.p90)}, breach rate "
        f"{every.breach_rate:.0%})"
    )
    return Bottleneck(stage=worst.stage, share_of_time=share, reason=reason, team=team,
                      person=person)


def build_report(
    url: str,
    *,
    product: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    slowest: int = SLOWEST,
    now: datetime | None = None,
    held: Held | None = None,
) -> JourneyReport:
    """The journey report over the stored timing events, optionally for one product and
    for the cohort of journeys that started at or after `since` and before `until` (and had
    a wait on the bank `held`'s team or person held), as of `now` (the current time by
    default), up to which the waits still open count."""
    now, held = now or datetime.now(UTC), held or Held()
    with ready(url).connect() as conn:
        events, journeys = conn.execute(
            select(func.count(), func.count(func.distinct(E.workflow_id))).where(
                *event_filters(product, since, until=until, held=held)
            )
        ).one()
        cohort = list(conn.scalars(select(E.workflow_id).distinct().where(
            *event_filters(product, since, until=until, held=held))))
        sp = materialize(conn, spans_select(product, since, until, now, held))
        hw = materialize(conn, select(held_waits(sp)), table=held_table())
        try:
            # funnel and slowest scan the spans; stage_stats then indexes them for its lookups
            funnel = _funnel(conn, sp)
            slow = _slowest(conn, sp, slowest, now)
            timelines = _timelines(conn, sp, [j.workflow_id for j in slow])
            paid = _to_payout(conn, sp)
            paid_holders = to_payout(conn, hw, _paid(sp))
            whom = waiting_on_whom(conn, hw, held)
            per_product, totals = _split(stage_stats(conn, sp))
        finally:
            drop(conn, hw)
            drop(conn, sp)
            conn.rollback()
    paid_out = next((f.reached for f in funnel if f.stage == Stage.POST_LOAN.value), 0)
    lent = booked_by_journey(url, cohort)
    return JourneyReport(
        generated_at=now,
        product=product,
        since=since,
        until=until,
        events=events,
        journeys=journeys,
        stages=per_product,
        stage_totals=totals,
        funnel=funnel,
        slowest=slow,
        timelines=timelines,
        held=held,
        waiting_on_whom=whom,
        paid_out=paid_out,
        lent=sum(lent.values(), Decimal("0.00")),
        lent_to=len(lent),
        bottleneck=bottleneck(paid, totals, paid_out, paid_holders),
    )
