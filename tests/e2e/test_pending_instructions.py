"""Money typed while no worker runs is kept, not lost, on the real dev server: the repayment
the journey did not take is kept as a pending instruction (who, when, the whole request), then
delivered, by `pending deliver` or by a worker as it starts, and booked once; a refusal by the
journey's validator stays a refusal and keeps nothing pending, and one met at delivery marks
the instruction refused."""

from __future__ import annotations

import asyncio
import logging
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio.client import Client, WorkflowHandle
from temporalio.testing import WorkflowEnvironment

import worker
from journey.decisions import Repayment
from journey.policy.calendar import moment_at
from journey.settings import Settings
from journey.stages import Stage
from starter import operations
from starter.bank_clock import bank_offset
from store.pending import Delivery, instructions
from store.refusals import origin, refusals
from tests.cli_kit import cli, point_cli_at, said
from tests.ports import free_port
from tests.workflows.journey_kit import (
    SUBMITTER,
    Documents,
    customer,
    drive_to,
    journey_worker,
    new_application,
    start,
    status,
)

pytestmark = pytest.mark.e2e
# How long a command waits for a worker to answer, the product's: a worker that has just
# started must replay the journey's history first, which under the full suite's load took
# over the 2 s these tests wait while no worker runs (`no_worker`).
WORKER_ANSWERS = operations.ANSWER_WITHIN
# How long the instruction kept while the server could not be reached may take to be
# delivered by a worker as it starts: its start (its checks, its first poll), then a delivery
# that may wait WORKER_ANSWERS for the journey's answer; the 20 s polled before was shorter
# than that wait alone (under load it stayed pending: 'state=<Delivery.PENDING>'). 120 s, as
# the e2e tests wait for a journey to reach a stage (tests/e2e/test_journey_on_dev_server.py).
DELIVERED_ON_START = WORKER_ANSWERS * 4


