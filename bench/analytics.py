"""Analytics at a million events: the SQL report against a naive Python baseline, same run.

    .venv/bin/python bench/analytics.py [--events 1000000] [--db URL] [--results bench/RESULTS.md]

Generates synthetic journeys (seeded), bulk-loads their timing events into a fresh SQLite
file, then times `store.analytics.build_report` (aggregated in SQL) and a naive baseline
that loads every event into Python and aggregates in loops, checks that both give the same
figures, and times the idempotent write path, the CSV export and the HTML map on the way.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import random
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select  # noqa: E402

from journey.timeline import TimingEvent  # noqa: E402
from starter.journey_map import render_html  # noqa: E402
from store.analytics import (
    bottleneck,  # noqa: E402
    build_report,  # noqa: E402
)
from store.db import ready  # noqa: E402
from store.export import export_csv  # noqa: E402
from store.models import StageEventRow  # noqa: E402
from store.report_models import (  # noqa: E402
    ALL_PRODUCTS,
    APPLICATION_PATH,
    FunnelRow,
    JourneyReport,
    SlowJourney,
    StageStats,
)
from store.spans import TERMINAL_STATES  # noqa: E402
from store.timing import record_events  # noqa: E402

T = TypeVar("T")
START = datetime(2025, 1, 1, tzinfo=UTC)
PRODUCTS = (("working_capital", 0.6), ("fixed_asset", 0.25), ("project_finance", 0.15))
# stage, waits_on, median hours, chance to leave here (outcome), chance of a second attempt
FLOW = (
    ("intake", "system", 0.2, None, 0.0),
    ("documents", "system", 0.5, None, 0.0),
    ("completeness", "customer", 30.0, ("withdrawn", 0.08), 0.25),
    ("routing", "system", 0.05, None, 0.0),
    ("risk_review", "bank", 40.0, ("rejected", 0.12), 0.0),
    ("approval", "bank", 20.0, ("rejected", 0.06), 0.0),
    ("offer", "customer", 50.0, ("expired", 0.07), 0.0),
    ("disbursement", "system", 0.3, None, 0.0),
    ("post_loan", "bank", 2000.0, None, 0.0),
)
SLA_HOURS = {"completeness": 72, "risk_review": 48, "approval": 36, "offer": 120}


def synthetic_journey(rng: random.Random, n: int) -> Iterator[dict[str, Any]]:
    wf = f"loan-{n:07d}"
    product = rng.choices([p for p, _ in PRODUCTS], [w for _, w in PRODUCTS])[0]
    at = START + timedelta(minutes=rng.randrange(365 * 24 * 60))
    seq = 0
    stop = len(FLOW) if rng.random() > 0.05 else rng.randrange(1, len(FLOW))  # 5% still running

    def event(kind: str, stage: str, attempt: int, when: datetime, waits: str, **kw: Any) -> Any:
        nonlocal seq
        seq += 1
        return {
            "workflow_id": wf, "sequence": seq - 1, "type": kind, "stage": stage,
            "attempt": attempt, "at": when, "waits_on": waits, "product": product,
            "actor": None, "team": "risk-a" if stage == "risk_review" else None,
            "outcome": None, "channel": None, "detail": None,
        } | kw  # fmt: skip

    for i, (stage, waits, median_h, leave, retry) in enumerate(FLOW):
        attempts = 2 if rng.random() < retry else 1
        for attempt in range(1, attempts + 1):
            yield event("entered", stage, attempt, at, waits)
            hours = rng.lognormvariate(0, 0.9) * median_h
            sla = SLA_HOURS.get(stage)
            if sla and hours > 0.8 * sla:
                yield event("sla_warned", stage, attempt, at + timedelta(hours=0.8 * sla), waits)
            if sla and hours > sla:
                yield event("sla_breached", stage, attempt, at + timedelta(hours=sla), waits)
                escalated_at = at + timedelta(hours=sla, minutes=1)
                yield event("escalated", stage, attempt, escalated_at, waits)
            if i == stop:
                return
            at += timedelta(seconds=round(hours * 3600))
            if attempt < attempts:
                outcome = stage
            elif leave and rng.random() < leave[1]:
                outcome = leave[0]
            else:
                outcome = FLOW[i + 1][0] if i + 1 < len(FLOW) else "closed"
            yield event("exited", stage, attempt, at, waits, outcome=outcome, actor="officer")
            if outcome in ("withdrawn", "rejected", "expired", "closed"):
                return


def synthetic_events(total: int, seed: int = 7) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    n = made = 0
    while True:
        for e in synthetic_journey(rng, n):
            yield e
            made += 1
            if made == total:
                return
        n += 1


def timed(fn: Callable[[], T], repeat: int = 1) -> tuple[T, float]:
    """The result and the median wall time of `repeat` runs."""
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return result, statistics.median(times)  # type: ignore[return-value]


def timed_cpu(fn: Callable[[], T]) -> tuple[T, float, float]:
    """The result, the wall time and this process's CPU time of one run."""
    w0, c0 = time.perf_counter(), time.process_time()
    result = fn()
    return result, round(time.perf_counter() - w0, 2), round(time.process_time() - c0, 2)


