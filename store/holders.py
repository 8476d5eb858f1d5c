"""Whom the bank's waits were on: the team and the person who held each of them.

A wait on the bank (a span with waits_on bank, store/spans.py) was the team's its `entered`
event names (the stage's queue: sme_risk, head_office, operations) and the person's who
decided it onward, its `exited` event's actor (a supervisor an SLA reassigned it to, when
they decided it). Where the rows do not say, the holder is UNASSIGNED, never a guess: a
wait entered before its team was recorded, one still open (nobody has decided it yet), and
one that ended without a bank's decision (the customer withdrew, it expired, the server
ended the journey), whose exit's actor, if any, is not the bank's.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Table,
    and_,
    case,
    func,
    literal,
    literal_column,
    select,
)
from sqlalchemy.orm import aliased

from journey.stages import Party, Stage
from journey.timeline import EventType
from store.ended_outside import ENDED_OUTSIDE
from store.models import StageEventRow as E
from store.report_models import ALL_HOLDERS, UNASSIGNED, Held, Holder

# ends nobody at the bank decided: the exit's actor, if any, did not hold the wait
_NOT_DECIDED = (Stage.WITHDRAWN.value, Stage.EXPIRED.value, ENDED_OUTSIDE)


# inline, not a bound parameter: PostgreSQL matches a grouped expression to the selected one
# by its text, and two parameters of the same value are two texts
_UNASSIGNED = literal_column(f"'{UNASSIGNED}'")


def team_of(team: Any) -> Any:
    """The team a bank's wait was on, from its entered event's `team`."""
    return func.coalesce(team, _UNASSIGNED)


def person_of(actor: Any, outcome: Any) -> Any:
    """The person who held a bank's wait, from its exited event's `actor` and `outcome`."""
    return case(
        (outcome.in_(_NOT_DECIDED), _UNASSIGNED),
        else_=func.coalesce(actor, _UNASSIGNED),
    )


def _matches(held: Held, team: Any, person: Any | None) -> list[ColumnElement[bool]]:
    """`held`'s team and person, where given (person None: no person to match)."""
    return [
        *([team == held.team] if held.team else []),
        *([person == held.person] if held.person and person is not None else []),
    ]


def held_cohort(held: Held) -> Any:
    """The journeys with a wait on the bank that `held`'s team and person held."""
    en, ex = aliased(E, name="held_en"), aliased(E, name="held_ex")
    return (
        select(en.workflow_id)
        .outerjoin(ex, and_(ex.workflow_id == en.workflow_id, ex.stage == en.stage,
                            ex.attempt == en.attempt, ex.type == EventType.EXITED.value))
        .where(en.type == EventType.ENTERED.value, en.waits_on == Party.BANK.value,
               *_matches(held, team_of(en.team), person_of(ex.actor, ex.outcome)))
    )


def _breakdown(conn: Connection, sp: Table, held: Held, by_person: bool) -> list[Holder]:
    """Per team (person ALL_HOLDERS), or per team and person: cases, waits, total and
    nearest-rank median seconds, largest total first."""
    c = sp.c
    bank = c.waits_on == Party.BANK.value
    team = team_of(c.team).label("team")
    person = (person_of(c.actor, c.outcome) if by_person else literal(ALL_HOLDERS)).label(
        "person")
    whole = select(func.coalesce(func.sum(c.seconds), 0.0)).where(bank).scalar_subquery()
    group = [team, person]
    ranked = (
        select(team, person, c.workflow_id, c.seconds,
               func.row_number().over(partition_by=group, order_by=c.seconds).label("rank"),
               func.count().over(partition_by=group).label("n"))
        .where(bank, c.seconds.is_not(None))
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
        query = query.where(r.team.in_(select(team).where(
            bank, person_of(c.actor, c.outcome) == held.person)))
    return [Holder.model_validate(dict(row)) for row in conn.execute(query).mappings()]


def waiting_on_whom(conn: Connection, sp: Table, held: Held) -> list[Holder]:
    """The bank's waits of the spans `sp` per team, each followed by its people."""
    people = _breakdown(conn, sp, held, by_person=True)
    out: list[Holder] = []
    for team in _breakdown(conn, sp, held, by_person=False):
        out += [team, *(p for p in people if p.team == team.team)]
    return out


def to_payout(conn: Connection, sp: Table, paid: Any) -> dict[str, list[Holder]]:
    """Per stage, per team and person, the bank's waits of the journeys paid out (`paid`:
    their ids): whom their time to payout waited on."""
    c = sp.c
    waits = (
        select(c.stage, team_of(c.team).label("team"),
               person_of(c.actor, c.outcome).label("person"), c.workflow_id, c.seconds)
        .where(c.waits_on == Party.BANK.value, c.workflow_id.in_(paid))
        .subquery("paid_waits")
    )
    w = waits.c
    query = select(
        w.stage,
        w.team,
        w.person,
        func.count(func.distinct(w.workflow_id)).label("cases"),
        func.count().label("waits"),
        func.coalesce(func.sum(w.seconds), 0.0).label("total_seconds"),
    ).group_by(w.stage, w.team, w.person)
    out: dict[str, list[Holder]] = {}
    for row in conn.execute(query).mappings():
        out.setdefault(row["stage"], []).append(Holder.model_validate(dict(row)))
    return out
