"""Money valued in a period and typed after its last day (starter/money_received.py
`typed_later`): a month-end closed on its last day did not hold it, and the same month's
book holds it now; `book` names each such payment (its loan, amount, value date, when it was
typed and where it went) under the money received, and `--json` lists them, so the
controller sees what changed in a month after it was closed."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from rich.console import Console
from temporalio.testing import WorkflowEnvironment

from journey.post_loan_policy import start_of
from starter.book_sections import received_table
from starter.money_received import Period, money_received
from store.payment_references import ReferenceClaim
from store.pending import Instruction, keep_instruction
from store.reference_claims import claim
from store.refusals import origin
from tests.post_loan.loan_kit import disbursed_loan, pay, skip_to, until
from tests.workflows.journey_kit import SUBMITTER, Documents
from workflows.loan_journey import LoanJourneyWorkflow


async def test_money_valued_in_a_closed_period_and_typed_after_it_is_named(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    env = time_skipping_env
    async with disbursed_loan(env, tmp_path, Documents()) as (_, settings, handle, running):
        assert running.disbursement is not None and running.disbursement.value_on is not None
        payout = running.disbursement.value_on
        first = running.offer.schedule[0]
        await skip_to(env, start_of(payout + timedelta(days=3)) + timedelta(hours=2))
        typed = await env.get_current_time()  # three days after the payout, on its clock
        # typed at the counter then (the command line claims its reference as it is typed),
        # valued the day after the payout
        claim(settings.db_url, ReferenceClaim(
            reference="LATE-1", workflow_id=handle.id, kind="repayment",
            amount=first.payment, claimed_by=SUBMITTER.id, claimed_at=typed, origin=origin()))
        await handle.execute_update(LoanJourneyWorkflow.record_repayment,
                                    pay("LATE-1", first.payment,
                                        paid_on=payout + timedelta(days=1)))
        now = await until(handle, lambda s: len(s.payments) == 1)
        kept = keep_instruction(settings.db_url, Instruction(  # kept, no worker delivering
            workflow_id=handle.id, update="record_repayment", update_id=str(uuid.uuid4()),
            request=pay("LATE-2", "500.00", paid_on=payout + timedelta(days=1))
            .model_dump_json(), actor=SUBMITTER.id, role=SUBMITTER.role, typed_at=typed,
            origin=origin()))

    closed = Period(first=payout, last=payout + timedelta(days=1))  # closed on its last day
    money = money_received([now], settings, closed)
    assert money.total == first.payment + Decimal("500.00")
    assert [(t.reference, t.amount, t.where) for t in money.typed_later] == [
        ("LATE-1", first.payment, "booked"),
        ("LATE-2", Decimal("500.00"), "kept, not delivered yet")]
    assert all(t.typed_at == typed and t.paid_on == closed.last for t in money.typed_later)
    assert kept > 0

    # a period that ends on the bank's day it was typed holds it as it was: nothing typed
    # later; one that ends the day before does not
    for days, count in ((3, 0), (2, 2)):
        to = Period(first=payout, last=payout + timedelta(days=days))
        assert len(money_received([now], settings, to).typed_later) == count, days

    shown = Console(width=250, record=True)
    shown.print(received_table(money))
    text = shown.export_text()
    assert f"of it, typed after {closed.last} (not in a month closed that day): 2 payments, " \
           f"{first.payment + 500:,.2f}" in text, text
    assert f"LATE-1 ({handle.id}, {first.payment:,.2f}, valued {closed.last}, typed " in text