def load(url: str, total: int) -> float:
    engine = ready(url)
    rows = synthetic_events(total)
    t0 = time.perf_counter()
    with engine.begin() as conn:
        while batch := [r for _, r in zip(range(50_000), rows, strict=False)]:
            conn.execute(insert(StageEventRow), batch)
    return time.perf_counter() - t0


def same_figures(sql: JourneyReport, naive: JourneyReport) -> list[str]:
    """Differences between the two reports' figures (empty: they agree)."""

    def key(r: JourneyReport) -> dict[str, Any]:
        stats = {
            (s.stage, s.product): (s.count, s.completed, s.p50, s.p90, s.max,
                                   round(s.customer_share, 6), round(s.breach_rate, 6))
            for s in [*r.stages, *r.stage_totals]
        }  # fmt: skip
        return {
            "stats": stats,
            "funnel": r.funnel,
            "slowest": [(j.workflow_id, j.elapsed_seconds, j.final) for j in r.slowest],
            "bottleneck": r.bottleneck,
        }

    a, b = key(sql), key(naive)
    return [k for k in a if a[k] != b[k]]


def _stats(stage: str, product: str, spans: list[dict[str, Any]]) -> StageStats:
    done = sorted(s["seconds"] for s in spans)  # the open ones up to the report's now
    n = len(done)

    def pct(p: int) -> float | None:
        return done[math.ceil(p * n / 100) - 1] if n else None

    total = sum(done)
    cust = sum(s["seconds"] for s in spans if s["seconds"] and s["waits_on"] == "customer")
    bank = sum(s["seconds"] for s in spans if s["seconds"] and s["waits_on"] == "bank")
    return StageStats(
        stage=stage, product=product, count=len(spans),
        completed=sum(1 for s in spans if s["exited"] is not None),
        p25=pct(25), p50=pct(50), p75=pct(75), p90=pct(90),
        min=done[0] if n else None, max=done[-1] if n else None,
        total_seconds=total, customer_seconds=cust, bank_seconds=bank,
        customer_share=cust / total if total else 0.0, bank_share=bank / total if total else 0.0,
        warning_rate=sum(s["warned"] for s in spans) / len(spans),
        breach_rate=sum(s["breached"] for s in spans) / len(spans),
        escalation_rate=sum(s["escalated"] for s in spans) / len(spans),
    )  # fmt: skip


def _funnel_row(stage: str, ss: list[dict[str, Any]], order: dict[str, int]) -> FunnelRow:
    """Each journey by its last attempt of the stage: forward, back, an end, or still in."""
    last: dict[str, dict[str, Any]] = {}
    for s in sorted(ss, key=lambda s: s["attempt"]):
        last[s["wf"]] = s
    row = FunnelRow(stage=stage, reached=len(last))
    for s in last.values():
        outcome = s["outcome"]
        if s["exited"] is None or outcome == stage:
            row.in_stage += 1
        elif outcome in TERMINAL_STATES:
            setattr(row, outcome, getattr(row, outcome) + 1)
        elif order[outcome] > order[stage]:
            row.advanced += 1
        else:
            row.sent_back += 1
    return row


