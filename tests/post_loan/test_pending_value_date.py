"""A repayment kept while no worker ran is paid on the day it was typed, not the day it is
delivered: days later, the journey books it on its day (starter/pending_delivery.py); one the server
held is too, the command line giving it its value date as typed (starter/post_loan_cli.py)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from starter import loan_figures, operations, pending_delivery, post_loan_cli
from starter.bank_clock import bank_day
from store.pending import Delivery, Instruction, keep_instruction
from store.refusals import origin
from tests.cli_kit import cli, point_cli_at
from tests.post_loan.loan_kit import (
    application,
    disbursed,
    disbursed_loan,
    loan_worker,
    pay,
    skip_to,
    until,
)
from tests.workflows.journey_kit import SUBMITTER, Documents


async def test_a_kept_repayment_delivered_days_later_is_paid_on_the_day_it_was_typed(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    async with disbursed_loan(time_skipping_env, tmp_path, Documents()) as (_, settings,
                                                                            handle, running):
        typed_at = await time_skipping_env.get_current_time()
        receipt = pay("BANK-7", running.offer.schedule[0].payment)
        keep_instruction(settings.db_url, Instruction(
            workflow_id=handle.id, update="record_repayment", update_id=str(uuid.uuid4()),
            request=receipt.model_dump_json(), actor=SUBMITTER.id, role=SUBMITTER.role,
            typed_at=typed_at, origin=origin()))
        await skip_to(time_skipping_env, typed_at + timedelta(days=3))
        done = await pending_delivery.deliver(time_skipping_env.client, settings)
        assert [k.state for k in done.settled] == [Delivery.DELIVERED], done
        (paid,) = (await until(handle, lambda s: bool(s.payments))).payments
        typed_on = loan_figures.loan_day(running, typed_at)
        assert (paid.reference, paid.paid_on) == ("BANK-7", typed_on)
        assert loan_figures.loan_day(running, await time_skipping_env.get_current_time()) > typed_on


async def test_a_repayment_the_server_holds_over_a_day_boundary_is_paid_on_the_day_typed(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No worker, the server up (exit 6): the server holds the update as typed, with its
    value date, the bank's day when typed; a worker that comes days later books it then."""
    env, docs = time_skipping_env, Documents()
    app = application(docs, term_months=12)
    # no sticky queue: the test server would keep the held update's task for the worker gone
    async with loan_worker(env.client, tmp_path, docs, cache=False, restarting=True) as settings:
        handle, running = await disbursed(env.client, settings, app)
    typed_at = await env.get_current_time()
    monkeypatch.setattr(post_loan_cli, "bank_day", lambda: bank_day(typed_at))  # the server's
    monkeypatch.setattr(operations, "ANSWER_WITHIN", timedelta(seconds=1))
    point_cli_at(monkeypatch, env.client, settings.data_dir)
    first = running.offer.schedule[0].payment
    held = await cli("repay", handle.id, "--amount", str(first), "--reference", "BANK-8",
                     "--as", SUBMITTER.id)
    assert held.exit_code == 6, held.output
    await skip_to(env, typed_at + timedelta(days=3))  # answers after its RPC's deadline (30 s)
    async with loan_worker(env.client, tmp_path, docs, task_queue=settings.task_queue):
        (paid,) = (await until(handle, lambda s: bool(s.payments))).payments
        assert (paid.reference, paid.paid_on) == ("BANK-8", bank_day(typed_at))
        assert loan_figures.loan_day(running, await env.get_current_time()) > paid.paid_on
