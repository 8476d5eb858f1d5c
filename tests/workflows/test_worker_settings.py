"""The worker takes its journey cache size from the settings (LOAN_JOURNEY_WORKFLOW_CACHE)."""

from __future__ import annotations

from pathlib import Path

from temporalio.testing import WorkflowEnvironment

from journey.settings import Settings
from worker import build_worker


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
