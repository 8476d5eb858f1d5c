"""Encryption as a property of the deployment, on the real dev server: the namespace says
whether its journeys are encrypted (starter/encryption.py); the first keyed client marks it,
and from then on a keyless client writes nothing, not even the namespace's first journey."""

from __future__ import annotations

import asyncio
import json
import logging
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from temporalio.converter import DataConverter
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

import worker
from journey.settings import Settings
from starter import encryption
from starter.codec import SETTING, CodecError, new_key
from starter.embedded import embedded_server
from starter.encryption import declared
from store.refusals import refusals
from tests.cli_kit import cli, point_cli_at, said
from tests.deploy.deploy_files import ROOT
from tests.dev_server import fresh_dev_server
from tests.e2e.conftest import SAMPLES, env_for
from tests.e2e.processes import eventually, polling, worker_process
from tests.ports import free_port

pytestmark = pytest.mark.e2e

KEYS = f"k1:{new_key()}"
SCAN = str(SAMPLES / "demo" / "company1_business_license.jpg")


@pytest.fixture
async def fresh() -> AsyncIterator[WorkflowEnvironment]:
    """A new dev server: its namespace declares nothing yet. Its client is keyless."""
    async with fresh_dev_server(DataConverter.default) as env:
        yield env


@pytest.fixture
def settings(fresh: WorkflowEnvironment, tmp_path: Path,
             monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The command line pointed at the fresh server, a database of its own, and no keys."""
    point_cli_at(monkeypatch, fresh.client, tmp_path / "data")
    monkeypatch.delenv(SETTING, raising=False)
    return Settings(data_dir=tmp_path / "data", task_queue=f"enc-{uuid.uuid4()}",
                    temporal_address=fresh.client.service_client.config.target_host)


def application(folder: Path) -> tuple[Path, str]:
    """A sample application under a fresh id, written to `folder`; its journey's id."""
    data = json.loads((SAMPLES / "applications" / "demo-001.json").read_text(encoding="utf-8"))
    data["application_id"] = f"APP-ENC-{uuid.uuid4().hex[:6]}"
    path = folder / f"{data['application_id']}.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path, f"loan-{data['application_id']}"


async def never_started(env: WorkflowEnvironment, workflow_id: str) -> None:
    with pytest.raises(RPCError):
        await env.client.get_workflow_handle(workflow_id).describe()


async def test_a_keyed_worker_marks_the_namespace_and_the_first_keyless_start_is_refused(
    fresh: WorkflowEnvironment, settings: Settings, tmp_path: Path
) -> None:
    """No journey yet to tell by: the keyed worker's start-up said it for the deployment."""
    with worker_process(settings, "all", tmp_path / "worker.log", {SETTING: KEYS}) as proc:
        await polling(proc, tmp_path / "worker.log")
        assert (await declared(fresh.client))[0] == "encrypted"

        path, workflow_id = application(tmp_path)
        keyless = await cli("start", str(path), SCAN)
        assert keyless.exit_code == 8, keyless.output
        assert (f"{workflow_id.removeprefix('loan-')} not started: namespace default requires "
                f"encrypted payloads") in said(keyless)
        assert f"{SETTING} is not set here; set it as the workers have it" in said(keyless)
        await never_started(fresh, workflow_id)

        listed = await cli("list")  # reads stay keyless
        assert listed.exit_code == 0, listed.output


async def test_a_keyed_start_marks_the_namespace_for_the_next_keyless_one(
    fresh: WorkflowEnvironment, settings: Settings, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SETTING, KEYS)
    first, _ = application(tmp_path)
    keyed = await cli("start", str(first), SCAN)
    assert keyed.exit_code == 0, keyed.output
    assert (await declared(fresh.client))[0] == "encrypted"

    monkeypatch.delenv(SETTING)
    path, workflow_id = application(tmp_path)
    keyless = await cli("start", str(path), SCAN)
    assert keyless.exit_code == 8, keyless.output
    assert "namespace default requires encrypted payloads" in said(keyless)
    await never_started(fresh, workflow_id)


async def test_a_keyless_worker_does_not_start_where_journeys_are_encrypted(
    fresh: WorkflowEnvironment, settings: Settings
) -> None:
    required = await cli("encryption", "require", "--as", "ops-wang")
    assert required.exit_code == 0, required.output

    worker = subprocess.run([sys.executable, "worker.py"], cwd=ROOT, env=env_for(settings),
                            capture_output=True, text=True, timeout=120)
    told = " ".join((worker.stdout + worker.stderr).split())
    assert worker.returncode == 8, told
    assert ("worker not started: namespace default requires encrypted payloads (declared by "
            "ops-wang (operations") in told
    assert f"{SETTING} is not set here; set it as the workers have it" in told


async def test_a_running_keyless_worker_stops_once_the_namespace_is_declared_encrypted(
    fresh: WorkflowEnvironment, settings: Settings, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture
) -> None:
    """Left polling, it would take encrypted reads it cannot decode and fail them."""
    monkeypatch.setattr(encryption, "RECHECK", 0.2)  # asked every 0.2 s, not every 30
    caplog.set_level(logging.INFO, logger="worker")
    running = asyncio.create_task(worker.run(settings, fresh.client))

    async def polls() -> bool:
        assert not running.done(), running
        return "polling task queue" in caplog.text

    await eventually("the keyless worker polls", polls)
    assert (await cli("encryption", "require", "--as", "ops-wang")).exit_code == 0
    with pytest.raises(CodecError) as stopped:
        await asyncio.wait_for(running, timeout=60)  # a guard: it stops within RECHECK
    assert stopped.value.exit_code == 8
    told = " ".join(str(stopped.value).split())
    assert ("worker stopped polling: namespace default requires encrypted payloads (declared "
            "by ops-wang (operations") in told
    assert f"{SETTING} is not set here; set it as the workers have it" in told
    assert "stopped" in caplog.messages  # shut down gracefully, not torn down


async def test_a_plain_deployment_keeps_working_keyless(
    fresh: WorkflowEnvironment, settings: Settings, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = await cli("encryption", "plain", "--as", "sup-sme")
    assert plain.exit_code == 0, plain.output
    path, workflow_id = application(tmp_path)
    started = await cli("start", str(path), SCAN)
    assert started.exit_code == 0, started.output
    await fresh.client.get_workflow_handle(workflow_id).describe()

    monkeypatch.setenv(SETTING, KEYS)  # a keyed client leaves a declared plain as it is
    second, _ = application(tmp_path)
    assert (await cli("start", str(second), SCAN)).exit_code == 0
    assert (await declared(fresh.client))[0] == "plain"
    told = await cli("encryption", "status")
    assert "namespace default: journeys plain (declared by sup-sme (supervisor" in said(told)


async def test_only_a_supervisor_turns_encryption_off_and_a_refusal_is_kept(
    fresh: WorkflowEnvironment, settings: Settings, tmp_path: Path
) -> None:
    assert (await cli("encryption", "require", "--as", "ops-wang")).exit_code == 0

    refused = await cli("encryption", "plain", "--as", "ops-li", "--role", "operations")
    assert refused.exit_code == 3, refused.output
    assert "namespace default not declared plain" in said(refused)
    assert (await declared(fresh.client))[0] == "encrypted"
    kept = refusals(settings.db_url, "namespace default")
    assert [(r.action, r.actor, r.role) for r in kept] == [
        ("encryption plain", "ops-li", "operations")]

    turned = await cli("encryption", "plain", "--as", "sup-corp")
    assert turned.exit_code == 0, turned.output
    path, workflow_id = application(tmp_path)
    assert (await cli("start", str(path), SCAN)).exit_code == 0
    await fresh.client.get_workflow_handle(workflow_id).describe()


async def test_a_keyless_demo_or_up_does_not_run_on_an_encrypted_embedded_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The embedded server's namespace keeps its mark in its SQLite file, across restarts."""
    settings = Settings(data_dir=tmp_path / "data", ui_port=free_port(),
                        temporal_address=f"127.0.0.1:{free_port()}")
    monkeypatch.setenv("LOAN_JOURNEY_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("LOAN_JOURNEY_TEMPORAL_ADDRESS", settings.temporal_address)
    monkeypatch.setenv("LOAN_JOURNEY_UI_PORT", str(settings.ui_port))
    monkeypatch.delenv(SETTING, raising=False)
    async with embedded_server(settings):
        assert (await cli("encryption", "require", "--as", "ops-wang")).exit_code == 0

    demo = await cli("demo", "--html", str(tmp_path / "map.html"))
    assert demo.exit_code == 8, demo.output
    assert "demo not run: namespace default requires encrypted payloads" in said(demo)
    up = await cli("up")
    assert up.exit_code == 8, up.output
    assert "up not started: namespace default requires encrypted payloads" in said(up)
    async with embedded_server(settings) as env:
        assert [w.id async for w in env.client.list_workflows()] == []
