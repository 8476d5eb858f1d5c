"""A loan's early warning is stored as an escalated event, but it is no SLA's escalation: the
report's escalation rate and the export's `escalated` count SLA escalations only, and show the
early warnings apart."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from journey.application import Product
from journey.stages import Party, Stage
from journey.timeline import EARLY_WARNING, EventType, TimingEvent
from store.analytics import build_report
from store.export import export_csv
from store.timing import record_events
from tests.report.report_fixture import T0, H, Step, journey
from tests.store.pg import BACKENDS, fresh_postgres_db


def _loan_with_an_early_warning() -> list[TimingEvent]:
    """A loan whose risk review breached its SLA and escalated, then paid out, with a
    covenant's early warning in post_loan."""
    S, P, esc = Stage, Party, EventType.ESCALATED
    events = journey("L", Product.WORKING_CAPITAL, T0, [
        Step(S.RISK_REVIEW, 30 * H, P.BANK, "disbursement",
             [EventType.SLA_BREACHED, esc], team="risk-a"),
        Step(S.DISBURSEMENT, 60, outcome="post_loan"),
        Step(S.POST_LOAN, None, P.CUSTOMER, flags=[esc]),
    ])
    sla, warning = (e for e in events if e.type is esc)
    sla.detail = "escalation level 1 remind_owner"  # as workflows/bookkeeping.py words it
    warning.detail = f"{EARLY_WARNING}covenant_breach: current ratio 0.9 < 1.2"
    return events


@pytest.fixture(params=BACKENDS)
def warned_db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    url = fresh_postgres_db() if request.param == "postgresql" else f"sqlite:///{tmp_path / 'w.db'}"
    record_events(url, _loan_with_an_early_warning())
    return url


def test_the_report_counts_sla_escalations_apart_from_early_warnings(warned_db: str) -> None:
    stages = {s.stage: s for s in build_report(warned_db, now=T0).stage_totals}
    assert (stages["post_loan"].escalation_rate, stages["post_loan"].early_warning_rate) == (0, 1)
    assert (stages["risk_review"].escalation_rate,
            stages["risk_review"].early_warning_rate) == (1, 0)


def test_the_export_shows_an_early_warning_in_its_own_column(
        warned_db: str, tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    export_csv(warned_db, path)
    with path.open(encoding="utf-8") as fh:
        rows = {r["concept:name"]: r for r in csv.DictReader(fh)}
    flags = {stage: (rows[stage]["escalated"], rows[stage]["early_warning"])
             for stage in ("risk_review", "post_loan")}
    assert flags == {"risk_review": ("True", "False"), "post_loan": ("False", "True")}
