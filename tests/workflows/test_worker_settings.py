"""The worker takes its journey cache size, its slots and its role from the settings
(LOAN_JOURNEY_WORKFLOW_CACHE, _ACTIVITY_SLOTS, _OCR_SLOTS, _WORKER_ROLE) and guards its
workflows against the query-task run-ahead."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError
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
    assert worker.journeys.config()["max_cached_workflows"] == 0
    monkeypatch.delenv("LOAN_JOURNEY_WORKFLOW_CACHE")
    assert Settings().workflow_cache == 1000  # the SDK's default


def test_an_empty_metrics_port_is_no_metrics_port(monkeypatch: pytest.MonkeyPatch) -> None:
    """Empty counts as unset, as for the other optional settings (compose passes an unset
    variable as ""): no metrics served, not `up` ended with exit 5."""
    monkeypatch.setenv("LOAN_JOURNEY_METRICS_PORT", "")
    assert Settings().metrics_port is None
    monkeypatch.setenv("LOAN_JOURNEY_METRICS_PORT", "9464")
    assert Settings().metrics_port == 9464


def test_the_metrics_host_is_an_address_this_machine_alone_by_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """127.0.0.1 unless set (the image sets 0.0.0.0, Dockerfile); a name is refused naming the
    variable, not resolved to an address no one checked."""
    monkeypatch.delenv("LOAN_JOURNEY_METRICS_HOST", raising=False)
    assert str(Settings().metrics_host) == "127.0.0.1"
    monkeypatch.setenv("LOAN_JOURNEY_METRICS_HOST", "0.0.0.0")
    assert str(Settings().metrics_host) == "0.0.0.0"
    monkeypatch.setenv("LOAN_JOURNEY_METRICS_HOST", "localhost")
    with pytest.raises(ValidationError, match="metrics_host"):
        Settings()


async def test_every_workflow_of_the_worker_throws_a_run_ahead_away(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    """The guard of workflows/run_ahead.py, shown at work in tests/e2e/test_run_ahead.py."""
    worker = build_worker(time_skipping_env.client, Settings(data_dir=tmp_path))
    assert any(isinstance(i, RunAheadGuard) for i in worker.journeys.config()["interceptors"])


async def test_activities_document_reads_and_decision_reads_have_slots_of_their_own(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setenv("LOAN_JOURNEY_ACTIVITY_SLOTS", "16")
    monkeypatch.setenv("LOAN_JOURNEY_OCR_SLOTS", "3")
    monkeypatch.setenv("LOAN_JOURNEY_DECISION_SLOTS", "4")
    settings = Settings(data_dir=tmp_path, task_queue="loans")
    worker = build_worker(time_skipping_env.client, settings)
    journeys, documents = worker.journeys.config(), worker.documents.config()
    assert (journeys["task_queue"], journeys["max_concurrent_activities"]) == ("loans", 16)
    assert (documents["task_queue"], documents["max_concurrent_activities"]) == (
        "loans-documents", 3
    )
    assert [a.__name__ for a in documents["activities"]] == ["read_document"]
    assert not documents["workflows"]
    assert worker.deciding is not None
    deciding = worker.deciding.config()
    assert (deciding["task_queue"], deciding["max_concurrent_activities"]) == (
        "loans-decisions", 4
    )
    assert sorted(a.__name__ for a in deciding["activities"]) == [
        "read_lpr_fixing", "route_on_exposure"
    ]
    assert not deciding["workflows"]
    monkeypatch.setenv("LOAN_JOURNEY_OCR_SLOTS", "0")
    with pytest.raises(ValidationError, match="ocr_slots"):
        Settings()


async def test_a_worker_role_picks_the_queues_it_polls(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path, monkeypatch
) -> None:
    client = time_skipping_env.client
    polled = {}
    for role in ("all", "journeys", "documents"):  # a queue of its own each: one client
        monkeypatch.setenv("LOAN_JOURNEY_WORKER_ROLE", role)
        polled[role] = build_worker(client, Settings(data_dir=tmp_path, task_queue=role))
    assert polled["all"].task_queues == ["all", "all-documents", "all-decisions"]
    assert polled["journeys"].task_queues == ["journeys", "journeys-decisions"]
    assert polled["journeys"].documents is None
    assert polled["documents"].task_queues == ["documents-documents"]
    assert polled["documents"].journeys is None
    monkeypatch.setenv("LOAN_JOURNEY_WORKER_ROLE", "ocr")
    with pytest.raises(ValidationError, match="worker_role"):
        Settings()
