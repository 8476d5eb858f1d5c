"""Prometheus metrics of a worker: the Temporal SDK's own, and the journey's.

Two endpoints, on purpose. The SDK's exporter lives in the Rust core with its own registry
and HTTP server; it cannot serve prometheus_client objects, and proxying one through the
other would parse every scrape. So a worker with `LOAN_JOURNEY_METRICS_PORT=P` serves the
SDK's metrics (`temporal_*`) on P and the journey's (below) on P + 1: see
`start_worker_metrics`. The journey's endpoint also carries prometheus_client's default
process and GC metrics, which the SDK does not export.

The journey's metrics, fed by the activities through the `observe_*` helpers:

- `journey_stage_transitions_total{stage,outcome}`: a stage was left for `outcome`
  (the next stage or a terminal state);
- `journey_sla_events_total{stage,type,waits_on}`: `type` is warned, breached or escalated,
  `waits_on` whom the stage waited on (bank or customer: whose lateness it is); a loan's
  early warning, stored as an escalated event, is `type="early_warning"`, no SLA's escalation;
- `ocr_seconds{kind}`: a histogram of the time one document took to OCR;
- `ocr_failures_total{reason}`: documents whose OCR failed, by a short reason code;
- `journey_history_archive_last_pass_timestamp_seconds`: when this worker last completed an
  archiving pass (activities/archive.py), and `journey_histories_archived_total` /
  `journey_histories_lost_total`: closed runs' histories it kept, and those the namespace's
  retention deleted before a pass could keep them;
- `journey_dependency_up{dependency}`: whether the worker's background check last reached
  Temporal and the journey database (activities/health.py, which also serves /healthz and
  /ready on this port).

A labelled series exists only once it is first counted, and `increase()` over a series born
at 1 is 0: the first SLA breach or engine failure would page no one. So a worker serves every
label combination the domain knows at 0 from its start (`seed_series`): SLA events by stage,
type and party; stage exits forward and to each end; OCR failures by every reason code of
the OCR package and reads by document kind. A few hundred series, bounded by the enums.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING
from wsgiref.simple_server import WSGIServer

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
)
from temporalio.runtime import LoggingConfig, PrometheusConfig, Runtime, TelemetryConfig

from journey.archive_contracts import ArchivePassResult
from journey.documents import DocumentKind
from journey.stages import ORDER, TERMINAL, Party, Stage
from journey.timeline import EARLY_WARNING, EventType, TimingEvent

if TYPE_CHECKING:  # imported where it serves, as `serve` is
    from activities.health import Readiness

# A `*_created` series beside each counter and histogram doubled the series of the journey,
# and no alert or dashboard reads one: a restart shows as process_start_time_seconds.
disable_created_metrics()

JOURNEY_METRICS_PORT_OFFSET = 1
"""The journey's endpoint listens on the SDK's port plus this."""

STAGE_TRANSITIONS = Counter(
    "journey_stage_transitions",
    "Stages left, by stage and by where the journey went next.",
    ["stage", "outcome"],
)
SLA_EVENTS = Counter(
    "journey_sla_events",
    "SLA warnings, breaches and escalations, by stage and by whom the stage waited on.",
    ["stage", "type", "waits_on"],
)
OCR_SECONDS = Histogram(
    "ocr_seconds",
    "Seconds to OCR one document, by document kind.",
    ["kind"],
    buckets=(0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 120.0),
)
OCR_FAILURES = Counter(
    "ocr_failures",
    "Documents whose OCR failed, by reason code.",
    ["reason"],
)

ARCHIVE_LAST_PASS = Gauge(
    "journey_history_archive_last_pass_timestamp_seconds",
    "When this worker last completed a pass of the history archivist (unix time).",
)
HISTORIES_ARCHIVED = Counter(
    "journey_histories_archived", "Closed runs' histories the archivist kept."
)
HISTORIES_LOST = Counter(
    "journey_histories_lost",
    "Closed runs the namespace's retention deleted before the archivist kept their history.",
)

_SLA_TYPES = {
    EventType.SLA_WARNED: "warned",
    EventType.SLA_BREACHED: "breached",
    EventType.ESCALATED: "escalated",
}
_OUTCOMES = frozenset(stage.value for stage in Stage)
_MAX_REASON = 40
_EARLY_WARNING = "early_warning"


def seed_series() -> None:
    """Every label combination the domain knows, at 0 (the module's docstring says why)."""
    # here, in the worker that seeds them: `ocr` loads opencv and numpy (0.3-0.4 s), and the
    # command line imports this module (archive_cli) without reading a scan
    from ocr.errors import reasons

    for stage in (s for s in ORDER if not s.terminal):
        onward = ORDER[ORDER.index(stage) + 1]
        for outcome in {onward, *TERMINAL}:
            STAGE_TRANSITIONS.labels(stage=stage.value, outcome=outcome.value)
        for kind in (*_SLA_TYPES.values(), _EARLY_WARNING):
            for party in Party:
                SLA_EVENTS.labels(stage=stage.value, type=kind, waits_on=party.value)
    for reason in reasons():
        OCR_FAILURES.labels(reason=reason)
    for document in DocumentKind:
        OCR_SECONDS.labels(kind=document.value)


def observe_timing_events(events: Iterable[TimingEvent]) -> None:
    """Counts stage exits and SLA events.

    Pass only the events the timing sink newly stored (not those a retry finds already
    there), so a retried batch is not counted twice.
    """
    for event in events:
        stage = event.stage.value
        if event.type is EventType.EXITED:
            STAGE_TRANSITIONS.labels(stage=stage, outcome=_outcome(event.outcome)).inc()
        elif event.type in _SLA_TYPES:
            early = (event.detail or "").startswith(EARLY_WARNING)  # as the report tells them
            SLA_EVENTS.labels(
                stage=stage, type=_EARLY_WARNING if early else _SLA_TYPES[event.type],
                waits_on=event.waits_on.value,
            ).inc()


def observe_ocr(kind: str, seconds: float, failed_reason: str | None = None) -> None:
    """Records one document's OCR time and, when it failed, why.

    `failed_reason` is a short code such as `timeout`, `engine_error` or `unreadable`,
    never an error message: every distinct value is a new time series.
    """
    OCR_SECONDS.labels(kind=kind).observe(seconds)
    if failed_reason is not None:
        OCR_FAILURES.labels(reason=failed_reason.strip().lower()[:_MAX_REASON] or "unknown").inc()


def observe_archive_pass(done: ArchivePassResult, finished: datetime) -> None:
    """Records one complete archiving pass."""
    HISTORIES_ARCHIVED.inc(done.archived)
    HISTORIES_LOST.inc(done.gone)
    ARCHIVE_LAST_PASS.set(finished.timestamp())


def runtime_with_prometheus(port: int, host: str,
                            logs: LoggingConfig = LoggingConfig.default) -> Runtime:
    """A Temporal runtime whose core serves the SDK's metrics on `host:port` (and writes
    its log lines as `logs` says).

    Pass it to `Client.connect(..., runtime=...)`; the endpoint serves from now on.
    """
    bound = f"[{host}]" if ":" in host else host  # an IPv6 address in brackets
    metrics = PrometheusConfig(bind_address=f"{bound}:{port}")
    return Runtime(telemetry=TelemetryConfig(metrics=metrics, logging=logs))


def start_journey_metrics_server(
    port: int, host: str, registry: CollectorRegistry = REGISTRY,
    readiness: Readiness | None = None,
) -> WSGIServer:
    """Serves the journey's metrics on `host:port` from a daemon thread, with the worker's
    liveness and readiness (activities/health.py: /healthz, /ready; any other path 404).
    Another process (the notifier) passes its own registry and `readiness`, so that it serves
    only its own series and says ready when it is.

    Returns the server: `server_port` is the bound port (useful with port 0), and
    `shutdown()` stops it.
    """
    from activities.health import READINESS, serve

    return serve(port, host, registry, readiness or READINESS)


def start_worker_metrics(port: int, host: str,
                         logs: LoggingConfig = LoggingConfig.default
                         ) -> tuple[Runtime, WSGIServer]:
    """Both endpoints of a worker: the SDK's on `port`, the journey's on the next port, which
    serves every known series from the start (`seed_series`)."""
    seed_series()
    runtime = runtime_with_prometheus(port, host, logs)
    server = start_journey_metrics_server(port + JOURNEY_METRICS_PORT_OFFSET, host)
    return runtime, server


def _outcome(outcome: str | None) -> str:
    if outcome is None:
        return "none"
    return outcome if outcome in _OUTCOMES else "other"


__all__ = [
    "JOURNEY_METRICS_PORT_OFFSET",
    "observe_archive_pass",
    "observe_ocr",
    "observe_timing_events",
    "runtime_with_prometheus",
    "seed_series",
    "start_journey_metrics_server",
    "start_worker_metrics",
]
