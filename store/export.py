"""Event-log export for process mining: CSV and XES that PM4Py reads as they are.

One event per stage attempt (an interval: `start_timestamp` = entered, `time:timestamp` =
exited, lifecycle `complete`; a stage still open is a `start` event at its entry), plus one
event for the terminal state a journey ended in (rejected, withdrawn, expired, closed).
Case attributes: `case:product` and `case:final_state`. Rows stream from SQL in case order.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from sqlalchemy import case, func, select

from store.db import ready
from store.spans import TERMINAL_STATES, spans_select

CSV_COLUMNS = [
    "case:concept:name",
    "concept:name",
    "start_timestamp",
    "time:timestamp",
    "lifecycle:transition",
    "org:resource",
    "org:group",
    "case:product",
    "case:final_state",
    "attempt",
    "outcome",
    "duration_seconds",
    "sla_warned",
    "sla_breached",
    "escalated",
    "early_warning",
]


def _iso(t: datetime) -> str:
    return t.isoformat(timespec="milliseconds")


def log_events(url: str, product: str | None = None) -> Iterator[dict[str, Any]]:
    """The event log, one dict per event, ordered by case and time."""
    sp = spans_select(product).cte("spans")
    final = func.max(case((sp.c.outcome.in_(TERMINAL_STATES), sp.c.outcome)))
    query = (
        select(sp, final.over(partition_by=sp.c.workflow_id).label("final_state"))
        .where(sp.c.stage.not_in(TERMINAL_STATES))
        .order_by(sp.c.workflow_id, sp.c.entered_at, sp.c.attempt)
    )
    with ready(url).connect() as conn:
        for r in conn.execution_options(stream_results=True, yield_per=5000).execute(query):
            done = r.exited_at is not None
            event = {
                "case:concept:name": r.workflow_id,
                "concept:name": r.stage,
                "start_timestamp": _iso(r.entered_at),
                "time:timestamp": _iso(r.exited_at if done else r.entered_at),
                "lifecycle:transition": "complete" if done else "start",
                # who did it (the person whose decision ended the stage), else whose turn it was
                "org:resource": r.actor or r.team or r.waits_on or "system",
                "org:group": r.team or r.waits_on or "system",
                "case:product": r.product,
                "case:final_state": r.final_state or "open",
                "attempt": r.attempt,
                "outcome": r.outcome or "",
                "duration_seconds": r.seconds if done else "",
                "sla_warned": bool(r.warned),
                "sla_breached": bool(r.breached),
                "escalated": bool(r.escalated),  # by an SLA
                "early_warning": bool(r.early_warned),  # a loan's, to its risk team
            }
            yield event
            if r.outcome in TERMINAL_STATES:
                yield event | {
                    "concept:name": r.outcome,
                    "org:resource": r.actor or "system",  # who ended it: a person, or the rules
                    "org:group": r.team or "system",
                    "start_timestamp": event["time:timestamp"],
                    "lifecycle:transition": "complete",
                    "attempt": 1,
                    "outcome": "",
                    "duration_seconds": 0.0,
                    "sla_warned": False,
                    "sla_breached": False,
                    "escalated": False,
                    "early_warning": False,
                }


def export_csv(url: str, path: Path, *, product: str | None = None) -> int:
    """Write the event log as CSV; return the number of events."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        for n, event in enumerate(log_events(url, product), start=1):  # noqa: B007
            writer.writerow(event)
    return n


_XES_HEAD = """<?xml version="1.0" encoding="UTF-8" ?>
<log xes.version="1849-2016" xes.features="nested-attributes" xmlns="http://www.xes-standard.org/">
<extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
<extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>
<extension name="Lifecycle" prefix="lifecycle" uri="http://www.xes-standard.org/lifecycle.xesext"/>
<extension name="Organizational" prefix="org" uri="http://www.xes-standard.org/org.xesext"/>
<global scope="trace"><string key="concept:name" value="__INVALID__"/></global>
<global scope="event">
<string key="concept:name" value="__INVALID__"/>
<date key="time:timestamp" value="1970-01-01T00:00:00.000+00:00"/>
<string key="lifecycle:transition" value="complete"/>
</global>
<classifier name="Activity" keys="concept:name"/>
"""
_DATES = ("time:timestamp", "start_timestamp")
_TRACE_KEYS = ("case:concept:name", "case:product", "case:final_state")


def _attr(key: str, value: Any) -> str:
    if key in _DATES:
        kind = "date"
    elif isinstance(value, bool):
        kind, value = "boolean", str(value).lower()
    elif isinstance(value, int):
        kind = "int"
    elif isinstance(value, float):
        kind = "float"
    else:
        kind = "string"
    return f"<{kind} key={quoteattr(key)} value={quoteattr(str(value))}/>"


def export_xes(url: str, path: Path, *, product: str | None = None) -> int:
    """Write the event log as XES (IEEE 1849); return the number of events."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    case_id = None
    with path.open("w", encoding="utf-8") as fh:
        fh.write(_XES_HEAD)
        for event in log_events(url, product):
            if event["case:concept:name"] != case_id:
                if case_id is not None:
                    fh.write("</trace>\n")
                case_id = event["case:concept:name"]
                trace = "".join(_attr(k.removeprefix("case:"), event[k]) for k in _TRACE_KEYS)
                fh.write(f"<trace>{trace}\n")
            attrs = "".join(
                _attr(k, v) for k, v in event.items() if k not in _TRACE_KEYS and v != ""
            )
            fh.write(f"<event>{attrs}</event>\n")
            n += 1
        if case_id is not None:
            fh.write("</trace>\n")
        fh.write("</log>\n")
    return n
