"""The worker takes its journey cache size from the settings (LOAN_JOURNEY_WORKFLOW_CACHE)
and guards its workflows against the query-task run-ahead."""

from __future__ import annotations

from pathlib import Path

from temporalio.testing import WorkflowEnvironment

from journey.settings import Settings
from worker import build_worker
from workflows.run_ahead import RunAheadGuard


async def test_a_worker_can_keep_no_journey_in_memory(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setenv("LOAN_JOURNEY_WORKFLOW_CACHE", "0")
    settings = Settings(data_dir=tmp_path)
    assert settings.workflow_cache == 0
    worker = build_worker(time_skipping_env.client, settings)
    assert worker.config()["max_cached_workflows"] == 0
    monkeypatch.delenv("LOAN_JOURNEY_WORKFLOW_CACHE")
    assert Settings().workflow_cache == 1000  # the SDK's default


async def test_every_workflow_of_the_worker_throws_a_run_ahead_away(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    """The guard of workflows/run_ahead.py, shown at work in tests/e2e/test_run_ahead.py."""
    worker = build_worker(time_skipping_env.client, Settings(data_dir=tmp_path))
    assert any(isinstance(i, RunAheadGuard) for i in worker.config()["interceptors"])
