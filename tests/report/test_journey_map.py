"""The journey map opened in a real browser (Debian's chromium, headless, no network)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from starter.journey_map import durations, render_html, swimlane
from store.analytics import build_report
from store.report_models import Span
from store.touchpoint_analytics import build_journey_map
from tests.touchpoints.touchpoint_fixture import record_fixed_feedback

CHROMIUM = shutil.which("chromium")
CHARTS = 5
TOUCHPOINT_CHARTS = 5  # starter/touchpoint_charts.py


def _dump_dom(page: Path, profile: Path) -> str:
    assert CHROMIUM is not None
    run = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--host-resolver-rules=MAP * ~NOTFOUND",  # any network fetch would fail
            f"--user-data-dir={profile}",
            "--virtual-time-budget=15000",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=90,
        check=True,
    )
    return run.stdout


def test_the_page_is_self_contained(report_db: str, tmp_path: Path) -> None:
    page = render_html(build_report(report_db), tmp_path / "out" / "map.html")
    text = page.read_text(encoding="utf-8")
    assert text.count("<script") >= CHARTS + 1  # the plotly bundle and one per chart
    assert not re.search(r"<script[^>]+src=|<link[^>]+href=", text)
    assert "Bottleneck:</b> none: no journey was paid out" in text
    assert "open waits are counted to " in text


def test_a_wait_still_open_is_in_the_duration_chart(report_db: str) -> None:
    boxes = {box.name: list(box.x) for box in durations(build_report(report_db)).data}
    assert "approval" in boxes["project_finance"]  # C's, the product's only approval, open


def test_a_finished_visit_of_no_time_is_not_open(report_db: str) -> None:
    report = build_report(report_db)
    c = next(j for j in report.slowest if j.workflow_id == "C")
    visits = [
        Span(workflow_id="C", stage="documents", attempt=2, waits_on="system",
             entered_at=c.started_at, exited_at=c.started_at, seconds=0.0),
        Span(workflow_id="C", stage="approval", attempt=1, waits_on="bank",
             entered_at=c.started_at, exited_at=None, seconds=90.0),
    ]  # fmt: skip
    lanes = swimlane(report.model_copy(update={"timelines": visits}))
    labels = {bar.name: bar.customdata[0][2] for bar in lanes.data}
    assert labels == {"documents": "0 s", "approval": "1.5 min so far, open"}


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
def test_chromium_draws_every_chart(report_db: str, tmp_path: Path) -> None:
    record_fixed_feedback(report_db)
    page = render_html(build_journey_map(report_db), tmp_path / "map.html")
    assert (
        "Top pain point:</b> risk_review: the customers who rated it spent 1.5 d there on "
        "average (0% of it the bank waiting on them"
    ) in page.read_text("utf-8")
    dom = _dump_dom(page, tmp_path / "profile")

    sections = re.split(r'id="chart-(\d)"', dom)[1:]
    drawn = {int(i): body for i, body in zip(sections[::2], sections[1::2], strict=True)}
    assert sorted(drawn) == list(range(CHARTS + TOUCHPOINT_CHARTS))
    for i, body in drawn.items():
        assert 'class="main-svg"' in body, f"chart {i} was not drawn"
    assert re.search(r'class="trace bars".*<path', drawn[0], re.S)  # swimlane bars
    assert 'class="trace boxes"' in drawn[1]  # duration boxes
    assert 'class="hm"' in drawn[2] or "<image" in drawn[2]  # the heat map
    assert re.search(r'class="trace bars".*<path', drawn[4], re.S)  # waiting bars
    for lane in ("A", "B", "C", "D"):  # swimlane y axis
        assert re.search(rf'class="ytick"[^>]*>.*?>{lane}</text>', drawn[0], re.S)
    # the human side: satisfaction curve (line and NPS bars), channel mix, pain points,
    # complaint categories, waiting time vs score
    assert re.search(r'class="trace scatter[^"]*".*class="js-line"', drawn[5], re.S)
    assert re.search(r'class="trace bars".*<path', drawn[5], re.S)
    for i in (6, 7, 8):
        assert re.search(r'class="trace bars".*<path', drawn[i], re.S), f"chart {i} has no bars"
    ticks = re.findall(r'data-unformatted="([a-z_]+)"[^>]*translate\(0,([\d.]+)\)', drawn[7])
    top_down = [name for name, y in sorted(ticks, key=lambda t: float(t[1]))]
    assert top_down == ["risk_review", "completeness", "intake"]  # worst pain on top
    scatter = drawn[9][drawn[9].index('class="scatterlayer') :]
    assert len(re.findall(r'class="point"', scatter)) == 8  # 3 + 3 + 2 journeys
    assert "completeness (r = -0.97, n=3)" in drawn[9]
