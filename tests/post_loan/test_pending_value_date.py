"""A repayment kept while no worker ran is paid on the day it was typed, not the day it is
delivered: days later, the journey books it on its day (starter/pending.py)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from temporalio.testing import WorkflowEnvironment

from starter import operations, pending
from store.pending import Delivery, Instruction, keep_instruction
from store.refusals import origin
from tests.post_loan.loan_kit import disbursed_loan, pay, skip_to, until
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
        done = await pending.deliver(time_skipping_env.client, settings)
        assert [k.state for k in done.settled] == [Delivery.DELIVERED], done
        (paid,) = (await until(handle, lambda s: bool(s.payments))).payments
        typed_on = operations.loan_day(running, typed_at)
        assert (paid.reference, paid.paid_on) == ("BANK-7", typed_on)
        assert operations.loan_day(running, await time_skipping_env.get_current_time()) > typed_on
