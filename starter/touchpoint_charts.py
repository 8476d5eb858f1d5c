"""The journey map's human side: five charts of a report's touchpoint figures.

The satisfaction curve across stages, touchpoints per stage by channel, pain points ranked,
complaint categories per stage, and waiting time against score per stage.
"""

from __future__ import annotations

import html

import plotly.graph_objects as go  # type: ignore[import-untyped]
from plotly.colors import qualitative  # type: ignore[import-untyped]

from store.report_models import (
    UNKNOWN_CHANNEL,
    UNKNOWN_CHANNEL_MEANS,
    TouchpointReport,
    human,
)

_COLORS = qualitative.Safe
_LAYOUT = {"template": "plotly_white", "margin": {"l": 110, "r": 30, "t": 60, "b": 50}}


def satisfaction_curve(t: TouchpointReport) -> go.Figure:
    """Average CSAT per stage in journey order; NPS on the right axis where asked."""
    rated = [s for s in t.satisfaction if s.csat_avg is not None]
    fig = go.Figure()
    fig.add_scatter(
        name="CSAT (1-5)",
        x=[s.stage for s in rated],
        y=[s.csat_avg for s in rated],
        mode="lines+markers+text",
        text=[f"{s.csat_avg:.1f}" for s in rated],
        textposition="top center",
        customdata=[s.csat_n for s in rated],
        hovertemplate="%{x}: %{y:.2f} from %{customdata} answer(s)<extra></extra>",
        line={"color": "#3b75af", "width": 3},
    )
    nps = [s for s in t.satisfaction if s.nps is not None]
    if nps:
        fig.add_bar(
            name="NPS (-100..100)",
            x=[s.stage for s in nps],
            y=[s.nps for s in nps],
            yaxis="y2",
            opacity=0.35,
            marker={"color": "#e67e22"},
        )
    fig.update_layout(
        title="Satisfaction curve: how customers felt at each stage",
        yaxis={"title": "average CSAT", "range": [0.5, 5.5]},
        yaxis2={"title": "NPS", "overlaying": "y", "side": "right", "range": [-100, 100]},
        xaxis={"categoryorder": "array", "categoryarray": [s.stage for s in t.satisfaction]},
        height=400,
        **_LAYOUT,
    )
    return fig


def channel_mix(t: TouchpointReport) -> go.Figure:
    """Touchpoints per stage, stacked by channel."""
    stages = list(dict.fromkeys(c.stage for c in t.channels))
    fig = go.Figure()
    for i, channel in enumerate(sorted({c.channel for c in t.channels})):
        count = {c.stage: c.touchpoints for c in t.channels if c.channel == channel}
        fig.add_bar(
            name=channel,
            x=stages,
            y=[count.get(s, 0) for s in stages],
            marker={"color": _COLORS[i % len(_COLORS)]},
        )
    unknown = any(c.channel == UNKNOWN_CHANNEL for c in t.channels)
    fig.update_layout(
        title=f"Touchpoints per stage and the channel mix ({t.touchpoints} touchpoints)"
        + (f"<br><sub>{html.escape(UNKNOWN_CHANNEL_MEANS)}</sub>" if unknown else ""),
        barmode="stack",
        yaxis={"title": "touchpoints"},
        height=400,
        **_LAYOUT,
    )
    return fig


def pain_points(t: TouchpointReport) -> go.Figure:
    """Stages ranked by the raters' hours in the stage x (5 - CSAT), worst on top."""
    points = t.pain_points
    fig = go.Figure(
        go.Bar(
            orientation="h",
            y=[p.stage for p in points],
            x=[p.pain for p in points],
            marker={"color": "#c0392b"},
            customdata=[[human(p.avg_wait_seconds), p.csat_avg, p.csat_n] for p in points],
            hovertemplate=(
                "%{y}: its raters spent %{customdata[0]} there on average, CSAT "
                "%{customdata[1]:.1f} (%{customdata[2]} answers)<extra>pain %{x:.1f}</extra>"
            ),
        )
    )
    fig.update_layout(
        title="Pain points: hours the raters spent in the stage x (5 - average CSAT)",
        yaxis={"autorange": "reversed"},
        xaxis={"title": "pain (hours x dissatisfaction)"},
        height=max(300, 80 + 40 * len(points)),
        **_LAYOUT,
    )
    return fig


def complaints(t: TouchpointReport) -> go.Figure:
    """Complaints per stage, stacked by category."""
    stages = list(dict.fromkeys(c.stage for c in t.complaint_categories))
    fig = go.Figure()
    for i, category in enumerate(sorted({c.category for c in t.complaint_categories})):
        count = {c.stage: c.complaints for c in t.complaint_categories if c.category == category}
        fig.add_bar(
            name=category,
            x=stages,
            y=[count.get(s, 0) for s in stages],
            marker={"color": _COLORS[(i + 3) % len(_COLORS)]},
        )
    fig.update_layout(
        title=f"Complaint categories per stage ({t.complaints} complaints)",
        barmode="stack",
        yaxis={"title": "complaints", "dtick": 1},
        height=380,
        **_LAYOUT,
    )
    return fig


def wait_vs_score(t: TouchpointReport) -> go.Figure:
    """Per stage, each journey's hours in the stage against its CSAT about it."""
    fig = go.Figure()
    for i, w in enumerate(t.wait_vs_score):
        r = "r n/a" if w.correlation is None else f"r = {w.correlation:+.2f}"
        fig.add_scatter(
            name=f"{w.stage} ({r}, n={w.n})",
            x=[x for x, _ in w.points],
            y=[y for _, y in w.points],
            mode="markers",
            marker={"size": 10, "color": _COLORS[i % len(_COLORS)], "opacity": 0.8},
            hovertemplate=f"{html.escape(w.stage)}: %{{x:.1f}} h, CSAT %{{y:.1f}}<extra></extra>",
        )
    fig.update_layout(
        title="Waiting time vs score per stage (one point per journey; Pearson's r)",
        xaxis={"title": "hours in the stage", "rangemode": "tozero"},
        yaxis={"title": "CSAT", "range": [0.5, 5.5]},
        height=420,
        **_LAYOUT,
    )
    return fig


def touchpoint_figures(t: TouchpointReport) -> list[go.Figure]:
    return [satisfaction_curve(t), channel_mix(t), pain_points(t), complaints(t), wait_vs_score(t)]


def pain_callout(t: TouchpointReport) -> str:
    if not t.pain_points:
        return "none yet: no satisfaction scores recorded"
    p = t.pain_points[0]
    return (
        f"{p.stage}: the customers who rated it spent {human(p.avg_wait_seconds)} there on "
        f"average ({p.customer_share:.0%} of it the bank waiting on them, the rest on the "
        f"bank or its systems) and rate it {p.csat_avg:.1f} of 5 ({p.csat_n} answers)"
    )
