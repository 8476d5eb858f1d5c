"""Touchpoint figures against hand-computed ones for the fixed feedback of
touchpoint_fixture.py over the report's fixed journeys."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest
from typer.testing import CliRunner

from journey.application import Channel, Product
from journey.stages import Party, Stage
from journey.touchpoints import (
    LATE_TOUCHPOINT_BASE,
    ComplaintCategory,
    RecordFeedbackInput,
    ScoreKind,
)
from starter.report import report_app
from store.feedback import record_feedback
from store.report_models import TouchpointReport
from store.timing import record_events
from store.touchpoint_analytics import build_journey_map, build_touchpoints
from tests.report.report_fixture import T0, Step, journey

H = 3600.0


@pytest.fixture
def touch(touchpoint_db: str) -> TouchpointReport:
    return build_touchpoints(touchpoint_db)


def test_the_satisfaction_curve(touch: TouchpointReport) -> None:
    curve = [(s.stage, s.csat_n, s.csat_avg) for s in touch.satisfaction]
    assert curve == [
        ("intake", 3, pytest.approx((5 + 4 + 5) / 3)),
        ("completeness", 3, pytest.approx((2 + 4 + 3) / 3)),
        ("risk_review", 2, pytest.approx((1 + 3) / 2)),
    ]
    intake = touch.satisfaction[0]
    # NPS 3 (detractor), 9 and 10 (promoters): (2 - 1) / 3
    assert intake.nps_n == 3 and intake.nps == pytest.approx(100 / 3)
    assert touch.feedback == 11 and touch.complaints == 3


def test_pain_points_ranked_by_time_waited_times_dissatisfaction(
    touch: TouchpointReport,
) -> None:
    # avg hours in the stage per journey x (5 - avg CSAT)
    intake = (1 + 0.5 + 2) / 3 * (5 - 14 / 3)
    completeness = (24 + 2 + 18) / 3 * (5 - 3)
    risk_review = (48 + 24) / 2 * (5 - 2)
    ranked = [(p.stage, p.pain) for p in touch.pain_points]
    assert ranked == [
        ("risk_review", pytest.approx(risk_review)),  # 108
        ("completeness", pytest.approx(completeness)),  # 29.3
        ("intake", pytest.approx(intake)),  # 0.39
    ]
    assert touch.pain_points[0].avg_wait_seconds == pytest.approx(36 * H)


def test_pain_is_over_the_raters_own_waits(touchpoint_db: str) -> None:
    """A journey 30 days at risk review whose customer rated nothing leaves the stage's pain
    as A's and C's waits make it; and whose wait it was: risk review waits on the bank."""
    stuck = Step(Stage.RISK_REVIEW, 720 * H, Party.BANK, "approval")
    record_events(touchpoint_db, journey("R", Product.WORKING_CAPITAL, T0, [stuck]))
    pain = {p.stage: p for p in build_touchpoints(touchpoint_db).pain_points}
    assert pain["risk_review"].avg_wait_seconds == pytest.approx(36 * H)
    assert (pain["risk_review"].customer_share, pain["completeness"].customer_share) == (0, 1)


def test_touchpoints_channels_and_complaints(touch: TouchpointReport) -> None:
    assert [(c.stage, c.channel, c.touchpoints) for c in touch.channels] == [
        ("intake", "app", 2),
        ("intake", "branch", 2),
        ("intake", "web", 2),
        ("completeness", "web", 2),  # one from the report fixture
        ("completeness", "app", 1),
        ("completeness", "relationship_manager", 1),
        ("risk_review", "phone", 2),
    ]
    assert touch.touchpoints == 12
    assert [(c.stage, c.category, c.complaints) for c in touch.complaint_categories] == [
        ("completeness", "documents", 1),
        ("completeness", "waiting_time", 1),
        ("risk_review", "waiting_time", 1),
    ]


def _pearson(points: list[tuple[float, float]]) -> float:
    n = len(points)
    mx, my = sum(x for x, _ in points) / n, sum(y for _, y in points) / n
    cov = sum((x - mx) * (y - my) for x, y in points)
    return cov / math.sqrt(
        sum((x - mx) ** 2 for x, _ in points) * sum((y - my) ** 2 for _, y in points)
    )


def test_waiting_time_against_score(touch: TouchpointReport) -> None:
    by_stage = {w.stage: w for w in touch.wait_vs_score}
    completeness = by_stage["completeness"]
    assert completeness.points == [(2.0, 4.0), (18.0, 3.0), (24.0, 2.0)]
    # by hand: dx = (-12.67, 3.33, 9.33), dy = (1, 0, -1): r = -22 / sqrt(258.67 * 2)
    assert completeness.correlation == pytest.approx(-22 / math.sqrt(258 + 2 / 3) / math.sqrt(2))
    assert completeness.correlation == pytest.approx(_pearson(completeness.points))
    assert by_stage["intake"].correlation == pytest.approx(0.756, abs=1e-3)
    assert by_stage["risk_review"].n == 2 and by_stage["risk_review"].correlation is None


def test_one_product_and_the_journey_map(touchpoint_db: str) -> None:
    wc = build_touchpoints(touchpoint_db, product="working_capital")
    assert [(s.stage, s.csat_n) for s in wc.satisfaction] == [
        ("intake", 2),
        ("completeness", 2),
        ("risk_review", 1),
    ]
    report = build_journey_map(touchpoint_db)
    assert report.touchpoints is not None and report.touchpoints.feedback == 11
    assert report.journeys == 4


def test_the_report_command_prints_the_human_side(touchpoint_db: str) -> None:
    result = CliRunner().invoke(report_app, ["report", "--db", touchpoint_db])
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert "Pain points: risk_review 108.0, completeness 29.3, intake 0.4" in out
    assert "waiting time vs score at completeness: r = -0.97 over 3 journey(s)" in out
    assert "app 2, branch 2, web 2" in out and "documents 1, waiting_time 1" in out


def test_one_score_of_a_kind_counts_per_stage_visit_the_latest(touchpoint_db: str) -> None:
    """B's intake was rated 4, then, after the journey ended, 1 with a complaint: the
    later score stands in the curve, and the complaint counts."""
    record_feedback(touchpoint_db, RecordFeedbackInput(
        workflow_id="B", sequence=LATE_TOUCHPOINT_BASE, at=T0 + timedelta(days=40),
        product=Product.WORKING_CAPITAL, stage=Stage.INTAKE, attempt=1, given_at=Stage.CLOSED,
        kind=ScoreKind.CSAT, score=1, category=ComplaintCategory.COMMUNICATION,
        channel=Channel.PHONE, actor="customer"))
    touch = build_touchpoints(touchpoint_db)
    intake = touch.satisfaction[0]
    assert (intake.stage, intake.csat_n) == ("intake", 3)
    assert intake.csat_avg == pytest.approx((5 + 1 + 5) / 3)
    assert touch.complaints == 4


def test_an_end_is_no_wait_and_no_pain_however_late_the_report(touchpoint_db: str) -> None:
    """E was rejected at risk review and its customer rated the decision 1: the journey stays
    in `rejected` for good, which is its end, not a wait, so it is no pain point and its
    time there does not grow with the report's end; the other stages' pain stays as it was."""
    steps = [Step(Stage.RISK_REVIEW, 2 * H, Party.BANK, "rejected"), Step(Stage.REJECTED, None)]
    record_events(touchpoint_db, journey("E", Product.WORKING_CAPITAL, T0, steps))
    record_feedback(touchpoint_db, RecordFeedbackInput(
        workflow_id="E", sequence=LATE_TOUCHPOINT_BASE, at=T0 + timedelta(days=3),
        product=Product.WORKING_CAPITAL, stage=Stage.REJECTED, attempt=1,
        given_at=Stage.REJECTED, kind=ScoreKind.CSAT, score=1, channel=Channel.PHONE,
        actor="customer"))
    for days in (30, 60):
        touch = build_touchpoints(touchpoint_db, now=T0 + timedelta(days=days))
        assert "rejected" in [s.stage for s in touch.satisfaction]  # the score still counts
        assert [p.stage for p in touch.pain_points] == ["risk_review", "completeness", "intake"]
        assert "rejected" not in [w.stage for w in touch.wait_vs_score]
        report = build_journey_map(touchpoint_db, now=T0 + timedelta(days=days))
        assert "rejected" not in [s.stage for s in report.stages]
