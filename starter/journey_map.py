"""The journey map: one self-contained HTML page (plotly inlined, no network) of a report.

Five charts: a swimlane of the slowest journeys, duration distributions per stage, SLA heat
per stage and product, the funnel with where journeys left, and customer-vs-bank waiting;
with the touchpoint figures, five more (starter/touchpoint_charts.py).
"""

from __future__ import annotations

import html
from datetime import datetime, timedelta
from pathlib import Path

import plotly.graph_objects as go  # type: ignore[import-untyped]
from plotly.colors import qualitative  # type: ignore[import-untyped]

from journey.policy.calendar import moment_at
from starter.bank_clock import bank_offset
from starter.touchpoint_charts import pain_callout, touchpoint_figures
from starter.waiting_on_whom import whom_html
from store.report_models import (
    ALL_PRODUCTS,
    APPLICATION_PATH,
    FUNNEL_MEANS,
    JourneyReport,
    StageStats,
    bottleneck_says,
    human,
    measured,
    scope,
)

H = 3600.0
_COLORS = qualitative.Safe
_LAYOUT = {"template": "plotly_white", "margin": {"l": 110, "r": 30, "t": 60, "b": 50}}


def _stage_color(stage: str, stages: list[str]) -> str:
    return _COLORS[stages.index(stage) % len(_COLORS)] if stage in stages else "#999"


def swimlane(report: JourneyReport) -> go.Figure:
    """The slowest journeys as lanes from their application (day 0); each stage attempt a bar
    from entry to exit, an open one up to the report's time."""
    stages = [s.stage for s in report.stage_totals]
    journeys = {j.workflow_id: j for j in report.slowest}
    spans = [s for s in report.timelines if s.workflow_id in journeys]

    def days(a: datetime, b: datetime) -> float:
        return (b - a) / timedelta(days=1)

    fig = go.Figure()
    for stage in dict.fromkeys(s.stage for s in spans):
        mine = [s for s in spans if s.stage == stage]
        starts = [journeys[s.workflow_id].started_at for s in mine]
        ends = [s.exited_at or journeys[s.workflow_id].last_at for s in mine]
        fig.add_bar(
            name=stage,
            orientation="h",
            y=[s.workflow_id for s in mine],
            base=[days(t0, s.entered_at) for t0, s in zip(starts, mine, strict=True)],
            x=[days(s.entered_at, e) for s, e in zip(mine, ends, strict=True)],
            marker={
                "color": _stage_color(stage, stages),
                "pattern": {"shape": ["/" if s.exited_at is None else "" for s in mine]},
                "line": {"color": ["#c0392b" if s.breached else "white" for s in mine], "width": 2},
            },
            customdata=[
                [
                    s.attempt,
                    s.waits_on or "-",
                    human(s.seconds) + (" so far, open" if s.exited_at is None else ""),
                ]
                for s in mine
            ],
            hovertemplate=(
                f"<b>{stage}</b> attempt %{{customdata[0]}}<br>waits on %{{customdata[1]}}"
                "<br>%{customdata[2]}<extra>%{y}</extra>"
            ),
        )
    fig.update_layout(
        title="Swimlane: the slowest journeys (hatched: still open; red edge: SLA breached)",
        barmode="overlay",
        xaxis={"title": "days since the application", "rangemode": "tozero"},
        yaxis={"categoryorder": "array", "categoryarray": list(journeys), "autorange": "reversed"},
        height=max(300, 80 + 40 * len(journeys)),
        **_LAYOUT,
    )
    return fig


