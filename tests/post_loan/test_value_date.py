"""The repayment plan runs from the day the money is paid out, not from the offer's day: a
customer who signs days later pays no interest for the days before the payout."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio.testing import WorkflowEnvironment

from activities.policy import china_calendar
from journey.repayment import add_months
from journey.stages import Stage
from starter.repayment_view import plan_table
from store.outbox import OutboxMessage, messages_for
from tests.post_loan.loan_kit import assert_replays, loan_worker, skip_to, until
from tests.workflows.journey_kit import (
    Documents,
    application,
    drive_to,
    offer_signature,
    start,
)
from workflows.loan_journey import LoanJourneyWorkflow


async def disbursed_notices(db_url: str, workflow_id: str) -> list[OutboxMessage]:
    """The payout notice, once the journey has queued it (it goes behind the payout)."""
    for _ in range(100):
        notices = [m for m in messages_for(db_url, workflow_id)
                   if m.key == f"{workflow_id}:disbursed"]
        if notices:
            return notices
        await asyncio.sleep(0.1)
    return []


async def test_a_loan_signed_days_after_its_offer_is_planned_from_its_payout(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    env, docs = time_skipping_env, Documents()
    app = application(docs, term_months=12)
    async with loan_worker(env.client, tmp_path, docs) as settings:
        handle = await start(env.client, settings, app)
        at_offer = await drive_to(handle, app, Stage.OFFER)
        offered = at_offer.offer
        assert offered is not None and offered.starts_on is not None
        # `loan-journey plan` says so while the dates may still move
        assert "indicative: the plan runs from the payout" in str(plan_table(at_offer).caption)
        assert offered.schedule[0].due_on >= add_months(offered.starts_on, 1)

        await skip_to(env, await env.get_current_time() + timedelta(days=5))
        await handle.execute_update(LoanJourneyWorkflow.sign, offer_signature(app))
        running = await until(handle, lambda s: s.account is not None)

        paid_out = running.offer.starts_on
        assert paid_out == offered.starts_on + timedelta(days=5)
        plan = running.offer.schedule
        # each a month after the payout, or the next working day when that is not one (顺延)
        working = china_calendar(paid_out, 3)
        assert [i.due_on for i in plan] == [
            working.next_working_day(add_months(paid_out, n)) for n in range(1, 13)
        ]
        assert all(working.is_working_day(i.due_on) for i in plan)
        # the terms signed, moved: the same payments, the same balances
        assert [(i.payment, i.balance_after) for i in plan] == [
            (i.payment, i.balance_after) for i in offered.schedule
        ]
        assert running.account.instalments[0].due_on == plan[0].due_on
        assert "indicative" not in str(plan_table(running).caption)
        notices = await disbursed_notices(settings.db_url, handle.id)
        assert [(n.recipient, n.template) for n in notices] == [("customer", "loan_disbursed")]
        assert f"{plan[0].payment:,}, is due on {plan[0].due_on}" in notices[0].body
        await assert_replays(handle)
