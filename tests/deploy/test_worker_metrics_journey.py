"""The worker's metrics fed by real journeys: a journey on the time-skipping server moves
`journey_stage_transitions_total` once per stage it leaves, and `worker.run` with a metrics
port serves both endpoints."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import os
import signal
import sys
from pathlib import Path

import httpx
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from temporalio.testing import WorkflowEnvironment

import worker
from activities.metrics import JOURNEY_METRICS_PORT_OFFSET
from journey.documents import DocumentKind
from journey.settings import Settings
from journey.stages import TERMINAL, Party, Stage
from ocr.errors import reasons
from tests.deploy.deploy_files import ROOT
from tests.deploy.test_process_exit import IMAGE_WORKER
from tests.ports import free_port_pair
from tests.post_loan.loan_kit import settle_at_quote
from tests.workflows import journey_kit
from tests.workflows.journey_kit import (
    WALK,
    drive_to,
    new_application,
    running_journey,
)

LEFT = list(zip(WALK[:-1], WALK[1:], strict=True))


def _transitions() -> dict[tuple[Stage, Stage], float]:
    return {
        (stage, outcome): REGISTRY.get_sample_value(
            "journey_stage_transitions_total", {"stage": stage.value, "outcome": outcome.value}
        )
        or 0.0
        for stage, outcome in LEFT
    }


async def test_a_closed_journey_counts_each_stage_it_left_once(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    journey_kit.TODAY = (await time_skipping_env.get_current_time()).date()
    docs, app = new_application()
    before = _transitions()
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (_, handle):
        running = await drive_to(handle, app, Stage.POST_LOAN)
        await settle_at_quote(handle, running, "TX-METRICS")
        assert (await handle.result()).outcome is Stage.CLOSED
    after = _transitions()
    assert {k: after[k] - before[k] for k in LEFT} == dict.fromkeys(LEFT, 1.0)


async def _get(url: str, family: str) -> httpx.Response:
    """The endpoint's page once it lists `family`: the SDK's exporter answers with an empty
    page until the worker has recorded its first metric."""
    last: httpx.Response | None = None
    async with httpx.AsyncClient() as http:
        for _ in range(300):
            with contextlib.suppress(httpx.TransportError):
                last = await http.get(url, timeout=2)
                if family in last.text:
                    return last
            await asyncio.sleep(0.1)
    raise AssertionError(f"{url} never listed {family}: {last and last.text[:500]!r}")


def _listening(port: int) -> set[str]:
    """The addresses sockets listen on at `port`, from the kernel's tables (state 0A)."""
    found = set()
    for table, width in (("tcp", 4), ("tcp6", 16)):
        for line in Path(f"/proc/net/{table}").read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, at = local.split(":")
            if state == "0A" and int(at, 16) == port:
                words = [bytes.fromhex(address[i:i + 8])[::-1] for i in range(0, len(address), 8)]
                found.add(str(ipaddress.ip_address(b"".join(words)[:width])))
    return found


async def _served(env: WorkflowEnvironment, tmp_path: Path, host: str | None
                  ) -> tuple[int, httpx.Response, httpx.Response, set[str], set[str]]:
    """`worker.run` with a metrics port (and LOAN_JOURNEY_METRICS_HOST `host`, unless None):
    both pages, and the addresses each port listens on."""
    port = free_port_pair(JOURNEY_METRICS_PORT_OFFSET)
    settings = Settings(
        data_dir=tmp_path,
        temporal_address=env.client.service_client.config.target_host,
        task_queue=f"metrics-run-{port}",
        metrics_port=port,
        **({} if host is None else {"metrics_host": host}),
    )
    at = "127.0.0.1" if host is None else f"[{host}]" if ":" in host else host
    running = asyncio.create_task(worker.run(settings))
    try:
        sdk = await _get(f"http://{at}:{port}/metrics", "temporal_")
        journey = await _get(f"http://{at}:{port + JOURNEY_METRICS_PORT_OFFSET}/metrics",
                             "journey_stage_transitions")
        return (port, sdk, journey, _listening(port),
                _listening(port + JOURNEY_METRICS_PORT_OFFSET))
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running


async def test_worker_run_with_a_metrics_port_serves_sdk_and_journey_metrics(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    """On this machine alone by default: a worker's metrics name the bank's teams and staff."""
    _, sdk, journey, sdk_at, journey_at = await _served(time_skipping_env, tmp_path, None)
    assert sdk.status_code == journey.status_code == 200
    assert "temporal_" in sdk.text
    assert "journey_stage_transitions" in journey.text
    assert sdk_at == journey_at == {"127.0.0.1"}


async def test_the_metrics_listen_where_the_metrics_host_says_ipv6_too(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    """An IPv6 address, which the SDK's exporter takes in brackets and our server with its
    address family: both endpoints answer there, and listen nowhere else."""
    _, sdk, journey, sdk_at, journey_at = await _served(time_skipping_env, tmp_path, "::1")
    assert sdk.status_code == journey.status_code == 200
    assert sdk_at == journey_at == {"::1"}


async def test_a_worker_serves_the_series_its_alerts_read_at_0_before_any_journey(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    """The image's worker, in a process of its own, scraped as it starts: the first SLA breach
    and the first engine failure must be an increase from 0 (docker/prometheus/alerts.yml
    BankSlaBreached, OcrEngineFailing), not a series born at 1, which `increase()` reads as
    none. Bounded: one series per label combination the domain's enums give."""
    port = free_port_pair(JOURNEY_METRICS_PORT_OFFSET)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LOAN_JOURNEY_DATA_DIR": str(tmp_path),
           "LOAN_JOURNEY_TEMPORAL_ADDRESS":
               time_skipping_env.client.service_client.config.target_host,
           "LOAN_JOURNEY_TASK_QUEUE": f"seeded-{port}", "LOAN_JOURNEY_METRICS_PORT": str(port)}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", IMAGE_WORKER, cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
    try:
        page = await _get(f"http://127.0.0.1:{port + JOURNEY_METRICS_PORT_OFFSET}/metrics",
                          "journey_sla_events_total{")
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 90)
    samples = {(s.name, tuple(sorted(s.labels.items()))): s.value
               for family in text_string_to_metric_families(page.text) for s in family.samples}

    def served(name: str) -> dict[tuple[tuple[str, str], ...], float]:
        return {labels: value for (n, labels), value in samples.items() if n == name}

    breaches = served("journey_sla_events_total")
    assert breaches[(("stage", "risk_review"), ("type", "breached"), ("waits_on", "bank"))] == 0
    assert len(breaches) == (len(Stage) - len(TERMINAL)) * 4 * len(Party)  # 3 types + early
    assert set(breaches.values()) == {0}
    failures = served("ocr_failures_total")
    assert {dict(labels)["reason"] for labels in failures} == reasons()
    assert failures[(("reason", "timeout"),)] == failures[(("reason", "engine_error"),)] == 0
    exits = served("journey_stage_transitions_total")
    assert exits[(("outcome", "approval"), ("stage", "risk_review"))] == 0
    assert exits[(("outcome", "rejected"), ("stage", "risk_review"))] == 0
    assert {dict(labels)["kind"] for labels in served("ocr_seconds_count")} == {
        kind.value for kind in DocumentKind}
