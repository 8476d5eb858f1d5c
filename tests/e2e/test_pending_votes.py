"""A vote typed while no worker ran and delivered later that does not count is no success for
`pending deliver`, on the real dev server: set aside by the journey (the borrower's exposure
read as it would settle the case is beyond the voter's limit), it exits 3, naming it, as
`decide` does. (One refused at delivery, the stage moved on:
tests/e2e/test_pending_instructions.py.)"""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from journey.stages import Stage
from starter import operations
from store.pending import Delivery, instructions
from tests.cli_kit import cli, point_cli_at, said
from tests.workflows.journey_kit import (
    BRANCH_APPROVER,
    application,
    drive_to,
    journey_worker,
    new_application,
    start,
    status,
    until_stage,
)

pytestmark = pytest.mark.e2e


async def test_a_kept_vote_set_aside_at_delivery_is_not_counted(
    dev_server: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, task_queue = dev_server.client, f"pending-{uuid.uuid4()}"
    docs, app = new_application()
    async with journey_worker(client, tmp_path, docs, task_queue=task_queue,
                              restarting=True) as settings:
        handle = await start(client, settings, app)
        await drive_to(handle, app, Stage.APPROVAL)
        # a second application of the borrower: its exposure is beyond the branch's limit
        more = await start(client, settings, application(
            docs, company=(app.applicant_name, app.credit_code)))
        await until_stage(more, Stage.RISK_REVIEW)
    # the worker has stopped: the branch approver's vote is kept
    point_cli_at(monkeypatch, client, tmp_path)
    monkeypatch.setattr(operations, "ANSWER_WITHIN", timedelta(seconds=2))
    typed = await cli("decide", handle.id, "--verdict", "approve", "--reason", "within limit",
                      "--as", BRANCH_APPROVER.id)
    assert typed.exit_code == 6 and "pending instruction 1" in said(typed), typed.output
    async with journey_worker(client, tmp_path, docs, task_queue=task_queue):
        delivered = await cli("pending", "deliver")
        assert delivered.exit_code == 3, delivered.output
        told = said(delivered)
        assert (f"error: not counted: pending instruction 1, the vote of {BRANCH_APPROVER.id} "
                f"(approval vote on {handle.id}, typed ") in told, told
        assert "delivered: approval: not counted: 'appr-branch-1' approves at branch" in told
        (kept,) = instructions(settings.db_url, every=True)
        assert kept.state is Delivery.DELIVERED  # taken: the history records the vote
        assert (await status(handle)).stage is Stage.APPROVAL
