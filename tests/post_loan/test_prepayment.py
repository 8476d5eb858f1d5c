"""Partial prepayment on a running loan: the quote operations give is what the journey
books; the later instalments keep their dates and shrink; what is not a prepayment is
refused before the history; the loan then runs on, and settles, on the smaller plan."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from pydantic import ValidationError
from temporalio.testing import WorkflowEnvironment

from journey.loan_payments import prepayment_quote, settlement_quote
from journey.post_loan_policy import PrepaymentFee, start_of
from journey.repayment import cents
from journey.review_contracts import REVIEW_FACTS_QUERY, ReviewFacts
from journey.status import plan_start
from journey.timeline import EventType
from starter import loan_figures
from starter.errors import BadInput
from starter.repayment_view import plan_table, prepayment_text
from tests.post_loan.loan_kit import (
    assert_replays,
    disbursed,
    disbursed_loan,
    loan_worker,
    pay,
    policy,
    settles_early,
    skip_to,
    until,
)
from tests.workflows.journey_kit import (
    Documents,
    accepted_updates,
    application,
    refused,
    until_sent,
)
from workflows.loan_journey import LoanJourneyWorkflow

REPAY = LoanJourneyWorkflow.record_repayment



async def test_a_prepayment_shrinks_the_later_instalments_and_the_loan_runs_on(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    env, docs = time_skipping_env, Documents()
    async with disbursed_loan(env, tmp_path, docs) as (app, settings, handle, running):
        first, second, third = running.offer.schedule[:3]
        await skip_to(env, start_of(first.due_on) + timedelta(hours=2))
        await handle.execute_update(REPAY, pay("M-01", first.payment, paid_on=first.due_on))
        on = first.due_on + timedelta(days=10)
        await skip_to(env, start_of(on) + timedelta(hours=2))
        now = await until(handle, lambda s: s.account is not None and s.account.paid > 0)

        amount = (app.amount / 4).quantize(Decimal("0.01"))
        quote = loan_figures.prepayment(now, amount, on)  # what `loan-journey prepayment` says
        start = plan_start(now.offer, now.disbursement)
        assert quote == prepayment_quote(now.account, amount, on, start, now.offer.period_rate,
                                         now.penalty_rate, relevels=True)
        assert quote.principal_owed == app.amount - first.principal - amount
        text = prepayment_text(handle.id, on, amount, now.account, quote)
        assert f"repays [bold]{amount:,}[/] of principal ahead of the plan" in text

        whole = pay("PRE-1", quote.principal_owed + amount, paid_on=on, prepays=True)
        assert "settle the loan instead" in await refused(handle, REPAY, whole)
        early = pay("PRE-1", amount, paid_on=first.due_on - timedelta(days=1), prepays=True)
        assert "before the payment recorded on" in await refused(handle, REPAY, early)
        with pytest.raises(ValidationError, match="not both"):
            pay("PRE-1", amount, settles=True, prepays=True)
        with pytest.raises(BadInput, match="settle the loan instead"):
            loan_figures.prepayment(now, quote.principal_owed + amount, on)
        # the packaged post-loan policy's least prepayment: 100,000 of principal ahead
        assert now.prepayment_minimum == Decimal("100000.00")
        small = pay("PRE-1", Decimal("99999.99"), paid_on=on, prepays=True)
        assert "a prepayment repays at least 100,000.00" in await refused(handle, REPAY, small)
        with pytest.raises(BadInput, match="at least 100,000.00"):
            loan_figures.prepayment(now, Decimal("99999.99"), on)

        before = await accepted_updates(handle)
        result = await handle.execute_update(REPAY, pay("PRE-1", amount, paid_on=on,
                                                         prepays=True))
        assert result.message.endswith(f"next instalment {quote.next_instalment()}")
        assert await accepted_updates(handle) == before + 1
        after = await until(handle, lambda s: s.account.paid == first.payment + amount)
        assert after.account.principal_owed == quote.principal_owed
        later = after.account.instalments[1:]
        assert [i.due_on for i in later] == [i.due_on for i in running.offer.schedule[1:]]
        assert later[1].principal_planned + later[1].interest_due < third.payment
        # re-amortised: one payment after the current period's, the last taking the rounding
        assert after.account == quote
        assert len({i.principal_planned + i.interest_due for i in later[1:-1]}) == 1
        touchpoints = [e.detail for e in after.events if e.type is EventType.TOUCHPOINT]
        assert touchpoints[-2:] == ["repayment M-01", "prepayment PRE-1"]
        assert "paid in full" in [c.header for c in plan_table(after).columns]
        notice = await until_sent(settings.db_url, handle.id, key=f"{handle.id}:prepaid:PRE-1")
        assert (notice.recipient, notice.template) == ("customer", "plan_changed")
        assert notice.body == (  # which loan: company 1 may have two
            f"Your application {app.application_id} for a {app.product.value.replace('_', ' ')}"
            f" loan of {app.amount:,.2f}: "
            f"{amount:,} prepaid on {on}: {quote.principal_owed:,} of principal left; the plan "
            f"ends on {quote.ends_on()}, the next instalment is {quote.next_instalment()}"
        )

        # the smaller second instalment, paid on its due date, leaves nothing past due
        await skip_to(env, start_of(second.due_on) + timedelta(hours=2))
        await handle.execute_update(REPAY, pay("M-02", later[0].outstanding,
                                               paid_on=second.due_on))
        day_after = second.due_on + timedelta(days=1)
        await skip_to(env, start_of(day_after) + timedelta(hours=2))
        paid_two = await until(handle, lambda s: s.account.instalments[1].settled_on is not None)
        assert paid_two.days_past_due == 0 and paid_two.arrears == 0

        # and the loan settles on the smaller balance
        quote = settlement_quote(paid_two.account, day_after, start, paid_two.penalty_rate)
        assert quote.principal_owed == after.account.principal_owed - later[0].principal_planned
        await settles_early(handle, quote.owed, day_after)


async def test_a_policy_with_a_prepayment_fee_charges_it_and_says_so(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    """1% of the principal repaid ahead within the first year: the prepayment's rest is
    shared between principal and fee, the settlement's quote carries the fee, and a
    settlement without it is refused before the history."""
    env, docs = time_skipping_env, Documents()
    app = application(docs, term_months=12)
    fee = PrepaymentFee(rate=Decimal("0.01"), months=12)
    async with loan_worker(env.client, tmp_path, docs,
                           post_loan_policy=policy(prepayment_fee=fee)) as settings:
        handle, running = await disbursed(env.client, settings, app)
        assert running.prepayment_fee == fee
        day = running.offer.starts_on
        rest = Decimal("101000.00")
        quote = loan_figures.prepayment(running, rest, day)
        assert running.account.principal_owed - quote.principal_owed == Decimal("100000.00")
        assert "and a prepayment fee of 1,000.00" in prepayment_text(
            handle.id, day, rest, running.account, quote)
        await handle.execute_update(REPAY, pay("PRE-1", rest, paid_on=day, prepays=True))
        now = await until(handle, lambda s: s.account.paid == rest)
        assert now.account.fee_paid == Decimal("1000.00")
        assert now.account.principal_owed == quote.principal_owed

        settle = loan_figures.settlement(now, day)
        assert settle.owed_parts().endswith(
            f"prepayment fee {cents(now.account.principal_owed / 100):,}")
        short = pay("SETTLE-1", now.account.principal_owed, paid_on=day, settles=True)
        assert "prepayment fee" in await refused(handle, REPAY, short)
        await settles_early(handle, settle.owed, day)


async def test_a_prepayment_that_shortens_the_plan_repays_the_last_instalments(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    env, docs = time_skipping_env, Documents()
    async with disbursed_loan(env, tmp_path, docs) as (_app, _settings, handle, running):
        day, plan = running.offer.starts_on, running.offer.schedule
        last_two = plan[-1].principal + plan[-2].principal
        with pytest.raises(BadInput, match="before the payout"):  # as a settlement's quote
            loan_figures.prepayment(running, last_two, day - timedelta(days=1), shortens=True)
        quote = loan_figures.prepayment(running, last_two, day, shortens=True)
        assert quote.ends_on() == plan[-3].due_on
        text = prepayment_text(handle.id, day, last_two, running.account, quote, shortens=True)
        assert f"The plan ends on {plan[-3].due_on} (was {plan[-1].due_on})" in text
        assert text.endswith("--prepay --shorten`.")
        await handle.execute_update(REPAY, pay("PRE-S", last_two, paid_on=day, prepays=True,
                                               shortens=True))
        after = await until(handle, lambda s: s.account.paid == last_two)
        assert after.account == quote
        first = after.account.instalments[0]
        assert first.principal_planned == plan[0].principal  # the next one keeps its principal
        assert first.interest_due == plan[0].interest - cents(
            plan[0].interest * last_two / running.disbursement.amount)  # on the lower balance
        assert [i.settled_on for i in after.account.instalments[-2:]] == [day, day]
        # a review's DSCR reads the plan as it stands now, not the one signed
        facts = await handle.query(REVIEW_FACTS_QUERY, result_type=ReviewFacts)
        assert [i.payment for i in facts.plan] == [
            i.principal_planned + i.interest_due for i in after.account.instalments]
        assert sum(i.payment for i in facts.plan) < sum(i.payment for i in plan) - last_two
        assert facts.plan[-1].payment == 0 and facts.plan[-3].balance_after == 0
        await assert_replays(handle)


async def test_a_prepayment_of_what_settles_the_loan_is_refused_saying_to_settle(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    """Finance's figures (session s36): 500,000 prepaid and the first instalment paid early on
    the payout day leave 2,295,081.85 of principal with 7,500.00 of interest paid ahead, so
    that settling takes 2,287,581.85. Prepaying that was booked as principal and interest,
    leaving 770.85 of principal in instalments of 78.75 that the interest paid ahead settled:
    it is refused, as is a prepayment leaving less to settle than a prepayment's least, and
    the settlement books 3,000,000.00 of principal and no interest."""
    env, docs = time_skipping_env, Documents()
    async with disbursed_loan(env, tmp_path, docs) as (app, _settings, handle, running):
        day = running.offer.starts_on
        await handle.execute_update(REPAY, pay("PRE-1", Decimal("500000.00"), paid_on=day,
                                               prepays=True))
        now = await until(handle, lambda s: s.account.paid > 0)
        first = now.account.instalments[0]
        await handle.execute_update(REPAY, pay("M-01", first.outstanding, paid_on=day))
        now = await until(handle, lambda s: s.account.instalments[0].settled_on is not None)
        assert now.account.principal_owed == Decimal("2295081.85")
        quote = loan_figures.settlement(now, day)
        assert quote.owed == Decimal("2287581.85")
        assert quote.interest_back == Decimal("7500.00")  # "less interest paid ahead 7,500.00"

        settle = "use `repay --settle` (settlement quote 2,287,581.85)"
        whole = pay("PRE-2", quote.owed, paid_on=day, prepays=True)
        assert await refused(handle, REPAY, whole) == (
            f"DecisionRefused: 2,287,581.85 settles the loan on {day}: {settle}")
        with pytest.raises(BadInput, match="settles the loan on"):
            loan_figures.prepayment(now, quote.owed, day)
        # a cent short of it would leave 0.01 to settle: only settling could repay that
        short = pay("PRE-2", quote.owed - Decimal("0.01"), paid_on=day, prepays=True)
        assert await refused(handle, REPAY, short) == (
            f"DecisionRefused: 2,287,581.84 would leave 0.01 to settle the loan on {day}, less "
            "than the 100,000.00 a prepayment repays at least, so that only settling could "
            f"repay it: prepay at most 2,187,581.85, or settle the loan instead: {settle}")
        with pytest.raises(BadInput, match="would leave 0.01 to settle"):
            loan_figures.prepayment(now, quote.owed - Decimal("0.01"), day)
        most = loan_figures.prepayment(now, Decimal("2187581.85"), day)  # leaves the least
        assert loan_figures.settlement(
            now.model_copy(update={"account": most}), day).owed == Decimal("100000.00")

        await settles_early(handle, quote.owed, day)
        closed = await until(handle, lambda s: s.account.repaid)
        assert sum(i.principal_paid for i in closed.account.instalments) == app.amount
        assert sum(i.interest_paid for i in closed.account.instalments) == 0
        assert closed.account.credit == 0