def durations(report: JourneyReport) -> go.Figure:
    """Box plots per stage from the SQL percentiles (whiskers min and max), one per product."""
    fig = go.Figure()
    products = sorted({s.product for s in report.stages})
    rows: list[tuple[str, list[StageStats]]] = [(ALL_PRODUCTS, report.stage_totals)]
    rows += [(p, [s for s in report.stages if s.product == p]) for p in products]
    for product, stats in rows:
        waited = [s for s in stats if s.p50 is not None]  # open waits too, to the report's time
        if not waited:
            continue
        fig.add_trace(
            go.Box(
                name=product,
                x=[s.stage for s in waited],
                q1=[s.p25 / H for s in waited if s.p25 is not None],
                median=[s.p50 / H for s in waited if s.p50 is not None],
                q3=[s.p75 / H for s in waited if s.p75 is not None],
                lowerfence=[s.min / H for s in waited if s.min is not None],
                upperfence=[s.max / H for s in waited if s.max is not None],
            )
        )
    fig.update_layout(
        title="Stage durations, per wait, open ones to the report's time (hours, log scale): "
        "box p25-p75, line p50, whiskers min-max",
        boxmode="group",
        yaxis={"type": "log", "title": "hours"},
        height=420,
        **_LAYOUT,
    )
    return fig


def sla_heat(report: JourneyReport) -> go.Figure:
    """Breach rate per stage and product; the text adds the warning rate."""
    stages = [s.stage for s in report.stage_totals]
    columns = [ALL_PRODUCTS, *sorted({s.product for s in report.stages})]
    cell = {(s.stage, s.product): s for s in [*report.stage_totals, *report.stages]}
    z, text = [], []
    for stage in stages:
        z.append([cell[stage, p].breach_rate if (stage, p) in cell else None for p in columns])
        text.append(
            [
                f"breach {cell[stage, p].breach_rate:.0%}<br>warn {cell[stage, p].warning_rate:.0%}"
                if (stage, p) in cell
                else ""
                for p in columns
            ]
        )
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=columns,
            y=stages,
            text=text,
            texttemplate="%{text}",
            colorscale="YlOrRd",
            zmin=0,
            zmax=max(0.2, max((v for row in z for v in row if v is not None), default=0)),
            colorbar={"title": "breach rate", "tickformat": ".0%"},
        )
    )
    fig.update_layout(
        title="SLA heat: breach rate per stage",
        yaxis={"autorange": "reversed"},
        height=420,
        **_LAYOUT,
    )
    return fig


def funnel(report: JourneyReport) -> go.Figure:
    """How many journeys reached each stage, and where the others left."""
    stages = [f.stage for f in report.funnel]
    fig = go.Figure(
        go.Funnel(
            y=stages,
            x=[f.reached for f in report.funnel],
            textinfo="value+percent initial",
            marker={"color": "#3b75af"},
            name="reached",
        )
    )
    for exit_, color in (("sent_back", "#f1c40f"), ("closed", "#27ae60"), ("rejected", "#c0392b"),
                         ("withdrawn", "#e67e22"), ("expired", "#7f8c8d"),
                         ("terminated", "#8e44ad")):
        counts = [getattr(f, exit_) for f in report.funnel]
        if any(counts):
            fig.add_bar(
                name=f"left: {exit_.replace('_', ' ')}", y=stages, x=counts, orientation="h",
                marker={"color": color}, xaxis="x2",
            )  # fmt: skip
    fig.update_layout(
        title="Funnel: journeys reaching each stage (bars on the right: where they left)",
        yaxis={"categoryorder": "array", "categoryarray": stages, "autorange": "reversed"},
        xaxis={"domain": [0, 0.7]},
        xaxis2={"domain": [0.75, 1], "title": "left here"},
        barmode="stack",
        height=420,
        **_LAYOUT,
    )
    return fig


def waiting(report: JourneyReport) -> go.Figure:
    """Stage time on the application path, split by whom the journey waited on: every
    journey's, an open wait up to the report's time, as in the stage table."""
    totals = [s for s in report.stage_totals if s.stage in APPLICATION_PATH]
    fig = go.Figure()
    parts = (
        ("customer", [s.customer_seconds for s in totals], "#e67e22"),
        ("bank", [s.bank_seconds for s in totals], "#3b75af"),
        (
            "system",
            [max(0.0, s.total_seconds - s.customer_seconds - s.bank_seconds) for s in totals],
            "#95a5a6",
        ),
    )
    for name, seconds, color in parts:
        fig.add_bar(
            name=f"waiting on {name}",
            y=[s.stage for s in totals],
            x=[v / H for v in seconds],
            orientation="h",
            marker={"color": color},
            hovertemplate="%{x:.1f} h<extra>%{y}</extra>",
        )
    fig.update_layout(
        title="Waiting on the customer vs the bank, application path stages (total hours, "
        "open waits to the report's time)",
        barmode="stack",
        yaxis={"autorange": "reversed"},
        xaxis={"title": "hours"},
        height=380,
        **_LAYOUT,
    )
    return fig