def naive_report(url: str, now: datetime) -> JourneyReport:
    """The baseline: every event into Python, spans and figures built in loops."""
    e = StageEventRow
    cols = (e.workflow_id, e.stage, e.attempt, e.type, e.at, e.waits_on, e.product, e.outcome)
    spans: dict[tuple[str, str, int], dict[str, Any]] = {}
    n_events = 0
    with ready(url).connect() as conn:
        for wf, stage, attempt, kind, at, waits, product, outcome in conn.execute(select(*cols)):
            n_events += 1
            if kind == "touchpoint":
                continue
            s = spans.setdefault(
                (wf, stage, attempt),
                {"wf": wf, "stage": stage, "attempt": attempt, "product": product,
                 "entered": None, "exited": None,
                 "waits_on": None, "outcome": None, "warned": 0, "breached": 0, "escalated": 0},
            )  # fmt: skip
            if kind == "entered":
                s["entered"], s["waits_on"] = at, waits
            elif kind == "exited":
                s["exited"], s["outcome"] = at, outcome
            else:
                s[{"sla_warned": "warned", "sla_breached": "breached"}.get(kind, kind)] = 1
    by_stage: dict[str, list[dict[str, Any]]] = defaultdict(list)
    by_stage_product: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    by_journey: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for s in spans.values():
        if s["entered"] is None:
            continue
        s["seconds"] = ((s["exited"] or now) - s["entered"]).total_seconds()
        by_journey[s["wf"]].append(s)
        if s["stage"] not in TERMINAL_STATES:
            by_stage[s["stage"]].append(s)
            by_stage_product[s["stage"], s["product"]].append(s)
    order = {s: i for i, s in enumerate(f[0] for f in FLOW)}
    totals = sorted((_stats(k, ALL_PRODUCTS, v) for k, v in by_stage.items()),
                    key=lambda x: order[x.stage])  # fmt: skip
    stages = sorted((_stats(k, p, v) for (k, p), v in by_stage_product.items()),
                    key=lambda x: (order[x.stage], x.product))  # fmt: skip
    funnel = [_funnel_row(stage, ss, order) for stage, ss in by_stage.items()]
    slow = []
    for wf, every in by_journey.items():
        ss = [s for s in every if s["stage"] in APPLICATION_PATH]
        if not ss:
            continue
        first = min(s["entered"] for s in ss)
        last = max(s["exited"] or now for s in ss)
        slow.append(SlowJourney(
            workflow_id=wf, product=ss[0]["product"], started_at=first, last_at=last,
            elapsed_seconds=(last - first).total_seconds(), stages=len(ss),
            customer_seconds=sum(s["seconds"] for s in ss if s["waits_on"] == "customer"),
            bank_seconds=sum(s["seconds"] for s in ss if s["waits_on"] == "bank"),
            paid_out=any(s["stage"] == "post_loan" for s in every),
            breaches=sum(s["breached"] for s in ss),
            final=next((s["outcome"] for s in every if s["outcome"] in TERMINAL_STATES), None),
        ))  # fmt: skip
    slow.sort(key=lambda j: (-j.elapsed_seconds, j.workflow_id))
    paid = {j.workflow_id for j in slow if j.paid_out}
    to_payout = [
        _stats(k, ALL_PRODUCTS, [s for s in v if s["wf"] in paid])
        for k, v in by_stage.items()
        if k in APPLICATION_PATH and any(s["wf"] in paid for s in v)
    ]
    return JourneyReport(
        generated_at=now, journeys=len(by_journey), events=n_events,
        stages=stages, stage_totals=totals, funnel=sorted(funnel, key=lambda f: order[f.stage]),
        slowest=slow[:10], paid_out=len(paid),
        bottleneck=bottleneck(to_payout, totals, len(paid)),
    )  # fmt: skip


def idempotent_writes(url: str, n: int = 20_000) -> tuple[float, float, int]:
    """Seconds to record `n` new events through record_events, then to re-record them."""
    events = [
        TimingEvent.model_validate(r | {"workflow_id": "rewrite-" + r["workflow_id"]})
        for r in synthetic_events(n, seed=11)
    ]
    inserted, first = timed(lambda: record_events(url, events))
    again, second = timed(lambda: record_events(url, events))
    assert inserted == n and again == 0, (inserted, again)
    return first, second, n


