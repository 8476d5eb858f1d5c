"""Report figures against hand-computed ones for the fixed event set of conftest.py.

Percentiles are nearest-rank: pXX = the value at rank ceil(XX/100 * n) of the sorted durations.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from rich.console import Console

from journey.application import Product
from journey.stages import Party, Stage
from starter.journey_map import funnel
from starter.report import _funnel_table
from store.analytics import build_report
from store.report_models import JourneyReport, StageStats
from store.timing import record_events
from tests.report.report_fixture import T0, H, Step, journey

D = 24 * H
NOW = T0 + timedelta(days=10)  # the report's "now": C waits at approval, D at intake


def _by_stage(rows: list[StageStats], product: str = "all") -> dict[str, StageStats]:
    return {s.stage: s for s in rows if s.product == product}


@pytest.fixture
def report(report_db: str) -> JourneyReport:
    return build_report(report_db, now=NOW)


def test_counts(report: JourneyReport) -> None:
    assert report.journeys == 4
    assert report.events == 38  # the touchpoint included


def test_stage_durations_across_products(report: JourneyReport) -> None:
    t = _by_stage(report.stage_totals)
    assert list(t) == ["intake", "documents", "completeness", "routing", "risk_review", "approval"]
    got = {
        k: (s.count, s.completed, s.p25, s.p50, s.p75, s.p90, s.min, s.max) for k, s in t.items()
    }
    waited = 8 * D - (45 * H + 50 * 60)  # C at approval, from its entry to the report's now
    assert got == {  # the open waits count up to the report's now, as the SLA rates do
        # intake [0.5h, 1h, 2h] + D open 7 d: p90 rank ceil(3.6) = 4
        "intake": (4, 3, 0.5 * H, 1 * H, 2 * H, 7 * D, 0.5 * H, 7 * D),
        "documents": (3, 3, 1 * H, 1.5 * H, 2 * H, 2 * H, 1 * H, 2 * H),
        # completeness [2h, 6h, 12h, 24h]: p90 rank ceil(3.6) = 4
        "completeness": (4, 4, 2 * H, 6 * H, 12 * H, 24 * H, 2 * H, 24 * H),
        "routing": (2, 2, 600, 600, 1200, 1200, 600, 1200),
        "risk_review": (2, 2, 1 * D, 1 * D, 2 * D, 2 * D, 1 * D, 2 * D),
        "approval": (2, 1, 4 * H, 4 * H, waited, waited, 4 * H, waited),  # C still open
    }


def test_waiting_split_and_sla_rates(report: JourneyReport) -> None:
    t = _by_stage(report.stage_totals)
    assert t["completeness"].customer_seconds == 44 * H
    assert (t["completeness"].customer_share, t["completeness"].bank_share) == (1.0, 0.0)
    assert (t["risk_review"].bank_seconds, t["risk_review"].bank_share) == (3 * D, 1.0)
    assert t["approval"].bank_seconds == 4 * H + 8 * D - (45 * H + 50 * 60)  # C's, to now
    assert (t["intake"].customer_share, t["intake"].bank_share) == (0.0, 0.0)  # system
    assert t["completeness"].warning_rate == 0.25
    assert t["risk_review"].warning_rate == 1.0
    assert t["risk_review"].breach_rate == 0.5
    assert t["risk_review"].escalation_rate == 0.5
    assert t["approval"].breach_rate == 0.0


def test_per_product(report: JourneyReport) -> None:
    wc = _by_stage(report.stages, "working_capital")
    pf = _by_stage(report.stages, "project_finance")
    assert (wc["intake"].p50, wc["intake"].p90) == (0.5 * H, 1 * H)
    assert (wc["completeness"].p50, wc["completeness"].p90) == (2 * H, 24 * H)
    assert wc["completeness"].warning_rate == 0.5
    assert (pf["completeness"].count, pf["completeness"].p50, pf["completeness"].p90) == (
        2,
        6 * H,
        12 * H,
    )
    assert (pf["intake"].count, pf["intake"].completed, pf["intake"].max) == (2, 1, 7 * D)
    assert (wc["approval"].count, pf["approval"].count, pf["approval"].completed) == (1, 1, 0)


def test_funnel(report: JourneyReport) -> None:
    got = {
        f.stage: (f.reached, f.advanced, f.rejected, f.withdrawn, f.expired, f.in_stage)
        for f in report.funnel
    }
    assert got == {
        "intake": (4, 3, 0, 0, 0, 1),
        "documents": (3, 3, 0, 0, 0, 0),
        "completeness": (3, 2, 0, 1, 0, 0),
        "routing": (2, 2, 0, 0, 0, 0),
        "risk_review": (2, 2, 0, 0, 0, 0),
        "approval": (2, 0, 1, 0, 0, 1),
    }


def test_slowest_journeys_and_their_timelines(report: JourneyReport) -> None:
    got = [
        (j.workflow_id, j.elapsed_seconds, j.customer_seconds, j.bank_seconds, j.stages, j.final)
        for j in report.slowest
    ]
    waiting = 8 * D - (45 * H + 50 * 60)  # C has waited at approval from then until now
    assert got == [  # the running journeys count up to the report's now, not their last step
        ("C", 8 * D, 18 * H, 24 * H + waiting, 7, None),
        ("D", 7 * D, 0.0, 0.0, 1, None),
        ("A", 79 * H + 600, 24 * H, 52 * H, 6, "rejected"),
        ("B", 3.5 * H, 2 * H, 0.0, 3, "withdrawn"),
    ]
    a = next(j for j in report.slowest if j.workflow_id == "A")
    assert a.breaches == 1 and a.started_at == T0
    assert report.slowest[0].last_at == NOW == report.generated_at
    c = [s for s in report.timelines if s.workflow_id == "C"]
    assert [(s.stage, s.attempt) for s in c][2:4] == [("completeness", 1), ("completeness", 2)]
    assert c[-1].exited_at is None and c[-1].seconds == waiting


def test_no_bottleneck_without_a_payout(report: JourneyReport) -> None:
    assert (report.paid_out, report.bottleneck) == (0, None)  # none of A-D was paid out


def test_filters(report_db: str) -> None:
    pf = build_report(report_db, product=Product.PROJECT_FINANCE, now=NOW)
    assert pf.journeys == 2 and {s.product for s in pf.stages} == {"project_finance"}
    assert [j.workflow_id for j in pf.slowest] == ["C", "D"]
    late = build_report(report_db, since=T0 + timedelta(days=3))  # journeys started since
    assert late.journeys == 1 and late.funnel[0].reached == 1 and late.funnel[0].in_stage == 1
    cohort = build_report(report_db, since=T0 + timedelta(days=1), now=NOW)
    assert [j.workflow_id for j in cohort.slowest] == ["C", "D", "B"]


def test_empty_database(tmp_path: object) -> None:
    empty = build_report(f"sqlite:///{tmp_path}/empty.db")
    assert (empty.journeys, empty.stages, empty.funnel, empty.bottleneck) == (0, [], [], None)


def test_post_loan_does_not_drown_the_application_path(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'j.db'}"
    s, p = Stage, Party
    closed = journey(
        "E",
        Product.FIXED_ASSET,
        T0,
        [
            Step(s.INTAKE, 1 * H, outcome="documents"),
            Step(s.DOCUMENTS, 1 * H, outcome="completeness"),
            Step(s.COMPLETENESS, 5 * H, p.CUSTOMER, "routing"),
            Step(s.ROUTING, 1 * H, outcome="risk_review"),
            Step(s.RISK_REVIEW, 10 * H, p.BANK, "approval", team="risk-a"),
            Step(s.APPROVAL, 2 * H, p.BANK, "offer"),
            Step(s.OFFER, 3 * H, p.CUSTOMER, "disbursement"),
            Step(s.DISBURSEMENT, 1 * H, outcome="post_loan"),
            Step(s.POST_LOAN, 365 * D, p.BANK, "closed"),
        ],
    )
    never_paid = journey(  # rejected after a long completeness: no time to payout
        "G",
        Product.FIXED_ASSET,
        T0,
        [
            Step(s.COMPLETENESS, 100 * H, p.CUSTOMER, "routing"),
            Step(s.RISK_REVIEW, H, p.BANK, "rejected"),
        ],
    )
    record_events(url, closed + never_paid)
    report = build_report(url)
    g, e = report.slowest  # G's 101 h to its end, E's 24 h to payout
    assert (e.elapsed_seconds, e.bank_seconds, e.stages, e.final) == (24 * H, 12 * H, 8, "closed")
    assert (e.measured_to(), g.workflow_id, g.measured_to()) == ("payout", "G", "its end")
    assert "post_loan" not in {sp.stage for sp in report.timelines}
    b = report.bottleneck
    assert report.paid_out == 1 and b is not None and b.share_of_time == 10 / 24  # E's only
    assert b.reason.startswith(
        "risk_review holds 42% of the time to payout of the 1 journey(s) paid out, 100% of it "
        "waiting on the bank: team risk-a held 100% of that, officer-1 100% of the team's "
        "(all its waits: p50 1.0 h, p90 10.0 h, breach rate 0%)"
    )  # whom it waited on: the team its entry names, the officer its exit names
    assert _by_stage(report.stage_totals)["post_loan"].max == 365 * D  # still reported
    assert report.funnel[-1].stage == "post_loan" and report.funnel[-1].closed == 1
    assert next(f for f in report.funnel if f.stage == "risk_review").rejected == 1
    # the loans that closed are in the printed funnel and the map's, not only in the JSON
    table = Console(width=200, record=True)
    table.print(_funnel_table(report))
    text = table.export_text()
    row = next(line for line in text.splitlines() if "post_loan" in line)
    assert "closed" in text and row.split("│")[5].strip() == "1"
    bars = {trace.name: list(trace.x) for trace in funnel(report).data}
    assert bars["left: closed"][-1] == 1


def test_a_retried_stage_is_not_an_advance(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'j.db'}"
    retried_then_withdrew = journey(
        "F",
        Product.WORKING_CAPITAL,
        T0,
        [
            Step(Stage.COMPLETENESS, 1 * H, Party.CUSTOMER, "completeness"),
            Step(Stage.COMPLETENESS, 1 * H, Party.CUSTOMER, "withdrawn", attempt=2),
        ],
    )
    record_events(url, retried_then_withdrew)
    (row,) = build_report(url).funnel
    assert (row.reached, row.advanced, row.withdrawn, row.in_stage) == (1, 0, 1, 0)


def test_a_journey_sent_back_is_counted_where_it_finally_left(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'j.db'}"
    s, p = Stage, Party
    asked_then_expired = journey(  # risk review asks the customer; the request expires
        "Q",
        Product.WORKING_CAPITAL,
        T0,
        [
            Step(s.COMPLETENESS, H, p.CUSTOMER, "routing"),
            Step(s.ROUTING, 60, outcome="risk_review"),
            Step(s.RISK_REVIEW, H, p.BANK, "completeness"),
            Step(s.COMPLETENESS, 5 * D, p.CUSTOMER, "expired", attempt=2),
        ],
    )
    record_events(url, asked_then_expired)
    rows = {f.stage: f for f in build_report(url).funnel}
    got = {k: (f.reached, f.advanced, f.sent_back, f.expired) for k, f in rows.items()}
    assert got == {
        "completeness": (1, 0, 0, 1),  # its last visit expired
        "routing": (1, 1, 0, 0),
        "risk_review": (1, 0, 1, 0),  # not an advance: nothing reached approval
    }
    for f in rows.values():
        ends = f.closed + f.rejected + f.withdrawn + f.expired + f.terminated + f.in_stage
        assert f.reached == f.advanced + f.sent_back + ends
