"""Early settlement: the principal left and the interest accrued to the day close the loan;
less, a day before a payment already recorded, or a plan already all due is refused before
the history. And how a paid loan closes: the customer's notice, with any refund."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from rich.console import Console
from temporalio.testing import WorkflowEnvironment

from journey.loan_payments import settlement_quote
from journey.post_loan_policy import start_of
from journey.repayment import cents
from journey.stages import Stage
from journey.status import plan_start
from journey.timeline import EventType
from starter import loan_figures
from starter.errors import BadInput, Ended
from starter.post_loan_view import post_loan_view
from starter.repayment_view import plan_table, settlement_text
from store.outbox import messages_for
from tests.post_loan.loan_kit import (
    assert_replays,
    disbursed_loan,
    outcome,
    pay,
    skip_to,
    until,
)
from tests.workflows.journey_kit import Documents, accepted_updates, refused
from workflows.loan_journey import LoanJourneyWorkflow

REPAY = LoanJourneyWorkflow.record_repayment


async def test_a_loan_settled_early_pays_interest_to_the_day_and_closes(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    env, docs = time_skipping_env, Documents()
    async with disbursed_loan(env, tmp_path, docs) as (app, settings, handle, running):
        first, second = running.offer.schedule[:2]
        await skip_to(env, start_of(first.due_on) + timedelta(hours=2))
        await handle.execute_update(REPAY, pay("M-01", first.payment, paid_on=first.due_on))
        on = first.due_on + timedelta(days=10)
        await skip_to(env, start_of(on) + timedelta(hours=2))
        now = await until(handle, lambda s: s.account is not None and s.account.paid > 0)

        start = plan_start(now.offer, now.disbursement)
        assert start == now.offer.starts_on  # the day the offer's plan begins
        quote = settlement_quote(now.account, on, start)
        # the period as the plan runs it: a due date a holiday moved (顺延, as Spring Festival
        # moves 2027-02-07 to 02-11) neither lengthens it nor the next one's start
        period = (second.ends_on - first.ends_on).days
        assert quote.principal_owed == app.amount - first.principal
        assert quote.owed - quote.principal_owed == cents(second.interest * 10 / period)
        whole_plan = sum(i.payment for i in running.offer.schedule[1:])
        assert quote.owed < whole_plan  # no interest for the periods after this one
        # what the command line says to do with it: an early settlement, never a repayment,
        # which would pay the whole plan's interest and leave the loan open
        assert loan_figures.settlement(now, on) == quote and not loan_figures.matured(now, on)
        told = settlement_text(handle.id, on, quote, loan_figures.matured(now, on))
        assert f"settling {handle.id} on {on} takes" in told and "--settle`" in told

        short = pay("SETTLE-1", quote.owed - Decimal("0.01"), paid_on=on, settles=True)
        assert f"settling on {on} takes {quote.owed:,}" in await refused(handle, REPAY, short)
        early = pay("SETTLE-1", quote.owed, paid_on=first.due_on - timedelta(days=1),
                    settles=True)
        assert "before the payment recorded on" in await refused(handle, REPAY, early)

        before = await accepted_updates(handle)
        await handle.execute_update(REPAY, pay("SETTLE-1", quote.owed, paid_on=on, settles=True))
        result = await outcome(handle)
        assert result.outcome is Stage.CLOSED and result.reason == "settled early"
        assert await accepted_updates(handle) == before + 1
        closed = await until(handle, lambda s: s.stage.terminal)
        assert closed.account.repaid and closed.account.credit == 0
        assert closed.account.paid == first.payment + quote.owed
        # the plan shows the instalments brought forward with the dates signed for them
        shown = Console(width=200, record=True)
        shown.print(plan_table(closed))
        lines = shown.export_text().splitlines()
        assert f"{first.due_on} (signed" not in "".join(lines)  # paid on its own date
        assert any(f"{on} (signed {second.due_on})" in line for line in lines)
        closing = [m for m in messages_for(settings.db_url, handle.id)
                   if m.key == f"{handle.id}:closed"]
        assert [(m.recipient, m.template) for m in closing] == [("customer", "loan_closed")]
        assert closing[0].body == (  # which loan: company 1 may have two
            f"Your application {app.application_id} for a "
            f"{app.product.value.replace('_', ' ')} loan of {app.amount:,.2f}: the loan was "
            f"settled early on {on}: {closed.account.paid:,} paid in all, nothing is owed")
        touchpoints = [e.detail for e in closed.events if e.type is EventType.TOUCHPOINT]
        assert touchpoints[-2:] == ["repayment M-01", "settlement SETTLE-1"]
        await assert_replays(handle)


async def test_a_loan_paid_over_closes_with_the_refund_in_both_notices(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    env, docs = time_skipping_env, Documents()
    async with disbursed_loan(env, tmp_path, docs) as (_app, settings, handle, running):
        day = running.offer.starts_on  # settled on the payout day, 50.00 over the quote
        quote = loan_figures.settlement(running, day)
        await handle.execute_update(REPAY, pay("ALL-1", quote.owed + Decimal("50.00"),
                                               paid_on=day, settles=True))
        result = await outcome(handle)
        assert result.outcome is Stage.CLOSED and result.reason == "settled early"
        sent = {m.key: m for m in messages_for(settings.db_url, handle.id)}
        closing = sent[f"{handle.id}:closed"]
        assert closing.body.endswith("nothing is owed; 50.00 paid over is refunded")
        refund = sent[f"{handle.id}:credit-refund"]
        assert (refund.recipient, refund.template) == ("operations", "overpayment_refund_due")
        # an ended loan is quoted nothing, as `repay` to it is refused: exit 3, see `status`
        closed = await until(handle, lambda s: s.stage.terminal)
        told = (f"{handle.id} has ended (closed, settled early) and can no longer be settled: "
                f"`loan-journey status {handle.id}` shows how it ended")
        with pytest.raises(Ended) as ended:
            loan_figures.settlement(closed, day)
        assert str(ended.value) == told and ended.value.exit_code == 3
        with pytest.raises(Ended, match="can no longer be prepaid"):
            loan_figures.prepayment(closed, quote.owed, day)
        shown = Console(width=200, record=True)  # its status: money to the fen, none owed
        shown.print(*post_loan_view(closed))
        assert "arrears 0.00 " in " ".join(shown.export_text().split())


async def test_a_loan_past_its_last_due_date_is_not_settled_early(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    env, docs = time_skipping_env, Documents()
    async with disbursed_loan(env, tmp_path, docs) as (_app, _settings, handle, running):
        last = running.offer.schedule[-1]
        await skip_to(env, start_of(last.due_on + timedelta(days=1)) + timedelta(hours=2))
        late = await until(handle, lambda s: s.days_past_due > 300, seconds=60)
        owed = pay("LATE-1", late.account.owed, settles=True)
        assert f"fell due on {last.due_on}: nothing is left to settle early" in await refused(
            handle, REPAY, owed
        )
        # collections ask what clears it on a day: everything, penalty accrued to that day
        later = last.due_on + timedelta(days=400)
        payoff = loan_figures.settlement(late, later)
        assert payoff.penalty_owed > late.account.penalty_owed
        assert payoff.owed == late.account.owed + payoff.penalty_owed - late.account.penalty_owed
        assert loan_figures.matured(late, later)
        told = settlement_text(handle.id, later, payoff, loan_figures.matured(late, later))
        assert "has fallen due; on" in told and "--settle" not in told
        with pytest.raises(BadInput, match="before the payout"):
            loan_figures.settlement(late, running.offer.starts_on - timedelta(days=1))