def write_section(path: Path, body: str, *, append: bool) -> None:
    """Put `body` into the file's `## Analytics` section (replacing it, or at its end with
    `append`); the rest of the file (other engineers' sections) is left as it is."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    start = text.find("## Analytics")
    if start < 0:
        text = (text.rstrip() + "\n\n" if text.strip() else "") + "## Analytics\n\n" + body
    else:
        end = text.find("\n## ", start + 1)
        end = len(text) if end < 0 else end + 1
        kept = text[start:end].rstrip() + "\n\n" if append else "## Analytics\n\n"
        text = text[:start] + kept + body + ("\n" + text[end:] if text[end:] else "")
    path.write_text(text, encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--db", help="SQLAlchemy URL of an empty database [a new SQLite file]")
    ap.add_argument("--repeat", type=int, default=3, help="runs of the SQL report (median)")
    ap.add_argument("--results", type=Path, help="write the ## Analytics section of this file")
    ap.add_argument("--append", action="store_true", help="add to that section, not replace")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-analytics-"))
    url = args.db or f"sqlite:///{work / 'journey.db'}"

    load_s = load(url, args.events)
    print(f"loaded {args.events:,} events in {load_s:.1f} s", flush=True)
    # interleaved, so that load from other processes on the machine hits both alike
    sql_runs: list[tuple[float, float]] = []
    naive_runs: list[tuple[float, float]] = []
    rss_sql = 0.0
    now = datetime.now(UTC).replace(microsecond=0)  # both count the open waits up to it
    for i in range(args.repeat):
        sql, wall, cpu = timed_cpu(lambda: build_report(url, now=now))
        sql_runs.append((wall, cpu))
        if i == 0:
            rss_sql = _peak_rss_mib()
        naive, wall, cpu = timed_cpu(lambda: naive_report(url, now))
        naive_runs.append((wall, cpu))
        print(f"run {i + 1}: SQL {sql_runs[-1]}, naive {naive_runs[-1]} (wall, cpu s)", flush=True)
    rss_naive = _peak_rss_mib()
    sql_s, sql_cpu = (statistics.median(r[k] for r in sql_runs) for k in (0, 1))
    naive_s, naive_cpu = (statistics.median(r[k] for r in naive_runs) for k in (0, 1))
    diff = same_figures(sql, naive)
    assert sql.events == naive.events == args.events, (sql.events, naive.events)
    print("figures agree" if not diff else f"FIGURES DIFFER: {diff}", flush=True)
    product, product_s = timed(lambda: build_report(url, product="project_finance"))
    n_csv, csv_s = timed(lambda: export_csv(url, work / "log.csv"))
    _, html_s = timed(lambda: render_html(sql, work / "map.html"))
    first_s, again_s, n_rw = idempotent_writes(url)

    db_file = Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None
    size = f"{db_file.stat().st_size / 2**20:.0f} MiB" if db_file else "-"
    if db_file:
        backend = f"SQLite {sqlite3.sqlite_version}"
        where = f"in one SQLite file ({size}, WAL)"
    else:
        version = ".".join(map(str, ready(url).dialect.server_version_info or ()))
        backend = f"PostgreSQL {version} (same machine)"
        where = f"in PostgreSQL {version} on the same machine (default settings)"
    command = " ".join(["python bench/analytics.py", *sys.argv[1:]])
    body = f"""### {backend}

`{command}` on {platform.machine()}, {_cpus()} CPUs, Python {platform.python_version()}.

{args.events:,} synthetic timing events ({sql.journeys:,} journeys, seeded) {where}.
The SQL report (`store.analytics.build_report`) against a naive baseline that
loads every event into Python and aggregates in loops, in the same run on the same database:

| step | time |
|---|---|
| bulk load {args.events:,} events | {load_s:.1f} s |
| **SQL report**, wall (median of {args.repeat}, interleaved) | **{sql_s:.2f} s** |
| naive Python report, same figures, wall (median of {args.repeat}) | {naive_s:.2f} s |
| **ratio naive / SQL, wall** | **{naive_s / sql_s:.1f}x** |
| CPU time of this process: SQL report / naive report | {sql_cpu:.2f} s / {naive_cpu:.2f} s |
| SQL report, one product ({product.journeys:,} journeys) | {product_s:.2f} s |
| CSV event log ({n_csv:,} events) | {csv_s:.1f} s |
| HTML journey map | {html_s:.2f} s |
| `record_events`, {n_rw:,} new events in one call | {first_s:.2f} s |
| `record_events`, the same {n_rw:,} again (all skipped) | {again_s:.2f} s |

Peak memory of the process: {rss_sql:.0f} MiB after the bulk load and the SQL reports,
{rss_naive:.0f} MiB once the naive report had run (it holds every span in Python).
The two reports' figures agree: {"yes" if not diff else "NO: " + ", ".join(diff)}
(count, p50, p90, max, waiting share and breach rate per stage and product, open waits
counted to the report's time; funnel; the slowest ten; the bottleneck).
Bottleneck found: {sql.bottleneck.reason if sql.bottleneck else "-"}.
"""
    if args.results:
        write_section(args.results, body, append=args.append)
    print(body, flush=True)
    if diff:
        sys.exit(1)


def _cpus() -> int:
    return len(os.sched_getaffinity(0))


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    main()
