"""A bank's wait handed over (`reassign`, an SLA's escalation to the supervisor) is cut at each
handover, each part on whom it was on then; an open one is on its current assignee up to the
report's time. Fixed timing events, sme_risk's risk reviews from T0:
  L (rows from before marker assignment-timed): 10 h, an SLA escalation reassigned it to the
    supervisor at 4 h (its row names nobody; a reminder at 2 h hands nothing over), decided by
    sup-sme: 4 h the team's queue's, 6 h sup-sme's
  N: 10 h, assigned to risk-sme-2 at 1 h, reassigned by the SLA to sup-sme at 4 h, decided by
    sup-sme: 1 h the queue's, 3 h risk-sme-2's, 6 h sup-sme's
  O (T0 + 1 d): assigned to risk-sme-2 at 2 h, still open at the report's time (+ 5 h):
    2 h the queue's, 3 h risk-sme-2's
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from journey.application import Product
from journey.stages import Party, Stage
from journey.timeline import EventType, TimingEvent
from store.analytics import build_report
from store.report_models import Held
from store.timing import record_events
from tests.report.report_fixture import T0, H, Step, journey
from tests.store.pg import BACKENDS, fresh_postgres_db

NOW = T0 + timedelta(days=1, hours=5)
REASSIGNED = "escalation level 2 reassign_supervisor"  # as workflows/bookkeeping.py words it


def _review(wf: str, start_h: float, hours: float | None, handovers: list[tuple[float, EventType,
            str | None, str | None]]) -> list[TimingEvent]:
    """A risk review of sme_risk from T0 + `start_h`, decided by sup-sme after `hours` (None:
    open), with `handovers` (hours in, type, actor, detail)."""
    events = journey(wf, Product.WORKING_CAPITAL, T0 + timedelta(hours=start_h), [
        Step(Stage.RISK_REVIEW, None if hours is None else hours * H, Party.BANK, "approval",
             team="sme_risk")])
    entered = events[0]
    for e in events[1:]:
        e.actor = "sup-sme"  # the supervisor decided it
    return events + [
        entered.model_copy(update={"sequence": len(events) + i, "type": kind, "actor": actor,
                                   "detail": detail, "at": entered.at + timedelta(hours=at)})
        for i, (at, kind, actor, detail) in enumerate(handovers)]


def _handed_over() -> list[TimingEvent]:
    esc, assigned = EventType.ESCALATED, EventType.ASSIGNED
    return [
        *_review("L", 0, 10, [(2, esc, None, "escalation level 1 remind_owner"),
                              (4, esc, None, REASSIGNED)]),
        *_review("N", 0, 10, [(1, assigned, "risk-sme-2", None), (4, esc, None, REASSIGNED),
                              (4, assigned, "sup-sme", None)]),
        *_review("O", 24, None, [(2, assigned, "risk-sme-2", None)]),
    ]


@pytest.fixture(params=BACKENDS)
def handed_db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    url = fresh_postgres_db() if request.param == "postgresql" else f"sqlite:///{tmp_path / 'h.db'}"
    record_events(url, _handed_over())
    return url


def _whom(url: str, held: Held | None = None) -> dict[str, tuple[int, int, float, float]]:
    """Per person of sme_risk ("all": the team): cases, waits, total and median hours."""
    r = build_report(url, now=NOW, held=held)
    return {h.person: (h.cases, h.waits, h.total_seconds / H, (h.median_seconds or 0) / H)
            for h in r.waiting_on_whom if h.team == "sme_risk"}


def test_each_part_of_a_wait_is_on_whom_held_it_then(handed_db: str) -> None:
    assert _whom(handed_db) == {
        "all": (3, 3, 25, 10),  # the team's waits whole: 10, 10 and the open 5 h
        "sup-sme": (2, 2, 12, 6),
        "unassigned": (3, 3, 7, 2),  # the queue's, before any handover: 4, 1 and 2 h
        "risk-sme-2": (2, 2, 6, 3),  # its open wait counted up to the report's time
    }


def test_a_person_s_journeys_are_those_they_held_a_part_of(handed_db: str) -> None:
    # risk-sme-2 decided nothing: the waits they held until the handover, and the open one
    mine = Held(person="risk-sme-2")
    assert build_report(handed_db, now=NOW, held=mine).journeys == 2
    assert _whom(handed_db, mine) == {"all": (2, 2, 15, 5), "risk-sme-2": (2, 2, 6, 3)}
