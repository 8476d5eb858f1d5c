"""The journey map opened in a real browser (Debian's chromium, headless, no network)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from starter.journey_map import render_html
from store.analytics import build_report

CHROMIUM = shutil.which("chromium")
CHARTS = 5


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
    assert "risk_review holds 56% of the time to payout" in text


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
def test_chromium_draws_every_chart(report_db: str, tmp_path: Path) -> None:
    page = render_html(build_report(report_db), tmp_path / "map.html")
    dom = _dump_dom(page, tmp_path / "profile")

    sections = re.split(r'id="chart-(\d)"', dom)[1:]
    drawn = {int(i): body for i, body in zip(sections[::2], sections[1::2], strict=True)}
    assert sorted(drawn) == list(range(CHARTS))
    for i, body in drawn.items():
        assert 'class="main-svg"' in body, f"chart {i} was not drawn"
    assert re.search(r'class="trace bars".*<path', drawn[0], re.S)  # swimlane bars
    assert 'class="trace boxes"' in drawn[1]  # duration boxes
    assert 'class="hm"' in drawn[2] or "<image" in drawn[2]  # the heat map
    assert re.search(r'class="trace bars".*<path', drawn[4], re.S)  # waiting bars
    for lane in ("A", "B", "C", "D"):  # swimlane y axis
        assert re.search(rf'class="ytick"[^>]*>.*?>{lane}</text>', drawn[0], re.S)
