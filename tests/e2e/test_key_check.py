"""The keys' check values on the real dev server: the namespace keeps, per key id, the check
value of the key its journeys are encrypted with (starter/encryption.py), and a client given
another key under a recorded id stops before it polls, sends or reads anything."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest
from temporalio.converter import DataConverter
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from journey import archive_contracts as ac
from journey.settings import Settings
from starter.codec import SETTING, check_value, new_key, parse_keys
from starter.encryption import CHECK_KEY
from tests.cli_kit import cli, point_cli_at, said
from tests.deploy.deploy_files import ROOT
from tests.dev_server import fresh_dev_server
from tests.e2e.conftest import env_for
from tests.e2e.processes import polling, worker_process
from tests.e2e.test_encryption_required import SCAN, application

pytestmark = pytest.mark.e2e

KEYS = f"k1:{new_key()}"
OTHER = f"k1:{new_key()}"  # another key under the same id
NOT_THE_KEY = "the key LOAN_JOURNEY_CODEC_KEYS gives for key id 'k1' is not the one namespace " \
    "default's journeys were encrypted with under that id"


@pytest.fixture
async def fresh() -> AsyncIterator[WorkflowEnvironment]:
    """A new dev server: its namespace has no check value yet. Its client is keyless."""
    async with fresh_dev_server(DataConverter.default) as env:
        yield env


@pytest.fixture
def settings(fresh: WorkflowEnvironment, tmp_path: Path,
             monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The command line pointed at the fresh server, with the right keys."""
    point_cli_at(monkeypatch, fresh.client, tmp_path / "data")
    monkeypatch.setenv(SETTING, KEYS)
    queue = f"kcv-{uuid.uuid4()}"
    monkeypatch.setenv("LOAN_JOURNEY_TASK_QUEUE", queue)
    return Settings(data_dir=tmp_path / "data", task_queue=queue,
                    temporal_address=fresh.client.service_client.config.target_host)


async def check_values(env: WorkflowEnvironment) -> dict[str, str]:
    """The check values the namespace keeps, by key id."""
    described = await env.client.workflow_service.describe_namespace(
        DescribeNamespaceRequest(namespace=env.client.namespace))
    return {k.removeprefix(CHECK_KEY): v for k, v in described.namespace_info.data.items()
            if k.startswith(CHECK_KEY)}


async def failed_tasks(env: WorkflowEnvironment, workflow_id: str) -> list[str]:
    """The failed workflow and activity tasks, and the updates, of the journey's history."""
    history = await env.client.get_workflow_handle(workflow_id).fetch_history()
    return [EventType.Name(e.event_type) for e in history.events if e.event_type in (
        EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED, EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED,
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED)]


async def test_a_worker_with_another_key_under_a_recorded_id_exits_8_before_polling(
    fresh: WorkflowEnvironment, settings: Settings, tmp_path: Path
) -> None:
    path, workflow_id = application(tmp_path)
    started = await cli("start", str(path), SCAN)  # records k1's check value
    assert started.exit_code == 0, started.output
    assert await check_values(fresh) == {"k1": check_value(parse_keys(KEYS)["k1"])}

    worker = subprocess.run([sys.executable, "worker.py"], cwd=ROOT, timeout=120,
                            env={**env_for(settings), SETTING: OTHER},
                            capture_output=True, text=True)
    told = " ".join((worker.stdout + worker.stderr).split())
    assert worker.returncode == 8, told
    assert f"worker not started: {NOT_THE_KEY}" in told
    assert (f"(its check value is {check_value(parse_keys(OTHER)['k1'])}, the namespace "
            f"recorded {check_value(parse_keys(KEYS)['k1'])})") in told
    assert "A new key goes under a NEW key id" in told
    assert "polling task queue" not in told and "Traceback" not in told
    assert await failed_tasks(fresh, workflow_id) == []


async def test_a_decide_with_another_key_is_not_sent_and_the_right_key_works(
    fresh: WorkflowEnvironment, settings: Settings, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch
) -> None:
    """The workers have the right key: an update under another would fail their workflow
    task, attempt after attempt, and the command wait for an answer that never comes."""
    with worker_process(settings, "all", tmp_path / "worker.log", {SETTING: KEYS}) as proc:
        await polling(proc, tmp_path / "worker.log")
        path, workflow_id = application(tmp_path)
        assert (await cli("start", str(path), SCAN)).exit_code == 0

        monkeypatch.setenv(SETTING, OTHER)
        decided = await cli("decide", workflow_id, "--verdict", "approve", "--reason",
                            "within limit", "--as", "appr-ho-1")
        assert decided.exit_code == 8, decided.output
        assert f"approval vote not sent: {NOT_THE_KEY}" in said(decided)
        assert "Traceback" not in decided.output
        read = await cli("status", workflow_id)
        assert read.exit_code == 8, read.output
        assert f"status of {workflow_id} not read: {NOT_THE_KEY}" in said(read)

        monkeypatch.setenv(SETTING, KEYS)
        read = await cli("status", workflow_id)
        assert read.exit_code == 0, read.output
        assert workflow_id in read.output
        assert await failed_tasks(fresh, workflow_id) == []


async def test_a_new_key_id_gets_its_check_value_recorded(
    fresh: WorkflowEnvironment, settings: Settings, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch
) -> None:
    first, _ = application(tmp_path)
    assert (await cli("start", str(first), SCAN)).exit_code == 0
    rotated = f"k2:{new_key()},{KEYS}"  # a rotation: the new key, under a new id, first
    monkeypatch.setenv(SETTING, rotated)
    second, _ = application(tmp_path)
    started = await cli("start", str(second), SCAN)
    assert started.exit_code == 0, started.output
    keys = parse_keys(rotated)
    assert await check_values(fresh) == {kid: check_value(key) for kid, key in keys.items()}
    assert all(len(v) == 16 for v in (await check_values(fresh)).values())
    told = await cli("encryption", "status")
    assert told.exit_code == 0, told.output
    assert (f"key check values: k1 {check_value(keys['k1'])}, k2 {check_value(keys['k2'])}; "
            "a client whose key under one of these ids has another exits 8") in said(told)


async def test_the_archive_schedule_is_not_created_with_another_key(
    fresh: WorkflowEnvironment, settings: Settings, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its input is a payload too, which the workers could not read."""
    path, _ = application(tmp_path)
    assert (await cli("start", str(path), SCAN)).exit_code == 0
    monkeypatch.setenv(SETTING, OTHER)
    refused = await cli("archive", "schedule")
    assert refused.exit_code == 8, refused.output
    assert f"{ac.SCHEDULE_ID} not created: {NOT_THE_KEY}" in said(refused)
    with pytest.raises(RPCError):
        await fresh.client.get_schedule_handle(ac.SCHEDULE_ID).describe()

    monkeypatch.setenv(SETTING, KEYS)
    made = await cli("archive", "schedule")
    assert made.exit_code == 0, made.output
    await fresh.client.get_schedule_handle(ac.SCHEDULE_ID).describe()
