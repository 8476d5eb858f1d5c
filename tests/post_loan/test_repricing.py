"""A floating-rate loan repriced to the LPR on its first anniversary, on the time-skipping
server, with the fixing really in the journey database and the notice in the outbox."""

from __future__ import annotations

from datetime import timedelta, timezone
from decimal import Decimal

from rich.console import Console
from temporalio.testing import WorkflowEnvironment

from activities.policy import china_calendar
from journey.actors import Actor, Role
from journey.lpr import LprFixing, floats, repricing_dates
from journey.lpr_record import publication_day
from journey.post_loan_policy import start_of
from journey.repayment import add_months, cents
from starter.lpr import record_fixing
from starter.status_view import status_view
from store.outbox import messages_for
from tests.post_loan.loan_kit import (
    assert_replays,
    disbursed,
    loan_worker,
    pay,
    review,
    skip_to,
    until,
)
from tests.workflows.journey_kit import Documents, application
from workflows.loan_journey import LoanJourneyWorkflow

OPS = Actor(id="ops-wang", role=Role.OPERATIONS)


def shown(status) -> str:  # type: ignore[no-untyped-def]
    console = Console(record=True, width=200)
    console.print(status_view(status))
    return " ".join(console.export_text().split())


async def test_a_floating_loan_is_repriced_to_the_fixing_on_its_first_anniversary(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    env, docs = time_skipping_env, Documents()
    app = application(docs, term_months=24)
    async with loan_worker(env.client, tmp_path, docs) as settings:
        handle, running = await disbursed(env.client, settings, app)
        offer = running.offer
        assert offer is not None and floats(offer.rate_basis) and offer.starts_on is not None
        basis = offer.rate_basis
        assert basis is not None and basis.base == "1y LPR"
        bank = timezone(timedelta(hours=running.days_utc_offset))
        # the first year paid, each instalment early in its period: nothing falls past due
        for n, instalment in enumerate(offer.schedule[:12]):
            if n:
                await skip_to(env, start_of(offer.schedule[n - 1].due_on, bank)
                              + timedelta(hours=10))
            await handle.execute_update(LoanJourneyWorkflow.record_repayment,
                                        pay(f"YEAR-1-{n + 1}", instalment.payment))
        anniversary = repricing_dates(offer.starts_on, 24)[0]
        # the month before, the bank records a fixing below the one the loan was priced on
        month_before = add_months(anniversary, -1)
        fixed_on = publication_day(month_before, china_calendar(month_before, 1))
        await skip_to(env, start_of(fixed_on, bank) + timedelta(hours=10))
        assert record_fixing(settings, LprFixing(fixed_on=fixed_on, one_year=Decimal("0.0300"),
                                                 five_year=Decimal("0.0350")), OPS,
                             await env.get_current_time())
        await skip_to(env, start_of(anniversary, bank) + timedelta(hours=2))
        repriced = await until(handle, lambda s: bool(s.rate_changes))

        change = repriced.rate_changes[0]
        new_rate = Decimal("0.0300") + basis.spread
        assert (change.on, change.old_rate, change.new_rate) == (
            anniversary, offer.annual_rate, new_rate)
        assert (change.fixing_on, change.fixing_rate) == (fixed_on, Decimal("0.0300"))
        assert repriced.account is not None
        thirteenth = repriced.account.instalments[12]
        left = offer.schedule[11].balance_after
        assert thirteenth.interest_due == cents(left * new_rate / 12)  # on what is left
        assert thirteenth.interest_due < offer.schedule[12].interest
        assert thirteenth.principal_due == offer.schedule[12].principal  # equal principal
        assert repriced.account.instalments[11].interest_due == offer.schedule[11].interest
        text = shown(repriced)
        assert (f"rate {new_rate:.2%} since {anniversary} (1y LPR 3.00% of {fixed_on} + "
                f"{basis.spread:.2%}), was {offer.annual_rate:.2%}") in text
        assert any(d.verdict == "repriced" for d in repriced.decisions)
        notices = [m for m in messages_for(settings.db_url, handle.id)
                   if m.key == f"{handle.id}:repriced:{anniversary}"]
        assert len(notices) == 1 and f"{new_rate:.2%} since {anniversary}" in notices[0].body

        # a review continues the loan as new: the rate changes go with it
        await review(env, settings, handle.id, 1)
        carried = await until(handle, lambda s: s.run > repriced.run)
        assert carried.rate_changes == repriced.rate_changes
        assert carried.account == repriced.account

        # the new amount, paid on its due date, is on time
        due = thirteenth.due_on
        await skip_to(env, start_of(due, bank) + timedelta(hours=2))
        done = await handle.execute_update(
            LoanJourneyWorkflow.record_repayment,
            pay("M-13", thirteenth.interest_due + thirteenth.principal_due, paid_on=due))
        assert "arrears 0" in done.message
        paid = await until(handle, lambda s: s.account is not None
                           and s.account.instalments[12].settled_on is not None)
        assert paid.account is not None and paid.account.instalments[12].settled_on == due
        assert paid.days_past_due == 0 and paid.account.credit == 0
        assert paid.rate_changes == repriced.rate_changes
    await assert_replays(handle)