@contextmanager
def no_worker(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """While no worker polls the journey's queue: a command waits 2 s for one, not
    WORKER_ANSWERS, before it keeps what was typed; WORKER_ANSWERS again after, when a
    worker runs."""
    with monkeypatch.context() as waiting:
        waiting.setattr(operations, "ANSWER_WITHIN", timedelta(seconds=2))
        yield


async def test_a_repayment_typed_without_a_worker_is_kept_and_delivered_once(
    dev_server: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    client, task_queue = dev_server.client, f"pending-{uuid.uuid4()}"
    docs, app = new_application()
    async with journey_worker(client, tmp_path, docs, task_queue=task_queue,
                              restarting=True) as settings:
        handle = await start(client, settings, app)
        running = await drive_to(handle, app, Stage.POST_LOAN)
        point_cli_at(monkeypatch, client, tmp_path)
        by_customer = await cli("repay", handle.id, "--amount", "100", "--reference", "C-1",
                                "--as", customer(app).id, "--role", "customer")
        assert by_customer.exit_code == 3, by_customer.output  # a refusal, not kept pending
        assert instructions(settings.db_url, every=True) == []
        assert [r.action for r in refusals(settings.db_url, handle.id)] == ["record_repayment"]
    # the worker has stopped: the receipt typed now is kept, not lost
    first = running.offer.schedule[0].payment
    repay = ("repay", handle.id, "--amount", str(first), "--as", SUBMITTER.id)
    with no_worker(monkeypatch):
        typed = await cli(*repay, "--reference", "BANK-1")
        assert typed.exit_code == 6, typed.output
        assert "kept as pending instruction 1 (ops-li" in said(typed)
        assert "do not type it again" in said(typed)
        (kept,) = instructions(settings.db_url)
        assert (kept.workflow_id, kept.update, kept.actor, kept.role, kept.state) == (
            handle.id, "record_repayment", SUBMITTER.id, SUBMITTER.role, Delivery.PENDING)
        assert Repayment.model_validate_json(kept.request).amount == first
        late = await cli("decide", handle.id, "--verdict", "approve", "--reason", "ok",
                         "--as", "appr-branch-1")  # kept too, though past approval
        assert late.exit_code == 6 and "pending instruction 2" in said(late), late.output
        listed = await cli("pending", "list")
        assert listed.exit_code == 0 and "BANK-1" in said(listed), listed.output
        assert (await cli("pending", "deliver")).exit_code == 6  # still no worker: it stays
        assert instructions(settings.db_url)[0].state is Delivery.PENDING
    async with journey_worker(client, tmp_path, docs, task_queue=task_queue, restarting=True):
        delivered = await cli("pending", "deliver")
        assert delivered.exit_code == 3 and "delivered" in said(delivered), delivered.output
        assert (f"error: not counted: pending instruction 2, the vote of appr-branch-1 "
                f"(approval vote on {handle.id}, typed ") in said(delivered)  # the late vote
        assert instructions(settings.db_url) == []
        _, refused_late = instructions(settings.db_url, every=True)
        assert refused_late.state is Delivery.REFUSED
        assert "approval vote refused" in refused_late.outcome
        assert [r.action for r in refusals(settings.db_url, handle.id)] == [
            "record_repayment", "decide"]  # the customer's, then the late decision
        # the typist's origin and time, in refusals and in the history, not the deliverer's
        refusal = refusals(settings.db_url, handle.id)[-1]
        assert (refusal.origin, refusal.at) == (refused_late.origin, refused_late.typed_at)
        assert "pending instruction 2, delivered" in refusal.reason
        # the first attempt, held by the server, is what the journey took: the typist's
        assert await accepted_identity(handle, kept.update_id) == kept.origin
        again = await cli("pending", "deliver")
        assert again.exit_code == 0 and "nothing pending" in said(again)
        retyped = await cli(*repay, "--reference", "BANK-1")  # the reference: booked once
        assert retyped.exit_code == 0 and "BANK-1 was already recorded" in said(retyped)
        assert [p.reference for p in (await status(handle)).payments] == ["BANK-1"]
    # one more kept while the server cannot be reached: the next worker delivers it as it
    # starts, and the history names who typed it, when, and who delivered it
    with no_worker(monkeypatch), monkeypatch.context() as offline:
        offline.setenv("LOAN_JOURNEY_TEMPORAL_ADDRESS", f"127.0.0.1:{free_port()}")
        typed = await cli(*repay, "--reference", "BANK-2", "--prepay")
    assert typed.exit_code == 5 and "pending instruction 3" in said(typed), typed.output
    polling = asyncio.create_task(worker.run(settings, client))
    try:
        deadline = asyncio.get_running_loop().time() + DELIVERED_ON_START.total_seconds()
        while instructions(settings.db_url) and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.1)
        *_, second = instructions(settings.db_url, every=True)
        assert second.state is Delivery.DELIVERED, second
        assert [p.reference for p in (await status(handle)).payments] == ["BANK-1", "BANK-2"]
        assert await accepted_identity(handle, second.update_id) == (
            f"pending #3 typed by {second.origin} at {second.typed_at:%Y-%m-%dT%H:%M:%SZ}, "
            f"delivered by {origin()}")
        polling.cancel()
        await asyncio.gather(polling, return_exceptions=True)
        await kept_in_the_order_typed(handle, settings, client, monkeypatch, caplog, docs,
                                      task_queue, str(first))
    finally:
        polling.cancel()
        await asyncio.gather(polling, return_exceptions=True)
        await handle.terminate("test finished")


async def kept_in_the_order_typed(handle: WorkflowHandle, settings: Settings, client: Client,
                                  monkeypatch: pytest.MonkeyPatch,
                                  caplog: pytest.LogCaptureFixture, docs: Documents,
                                  task_queue: str, prepaid: str) -> None:
    """No worker: a repayment kept while the server is down, then one typed with the server
    up goes behind it, not ahead; the second, refused at delivery, stays listed, not booked,
    with what to type, until it is booked."""
    ta = ("repay", handle.id, "--as", SUBMITTER.id)
    with no_worker(monkeypatch), monkeypatch.context() as offline:
        offline.setenv("LOAN_JOURNEY_TEMPORAL_ADDRESS", f"127.0.0.1:{free_port()}")
        first = await cli(*ta, "--amount", prepaid, "--prepay", "--reference", "TA-R1")
    assert first.exit_code == 5 and "pending instruction 4" in said(first), first.output
    with no_worker(monkeypatch):
        behind = await cli(*ta, "--amount", "90000000", "--reference", "TA-R5")
    assert behind.exit_code == 6 and "pending instruction 5" in said(behind), behind.output
    assert "instructions kept before this one" in said(behind)
    async with journey_worker(client, settings.data_dir, docs, task_queue=task_queue,
                              restarting=True):
        # the next act typed on the journey delivers the kept ones first, and logs what was
        # left unbooked as an error (on the command line's stderr)
        told = await cli(*ta, "--amount", prepaid, "--prepay", "--reference", "TA-R6")
        assert told.exit_code == 0, told.output
        (error,) = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
        assert "NOT BOOKED: 90,000,000.00 received under TA-R5" in error, error
        assert [p.reference for p in (await status(handle)).payments] == [
            "BANK-1", "BANK-2", "TA-R1", "TA-R6"]
        listed = await cli("pending", "list")
        assert "TA-R5" in said(listed) and "unbooked" in said(listed), listed.output
        booked = await cli(*ta, "--amount", prepaid, "--prepay", "--reference", "TA-R5")
        assert booked.exit_code == 0, booked.output
        assert instructions(settings.db_url, states=(Delivery.UNBOOKED,)) == []


async def test_a_repayment_typed_while_the_server_cannot_be_reached_is_kept(
    dev_server: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOAN_JOURNEY_TEMPORAL_ADDRESS", f"127.0.0.1:{free_port()}")  # nobody
    monkeypatch.setenv("LOAN_JOURNEY_DATA_DIR", str(tmp_path))
    typed = await cli("repay", "loan-APP-OFFLINE", "--amount", "1000.00", "--reference",
                      "BANK-9", "--as", SUBMITTER.id)
    assert typed.exit_code == 5, typed.output
    address = os.environ["LOAN_JOURNEY_TEMPORAL_ADDRESS"]
    assert f"the Temporal server at {address} did not answer" in said(typed), typed.output
    # the SDK's words (tonic's transport error) are no bank user's: at DEBUG only
    assert "tonic" not in said(typed) and "Failed client connect" not in said(typed)
    db_url = Settings(data_dir=tmp_path).db_url
    (kept,) = instructions(db_url)
    # when it was typed, on the bank's clock as every other time
    typed_at = moment_at(kept.typed_at, bank_offset(), seconds=True)
    assert f"pending instruction 1 ({SUBMITTER.id}, {typed_at}):" in said(typed), typed.output
    assert "(UTC+8)" in typed_at
    assert (kept.workflow_id, kept.update, kept.actor) == ("loan-APP-OFFLINE",
                                                           "record_repayment", SUBMITTER.id)
    # delivered once the server answers: there is no such journey (a mistyped id), so it is
    # refused, and the refused attempt is kept for auditors under the id typed, as typed;
    # the money is not booked: it stays listed, and the delivery says so
    point_cli_at(monkeypatch, dev_server.client, tmp_path)
    delivered = await cli("pending", "deliver")
    assert delivered.exit_code == 3 and "NOT BOOKED" in said(delivered), delivered.output
    (refused,) = instructions(db_url, states=(Delivery.UNBOOKED,))
    assert "loan-APP-OFFLINE" in refused.outcome
    (audited,) = refusals(db_url, "loan-APP-OFFLINE")
    assert (audited.action, audited.actor, audited.role, audited.origin, audited.at) == (
        "record_repayment", SUBMITTER.id, SUBMITTER.role, kept.origin, kept.typed_at)
    assert refused.outcome.startswith(audited.reason.split(" (pending instruction 1, ")[0])
    assert " (pending instruction 1, delivered " in audited.reason


async def accepted_identity(handle: WorkflowHandle, update_id: str) -> str:
    """Whom the history says sent the update `update_id` it accepted."""
    async for event in handle.fetch_history_events():
        accepted = event.workflow_execution_update_accepted_event_attributes
        if accepted.accepted_request.meta.update_id == update_id:
            return accepted.accepted_request.meta.identity
    raise AssertionError(f"no update {update_id} accepted in {handle.id}'s history")
