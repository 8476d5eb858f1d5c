"""Whom the bank's waits were on: the team and the person who held each of them.

A wait on the bank (a span with waits_on bank, store/spans.py) was the team's its `entered`
event names (the stage's queue: sme_risk, head_office, operations). It is cut where the stage
was handed over (`assigned` events: `reassign`, an SLA's escalation to the team's supervisor;
before marker assignment-timed, an SLA escalation that reassigned it, whose row names nobody),
and each part is the person's who held it then: up to the first handover nobody's but the
team's, from one on its assignee's; the last part of a wait the bank decided onward is the
decider's, its `exited` event's actor. Where the rows do not say, the holder is UNASSIGNED,
never a guess: a wait entered before its team was recorded, one still open and assigned to
nobody, and one that ended without a bank's decision (the customer withdrew, it expired, the
server ended the journey), whose exit's actor, if any, is not the bank's.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    Float,
    MetaData,
    String,
    Table,
    and_,
    case,
    cast,
    func,
    literal,
    literal_column,
    null,
    or_,
    select,
    union_all,
)

from journey.policy.sla import EscalationAction
from journey.stages import Party, Stage
from journey.timeline import EventType
from store.ended_outside import ENDED_OUTSIDE
from store.models import StageEventRow as E
from store.report_models import ALL_HOLDERS, UNASSIGNED, Held, Holder
from store.seconds_between import seconds_between

# ends nobody at the bank decided: the exit's actor, if any, did not hold the wait
_NOT_DECIDED = (Stage.WITHDRAWN.value, Stage.EXPIRED.value, ENDED_OUTSIDE)
# an SLA escalation that reassigned the wait to the team's supervisor, as its row describes it
# (workflows/bookkeeping.py `_describe`)
_REASSIGNED = f"escalation level % {EscalationAction.REASSIGN_SUPERVISOR.value}"


# inline, not a bound parameter: PostgreSQL matches a grouped expression to the selected one
# by its text, and two parameters of the same value are two texts
_UNASSIGNED = literal_column(f"'{UNASSIGNED}'")


def team_of(team: Any) -> Any:
    """The team a bank's wait was on, from its entered event's `team`."""
    return func.coalesce(team, _UNASSIGNED)


def _handovers() -> Any:
    """Each moment a stage visit was handed over, and to whom: an `assigned` event's actor;
    NULL for an SLA escalation that reassigned it before marker assignment-timed, whose row
    names nobody (one since is two rows at one moment, the escalation and the assignment:
    one handover)."""
    assigned = E.type == EventType.ASSIGNED.value
    return (
        select(E.workflow_id, E.stage, E.attempt, E.at,
               func.max(case((assigned, E.actor))).label("to"))
        .where(or_(assigned, and_(E.type == EventType.ESCALATED.value,
                                  E.detail.like(_REASSIGNED))))
        .group_by(E.workflow_id, E.stage, E.attempt, E.at)
        .subquery("handovers")
    )


def held_waits(sp: Any) -> Any:
    """The bank's waits of the spans `sp` (the temporary table or a subquery of spans_select)
    cut at their handovers: per part its journey, stage, team, person and seconds (NULL while
    open and no report's time counts it), `span` naming the wait it is part of."""
    c, h = sp.c, _handovers()
    bank = c.waits_on == Party.BANK.value
    span = (c.workflow_id, c.stage, c.attempt)
    starts = union_all(
        select(*span, c.entered_at.label("at"), cast(null(), String).label("to")).where(bank),
        select(*span, h.c.at, h.c.to)
        .join(h, and_(h.c.workflow_id == c.workflow_id, h.c.stage == c.stage,
                      h.c.attempt == c.attempt))
        .where(bank, h.c.at > c.entered_at,
               or_(c.exited_at.is_(None), h.c.at < c.exited_at)),
    ).subquery("held_starts")
    s = starts.c
    key = [s.workflow_id, s.stage, s.attempt]
    parts = select(
        *key, s.at, s.to, func.lead(s.at).over(partition_by=key, order_by=s.at).label("until")
    ).subquery("held_parts")
    p = parts.c
    last = p.until.is_(None)
    decided = and_(last, c.actor.is_not(None), c.outcome.not_in(_NOT_DECIDED))
    return (
        select(
            c.workflow_id,
            c.stage,
            (c.workflow_id + ":" + c.stage + ":" + cast(c.attempt, String)).label("span"),
            team_of(c.team).label("team"),
            case((decided, c.actor), else_=func.coalesce(p.to, _UNASSIGNED)).label("person"),
            case((last, c.seconds - seconds_between(c.entered_at, p.at)),
                 else_=seconds_between(p.at, p.until)).label("seconds"),
        )
        .select_from(parts)
        .join(sp, and_(c.workflow_id == p.workflow_id, c.stage == p.stage,
                       c.attempt == p.attempt))
        .subquery("held_waits")
    )


def held_table() -> Table:
    """The temporary table a report materialises `held_waits` into, once for its tables."""
    return Table(
        "report_held",
        MetaData(),
        Column("workflow_id", String(128)),
        Column("stage", String(32)),
        Column("span", String(200)),
        Column("team", String(64)),
        Column("person", String(128)),
        Column("seconds", Float),
        prefixes=["TEMPORARY"],
    )


def _matches(held: Held, team: Any, person: Any | None) -> list[ColumnElement[bool]]:
    """`held`'s team and person, where given (person None: no person to match)."""
    return [
        *([team == held.team] if held.team else []),
        *([person == held.person] if held.person and person is not None else []),
    ]


def held_cohort(held: Held, spans: Any) -> Any:
    """The journeys with a wait on the bank that `held`'s team and person held (of `spans`,
    a subquery of every journey's spans)."""
    w = held_waits(spans).c
    return select(w.workflow_id).where(*_matches(held, w.team, w.person))


def _breakdown(conn: Connection, hw: Table, held: Held, by_person: bool) -> list[Holder]:
    """Per team (person ALL_HOLDERS), or per team and person, of the parts `hw` (held_table):
    cases, waits, total and nearest-rank median seconds of the waits (of the part of each the
    person held), largest total first."""
    w = hw.c
    whom = [w.team, *([w.person] if by_person else [])]
    person = (w.person if by_person else literal(ALL_HOLDERS)).label("person")
    per_wait = (
        select(w.team, person, w.workflow_id, func.sum(w.seconds).label("seconds"))
        .where(w.seconds.is_not(None))
        .group_by(*whom, w.workflow_id, w.span)
        .subquery("held_per_wait")
    )
    pw = per_wait.c
    whole = select(func.coalesce(func.sum(w.seconds), 0.0)).scalar_subquery()
    group = [pw.team, pw.person]
    ranked = (
        select(*group, pw.workflow_id, pw.seconds,
               func.row_number().over(partition_by=group, order_by=pw.seconds).label("rank"),
               func.count().over(partition_by=group).label("n"))
        .subquery("ranked")
    )
    r = ranked.c
    total = func.sum(r.seconds)
    query = (
        select(
            r.team,
            r.person,
            func.count(func.distinct(r.workflow_id)).label("cases"),
            func.count().label("waits"),
            total.label("total_seconds"),
            func.max(case((r.rank == (r.n + 1) // 2, r.seconds))).label("median_seconds"),
            (total / func.nullif(whole, 0.0)).label("share"),
        )
        .where(*_matches(held, r.team, r.person if by_person else None))
        .group_by(r.team, r.person)
        .order_by(total.desc(), r.team, r.person)
    )
    if held.person and not by_person:  # the team rows: of the teams the person's waits were on
        query = query.where(r.team.in_(select(w.team).where(w.person == held.person)))
    return [Holder.model_validate(dict(row)) for row in conn.execute(query).mappings()]


def waiting_on_whom(conn: Connection, hw: Table, held: Held) -> list[Holder]:
    """The bank's waits of the parts `hw` (held_table) per team, each followed by its
    people."""
    people = _breakdown(conn, hw, held, by_person=True)
    out: list[Holder] = []
    for team in _breakdown(conn, hw, held, by_person=False):
        out += [team, *(p for p in people if p.team == team.team)]
    return out


def to_payout(conn: Connection, hw: Table, paid: Any) -> dict[str, list[Holder]]:
    """Per stage, per team and person, the bank's waits (the parts `hw`, held_table) of the
    journeys paid out (`paid`: their ids): whom their time to payout waited on."""
    w = hw.c
    query = select(
        w.stage,
        w.team,
        w.person,
        func.count(func.distinct(w.workflow_id)).label("cases"),
        func.count(func.distinct(w.span)).label("waits"),
        func.coalesce(func.sum(w.seconds), 0.0).label("total_seconds"),
    ).where(w.workflow_id.in_(paid)).group_by(w.stage, w.team, w.person)
    out: dict[str, list[Holder]] = {}
    for row in conn.execute(query).mappings():
        out.setdefault(row["stage"], []).append(Holder.model_validate(dict(row)))
    return out