def _slowest_table(report: JourneyReport) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(j.workflow_id)}</td><td>{html.escape(j.product)}</td>"
        f"<td>{human(j.elapsed_seconds)}</td><td>{j.measured_to()}</td>"
        f"<td>{human(j.customer_seconds)}</td>"
        f"<td>{human(j.bank_seconds)}</td><td>{j.breaches}</td>"
        f"<td>{html.escape(j.final or 'running')}</td></tr>"
        for j in report.slowest
    )
    head = "journey product elapsed to customer bank breaches state".split()
    return (
        "<table><thead><tr>"
        + "".join(f"<th>{h}</th>" for h in head)
        + f"</tr></thead><tbody>{rows}</tbody></table>"
    )


def _touchpoint_summary(report: JourneyReport) -> str:
    t = report.touchpoints
    if t is None:
        return ""
    return (
        f'<div class="kpi"><div><b>{t.touchpoints}</b>touchpoints</div>'
        f"<div><b>{t.feedback}</b>feedback</div><div><b>{t.complaints}</b>complaints</div></div>"
        f'<div class="callout"><b>Top pain point:</b> {html.escape(pain_callout(t))}</div>'
    )


_CSS = """body{font-family:system-ui,sans-serif;margin:24px auto;max-width:1200px;color:#222}
.kpi{display:flex;gap:16px;margin:12px 0}.kpi div{background:#f4f6f8;padding:10px 16px;
border-radius:6px}.kpi b{display:block;font-size:1.4em}.callout{border-left:4px solid #c0392b;
padding:8px 14px;background:#fdf2f0;margin:12px 0}table{border-collapse:collapse;margin:12px 0}
td,th{padding:4px 10px;border-bottom:1px solid #ddd;text-align:left}.chart{margin:18px 0}
tr.team{font-weight:bold}"""


def render_html(report: JourneyReport, path: Path) -> Path:
    """Write the journey map to `path`: one page, plotly inlined, opens without a network;
    its moments on the bank's clock."""
    hours = bank_offset()
    figures = [
        swimlane(report),
        durations(report),
        sla_heat(report),
        funnel(report),
        waiting(report),
    ]
    touch = report.touchpoints
    if touch is not None:
        figures += touchpoint_figures(touch)
    charts = "".join(
        '<div class="chart">'
        + fig.to_html(full_html=False, include_plotlyjs=i == 0, div_id=f"chart-{i}")
        + "</div>"
        for i, fig in enumerate(figures)
    )
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Loan journey map</title>
<style>{_CSS}</style></head><body>
<h1>Loan journey map</h1>
<p>{html.escape(scope(report, hours))}; generated {moment_at(report.generated_at, hours)}</p>
<p>{html.escape(measured(report, hours))}</p>
<div class="kpi"><div><b>{report.journeys}</b>journeys</div><div><b>{report.events}</b>events</div>
<div><b>{len(report.stage_totals)}</b>stages seen</div></div>
<div class="callout"><b>Bottleneck:</b> {html.escape(bottleneck_says(report))}</div>
{_touchpoint_summary(report)}
<p>{html.escape(FUNNEL_MEANS)}</p>
{charts}
<h2>Slowest journeys</h2>
<p>From the application to the payout (post-loan left out); those not paid out to their end,
or to the report's time while they run.</p>
{_slowest_table(report)}
{whom_html(report)}
</body></html>
"""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path
