"""An act sent as its journey opens is taken, not refused (starter/operations.py `act`): the
journey refuses every act until its first task has pinned its policy ("still opening"), and
the command line sends it again a moment later, as an operator would, instead of refusing a
withdrawal typed right after `start`. On the dev server: the journey started with no worker
on its queue, the withdrawal sent, then the worker started, whose first task holds both."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from journey.actors import Actor, Role
from journey.decisions import UpdateResult, Withdrawal
from journey.settings import Settings
from journey.stages import Stage
from starter import operations
from tests.e2e.conftest import SAMPLES
from tests.e2e.test_journey_on_dev_server import cli
from worker import build_worker

pytestmark = pytest.mark.e2e


async def test_a_withdrawal_sent_as_the_journey_opens_is_taken(
    dev_server: WorkflowEnvironment, e2e_settings: Settings, tmp_path: Path
) -> None:
    settings = e2e_settings.model_copy(update={"data_dir": tmp_path,
                                               "task_queue": f"opening-{uuid.uuid4()}"})
    application = {**json.loads((SAMPLES / "applications/demo-003.json").read_text()),
                   "application_id": f"APP-OPEN-{uuid.uuid4().hex[:6]}"}
    path = tmp_path / "application.json"
    path.write_text(json.dumps(application, ensure_ascii=False), encoding="utf-8")
    await cli(settings, "start", str(path), str(SAMPLES / "demo/company3_business_license.jpg"))
    journey, client = f"loan-{application['application_id']}", dev_server.client

    withdrawal = Withdrawal(actor=Actor(id=application["credit_code"], role=Role.CUSTOMER),
                            reason="found other funding")
    sending = asyncio.create_task(operations.act(client, journey, "withdraw", withdrawal))
    await asyncio.sleep(1)  # held by the server: no worker yet
    assert not sending.done()
    async with build_worker(client, settings):
        taken = await sending
        assert isinstance(taken, UpdateResult) and taken.stage is Stage.WITHDRAWN, taken
        assert (await client.get_workflow_handle(journey).result())["outcome"] == "withdrawn"
