"""The repayment plan runs from the day the money is paid out, not from the offer's day: a
customer who signs days later pays no interest for the days before the payout; and one who
signs on a day the bank does not work is paid out, and pays interest, from its next working
day (the payout's value date)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from rich.console import Console
from temporalio.testing import WorkflowEnvironment

from activities.policy import china_calendar
from journey.repayment import add_months
from journey.stages import Stage
from starter import loan_figures
from starter.repayment_view import plan_table
from starter.status_view import status_view
from store.ledger import bookings_for
from store.outbox import OutboxMessage, messages_for
from tests.post_loan.loan_kit import (
    assert_replays,
    bank_day_at,
    current_status,
    loan_worker,
    outcome,
    pay,
    settle_at_quote,
    skip_to,
    until,
)
from tests.workflows.journey_kit import (
    Documents,
    application,
    drive_to,
    offer_signature,
    refused,
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

        # signed five days later: paid out then, or on the next working day (value-dated)
        working = china_calendar(offered.starts_on, 3)
        paid_out = running.offer.starts_on
        assert paid_out == working.next_working_day(offered.starts_on + timedelta(days=5))
        plan = running.offer.schedule
        # each a month after the payout, or the next working day when that is not one (顺延)
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


async def test_a_loan_signed_on_a_saturday_is_value_dated_the_next_bank_day(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    """Booked at the signature, Saturday; the money moves, and interest runs, from Monday:
    the ledger row, the notice, the plan, the account and `status` say so; a settlement
    received over the weekend is value-dated Monday and closes the loan."""
    env, docs = time_skipping_env, Documents()
    app = application(docs, term_months=12)
    async with loan_worker(env.client, tmp_path, docs) as settings:
        handle = await start(env.client, settings, app)
        await drive_to(handle, app, Stage.OFFER)
        saturday = bank_day_at(await env.get_current_time(), 5, working=False)
        await skip_to(env, saturday)
        await handle.execute_update(LoanJourneyWorkflow.sign, offer_signature(app))
        running = await until(handle, lambda s: s.account is not None)

        working = china_calendar(saturday.date(), 3)
        monday = working.next_working_day(saturday.date())
        assert monday > saturday.date() and running.disbursement is not None
        [booked] = bookings_for(settings.db_url, handle.id)
        assert booked.value_on == monday == running.disbursement.value_on
        plan = running.offer.schedule
        assert running.offer.starts_on == monday
        assert plan[0].due_on == working.next_working_day(add_months(monday, 1))
        [notice] = await disbursed_notices(settings.db_url, handle.id)
        assert f"was paid out on {monday}:" in notice.body
        assert f"is due on {plan[0].due_on}" in notice.body
        console = Console(record=True, width=300)
        console.print(status_view(running))
        assert f"value date {monday}" in console.export_text()

        # interest from Monday: a settlement on Monday is the principal, a day later it has
        # accrued; nothing accrues over the weekend, when the money has not moved
        on_monday = loan_figures.settlement(running, monday).owed
        assert on_monday == app.amount
        assert loan_figures.settlement(running, monday + timedelta(days=1)).owed > on_monday
        assert loan_figures.accrued_by(running, saturday.date()) is None
        assert running.account.penalty_owed == 0 and running.days_past_due == 0
        assert loan_figures.payment_day(running) == monday
        # received over the weekend: value-dated Monday, at Monday's quote; refused before it
        assert "before the disbursement on" in await refused(
            handle, LoanJourneyWorkflow.record_repayment,
            pay("WEEKEND-0", on_monday, paid_on=saturday.date(), settles=True))
        # one recorded without a day is dated Monday too
        assert f"settling on {monday} takes" in await refused(
            handle, LoanJourneyWorkflow.record_repayment, pay("WEEKEND-0", 1, settles=True))
        # as the bench and the chaos kit settle: at the quote of the payout day (plan_start)
        await settle_at_quote(handle, running, "WEEKEND-1")
        closed = await outcome(handle)
        assert closed.outcome is Stage.CLOSED and closed.reason == "settled early"
        assert [p.paid_on for p in (await current_status(handle)).payments] == [monday]
        await assert_replays(handle)


async def test_a_loan_signed_on_a_working_day_runs_from_that_day(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    """Signed on a Wednesday that is a working day: its value date is the day it is booked,
    and the plan, the notice and `status` run from it."""
    env, docs = time_skipping_env, Documents()
    app = application(docs, term_months=12)
    async with loan_worker(env.client, tmp_path, docs) as settings:
        handle = await start(env.client, settings, app)
        await drive_to(handle, app, Stage.OFFER)
        wednesday = bank_day_at(await env.get_current_time(), 2, working=True)
        await skip_to(env, wednesday)
        await handle.execute_update(LoanJourneyWorkflow.sign, offer_signature(app))
        running = await until(handle, lambda s: s.account is not None)

        [booked] = bookings_for(settings.db_url, handle.id)
        assert booked.value_on == wednesday.date() == running.offer.starts_on
        [notice] = await disbursed_notices(settings.db_url, handle.id)
        assert f"was paid out on {wednesday.date()}:" in notice.body
        assert loan_figures.settlement(running, wednesday.date()).owed == app.amount
        console = Console(record=True, width=300)
        console.print(status_view(running))
        assert f"value date {wednesday.date()}" in console.export_text()
        await assert_replays(handle)
