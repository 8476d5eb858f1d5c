"""The worker's metrics fed by real journeys: a journey on the time-skipping server moves
`journey_stage_transitions_total` once per stage it leaves, and `worker.run` with a metrics
port serves both endpoints."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import httpx
from prometheus_client import REGISTRY
from temporalio.testing import WorkflowEnvironment

import worker
from activities.metrics import JOURNEY_METRICS_PORT_OFFSET
from journey.settings import Settings
from journey.stages import Stage
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


async def test_worker_run_with_a_metrics_port_serves_sdk_and_journey_metrics(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    port = free_port_pair(JOURNEY_METRICS_PORT_OFFSET)
    settings = Settings(
        data_dir=tmp_path,
        temporal_address=time_skipping_env.client.service_client.config.target_host,
        task_queue=f"metrics-run-{port}",
        metrics_port=port,
    )
    running = asyncio.create_task(worker.run(settings))
    try:
        sdk = await _get(f"http://127.0.0.1:{port}/metrics", "temporal_")
        journey = await _get(
            f"http://127.0.0.1:{port + JOURNEY_METRICS_PORT_OFFSET}/metrics",
            "journey_stage_transitions",
        )
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
    assert sdk.status_code == journey.status_code == 200
    assert "temporal_" in sdk.text
    assert "journey_stage_transitions" in journey.text
