"""Operations with no worker running, on the real dev server: a decision or a status read
ends with NoAnswer (exit code 6) and says what to check, instead of waiting for ever, the
status with the journey's last known state; the decision the server kept is taken by the
journey once a worker runs again, with no resend. A journey that has ended says how and when,
read without a worker, with no long wait."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from journey.decisions import Repayment, RiskGrade, RiskOpinion, Verdict, Withdrawal
from journey.policy.calendar import moment_at
from journey.settings import Settings
from journey.stages import Stage
from starter import money_references, operations, work_lists
from starter.errors import EndedUnread, NoAnswer
from tests.e2e.conftest import SAMPLES
from tests.e2e.server_calls import delete_run
from tests.e2e.test_cli_errors import another_borrowers_sample
from tests.e2e.test_journey_on_dev_server import cli
from tests.workflows.journey_kit import (
    RISK_SME,
    customer,
    drive_to,
    journey_worker,
    new_application,
    start,
    until_stage,
)

pytestmark = pytest.mark.e2e
SOON = timedelta(seconds=2)


async def test_without_a_worker_commands_say_so_and_a_kept_decision_is_taken_later(
    dev_server: WorkflowEnvironment, tmp_path: Path
) -> None:
    client, task_queue = dev_server.client, f"no-worker-{uuid.uuid4()}"
    docs, app = new_application()
    # no cache, so no sticky queue: the kept opinion's task goes to the queue the next worker
    # polls, not to this one's sticky queue, left for its 10 s schedule-to-start timeout
    async with journey_worker(
        client, tmp_path, docs, task_queue=task_queue, cache=False, restarting=True
    ):
        handle = await start(client, Settings(data_dir=tmp_path, task_queue=task_queue), app)
        await drive_to(handle, app, Stage.RISK_REVIEW)
        await _settled(handle)
    # the worker has stopped; the journey waits at risk review, nothing in flight
    with pytest.raises(NoAnswer, match="is a worker running") as no_status:
        await asyncio.wait_for(operations.status(client, handle.id, within=SOON), 60)
    assert NoAnswer.exit_code == 6 and "status query within 2 s" in str(no_status.value)
    assert "Its last known state, read without a worker: risk_review, team sme_risk, " \
        "waiting since " in str(no_status.value)
    assert str(no_status.value).endswith("(UTC+8), SLA ok.")
    opinion = RiskOpinion(actor=RISK_SME, verdict=Verdict.APPROVE, grade=RiskGrade.G3,
                          reason="cash flow covers the debt service")
    with pytest.raises(NoAnswer, match="not recorded yet") as no_update:
        await asyncio.wait_for(operations.act(  # bounded here too: without NoAnswer it hangs
            client, handle.id, "record_risk_opinion", opinion, within=SOON), 60)
    assert f"loan-journey status {handle.id}" in str(no_update.value)
    assert await _accepted(handle) == 0
    async with journey_worker(client, tmp_path, docs, task_queue=task_queue):
        await until_stage(handle, Stage.APPROVAL)  # the kept opinion, taken without a resend
        assert await _accepted(handle) == 1
        decisions = (await operations.status(client, handle.id)).decisions
        assert [(d.stage, d.actor) for d in decisions] == [(Stage.RISK_REVIEW, RISK_SME)]


async def test_without_a_worker_the_status_of_an_ended_journey_says_how_and_when_it_ended(
    dev_server: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, task_queue = dev_server.client, f"no-worker-{uuid.uuid4()}"
    docs, app = new_application()
    async with journey_worker(client, tmp_path, docs, task_queue=task_queue):
        handle = await start(client, Settings(data_dir=tmp_path, task_queue=task_queue), app)
        await drive_to(handle, app, Stage.RISK_REVIEW)
        await handle.execute_update("withdraw", Withdrawal(actor=customer(app),
                                                           reason="found cheaper funding"))
        await handle.result()
    closed = (await handle.describe()).close_time
    assert closed is not None
    # no worker to replay the closed run: once none answered, its end is read from the server
    monkeypatch.setattr(operations, "ANSWER_WITHIN", timedelta(seconds=3))
    with pytest.raises(EndedUnread) as told:
        await asyncio.wait_for(operations.status(client, handle.id), 10)
    assert str(told.value).startswith(
        f"{handle.id} has ended: withdrawn at {moment_at(closed, 8)} (found cheaper "
        f"funding), read without a worker. {handle.id} did not answer its status query within 3 "
        "s: is a worker running")
    # what it recorded only a worker reads: a payment typed again is not taken as never recorded
    paid = Repayment(actor=customer(app), reference="PAY-AGAIN-1", amount=Decimal(100))
    with pytest.raises(NoAnswer, match="read without a worker"):
        await money_references.recorded_before_the_end(client, handle.id, paid)
    # listed as running a moment ago, and ended since: the loan book leaves it out, as it
    # leaves out one gone, rather than failing for it
    assert await work_lists.journey_reads(client, f"WorkflowId = '{handle.id}'") == []
    # deleted, as no worker will poll its queue: the session's later tests read the closed
    # journeys of the namespace (the book's money received), which would wait for one
    await delete_run(client, handle.id)


async def test_start_without_a_worker_says_nothing_moves_and_again_that_it_is_not_opened(
    dev_server: WorkflowEnvironment, e2e_settings: Settings, tmp_path: Path
) -> None:
    nowhere = e2e_settings.model_copy(update={"task_queue": f"no-worker-{uuid.uuid4()}"})
    application = {**another_borrowers_sample(), "application_id": f"APP-NW-{uuid.uuid4().hex[:6]}"}
    path = tmp_path / "application.json"
    path.write_text(json.dumps(application, ensure_ascii=False), encoding="utf-8")
    scan = str(SAMPLES / "demo" / "company1_business_license.jpg")
    started = await cli(nowhere, "start", str(path), scan)
    try:
        assert f"no worker polls task queue {nowhere.task_queue}: nothing moves until one " \
            "runs" in " ".join(started.stdout.split())
        again = await cli(nowhere, "start", str(path), scan, ok=False)
        assert again.returncode == 2
        assert f"application {application['application_id']} was already started on " \
            in (said := " ".join(again.stderr.split()))
        assert " and is not opened yet: no worker has taken it " in said, said
    finally:
        await dev_server.client.get_workflow_handle(
            f"loan-{application['application_id']}").terminate("test over")


async def _settled(handle: WorkflowHandle) -> None:
    """Wait until the journey has nothing in flight, no workflow task nor activity (its stage's
    write-behind finishes just after it says it stands there): a workflow task the stopping
    worker took and dropped times out only after 10 s, and the opinion kept meanwhile waits
    for it."""
    for _ in range(400):  # 20 s
        pending = (await handle.describe()).raw_description
        if not pending.HasField("pending_workflow_task") and not pending.pending_activities:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{handle.id} still has work in flight: {pending}")


async def _accepted(handle) -> int:  # noqa: ANN001
    accepted = EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
    return len([e async for e in handle.fetch_history_events() if e.event_type == accepted])
