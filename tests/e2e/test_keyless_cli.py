"""The command line without LOAN_JOURNEY_CODEC_KEYS, against workers that encrypt, on the
real dev server: it writes nothing to an encrypted journey, and says what to set."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from journey.settings import Settings
from journey.stages import Stage
from starter.codec import SETTING, data_converter, new_key
from tests.cli_kit import cli, point_cli_at, said
from tests.dev_server import fresh_dev_server
from tests.e2e.conftest import SAMPLES
from tests.workflows.journey_kit import (
    accepted_updates,
    journey_worker,
    new_application,
    start,
    status,
    until_stage,
)

pytestmark = pytest.mark.e2e

KEYS = f"k1:{new_key()}"
OPINION = ("--verdict", "approve", "--grade", "3", "--reason", "cash flow covers the debt",
           "--as", "risk-sme-1")


@pytest.fixture
async def encrypting() -> AsyncIterator[WorkflowEnvironment]:
    """A dev server whose client, and the workers on it, encrypt with KEYS; one per test:
    a keyed command marks its namespace encrypted (starter/encryption.py), and these tests
    check the per-journey refusals behind that mark, on a namespace that declares nothing."""
    async with fresh_dev_server(data_converter(Settings(codec_keys=KEYS))) as env:
        yield env


async def test_an_update_without_keys_is_not_sent_to_an_encrypted_journey(
    encrypting: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = encrypting.client
    docs, app = new_application()
    async with journey_worker(client, tmp_path, docs) as settings:
        handle = await start(client, settings, app)
        await until_stage(handle, Stage.RISK_REVIEW)
        point_cli_at(monkeypatch, client)
        monkeypatch.delenv(SETTING, raising=False)

        keyless = await cli("opinion", handle.id, *OPINION)
        assert keyless.exit_code == 8, keyless.output
        assert (f"error: risk opinion not sent: {handle.id}'s payloads are encrypted "
                f"and {SETTING} is not set here") in said(keyless)
        assert await accepted_updates(handle) == 0  # nothing reached the history

        monkeypatch.setenv(SETTING, KEYS)
        keyed = await cli("opinion", handle.id, *OPINION)
        assert keyed.exit_code == 0, keyed.output
        assert (await status(handle)).stage is Stage.APPROVAL


async def test_an_update_without_keys_to_a_journey_begun_plain_is_refused_by_the_workers(
    encrypting: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A journey begun before encryption was switched on: its input is plain, so the command
    line sends the update; the keyed workers refuse it (workflows/keyed_senders.py), in plain
    text as every refusal, and the command keeps the attempt for auditors. The journey's
    answers stay encrypted."""
    client = encrypting.client
    plain = await Client.connect(client.service_client.config.target_host,
                                 namespace=client.namespace,
                                 data_converter=pydantic_data_converter)
    docs, app = new_application()
    async with journey_worker(client, tmp_path, docs) as settings:
        handle = client.get_workflow_handle((await start(plain, settings, app)).id)
        await until_stage(handle, Stage.RISK_REVIEW)
        point_cli_at(monkeypatch, client, tmp_path / "cli-data")
        monkeypatch.delenv(SETTING, raising=False)

        sent = await cli("opinion", handle.id, *OPINION)
        assert sent.exit_code == 8, sent.output
        assert ("error: risk opinion refused: sent without the codec keys: use loan-journey "
                f"with {SETTING} set") in said(sent)
        assert "Traceback" not in sent.output and "Encoded failure" not in sent.output
        assert await accepted_updates(handle) == 0  # nothing reached the history
        kept = await cli("refusals", handle.id)
        assert "sent without the codec keys" in said(kept) and "Encoded" not in said(kept)

        read = await cli("status", handle.id)
        assert read.exit_code == 8, read.output
        assert f"what the journey answered is encrypted, and {SETTING}" in said(read)

        monkeypatch.setenv(SETTING, KEYS)
        keyed = await cli("opinion", handle.id, *OPINION)
        assert keyed.exit_code == 0, keyed.output
        assert (await status(handle)).decisions[-1].actor.id == "risk-sme-1"


async def test_a_start_without_keys_is_refused_where_the_journeys_are_encrypted(
    encrypting: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A keyless start would write the application (name, credit code, amount) in plain
    JSON: the newest journey's encrypted input says the workers encrypt."""
    client = encrypting.client
    docs, app = new_application()
    async with journey_worker(client, tmp_path, docs) as settings:
        await until_stage(await start(client, settings, app), Stage.RISK_REVIEW)
        point_cli_at(monkeypatch, client, tmp_path / "cli-data")
        monkeypatch.setenv("LOAN_JOURNEY_TASK_QUEUE", settings.task_queue)
        monkeypatch.delenv(SETTING, raising=False)
        application = json.loads((SAMPLES / "applications" / "demo-001.json").read_text())
        application["application_id"] = f"APP-KEYLESS-{uuid.uuid4().hex[:6]}"
        path = tmp_path / "application.json"
        path.write_text(json.dumps(application, ensure_ascii=False), encoding="utf-8")
        scan = str(SAMPLES / "demo" / "company1_business_license.jpg")
        keyless = await cli("start", str(path), scan)
        assert keyless.exit_code == 8, keyless.output
        assert f"application {application['application_id']} not started" in said(keyless)
        assert "payloads are encrypted" in said(keyless)
        never = client.get_workflow_handle(f"loan-{application['application_id']}")
        with pytest.raises(RPCError):
            await never.describe()


async def test_verify_without_keys_says_a_run_is_encrypted_not_non_deterministic(
    encrypting: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = encrypting.client
    docs, app = new_application()
    async with journey_worker(client, tmp_path, docs) as settings:
        handle = await start(client, settings, app)
        await until_stage(handle, Stage.RISK_REVIEW)
        point_cli_at(monkeypatch, client, tmp_path / "cli-data")
        monkeypatch.delenv(SETTING, raising=False)
        keyless = await cli("verify", "--query", f"WorkflowId='{handle.id}'")
        told = said(keyless)
        assert keyless.exit_code == 1, keyless.output
        assert "ENCRYPTED" in told and f"encrypted: set {SETTING} to replay it" in told
        assert "NON-DETERMINISM" not in told and "TMPRL1100" not in told
        assert (f"0 replayed, 0 failed (0 non-deterministic); 1 encrypted, not replayed: "
                f"set {SETTING} to replay them") in told

        monkeypatch.setenv(SETTING, KEYS)
        keyed = await cli("verify", "--query", f"WorkflowId='{handle.id}'")
        assert keyed.exit_code == 0, keyed.output
        assert "1 replayed, 0 failed" in said(keyed)
