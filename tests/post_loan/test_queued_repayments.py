"""Two repayments sent at once: the second is taken while the journey awaits the first's
claim across loans (activities/references.py) and queues behind it; its validator ran as it
came, against the account before the first is booked. Once the first is booked, one that no
longer fits (the loan settled by the first, two prepayments together settling it, a repayment
paying the instalment the first paid, one dated before the first) is not booked: kept as
money received and not booked, the update saying why in the validator's words."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from temporalio import activity
from temporalio.client import WorkflowHandle, WorkflowUpdateStage
from temporalio.testing import WorkflowEnvironment

from activities.references import ReferenceActivities
from journey.decisions import Repayment, UpdateResult
from journey.loan_payments import repayment_refusal
from journey.post_loan_policy import start_of
from journey.reference_contracts import (
    RESERVE_REFERENCE,
    ReferenceReservation,
    ReserveReferenceInput,
)
from journey.settings import Settings
from journey.status import JourneyStatus, plan_start
from starter import loan_figures
from starter.errors import BadInput
from starter.pending_return import received_money
from store.db import session
from store.payment_references import claim_under
from store.pending import Delivery
from tests.post_loan.loan_kit import assert_replays, disbursed, pay, skip_to, until
from tests.workflows.journey_kit import Documents, application, journey_worker
from tests.workflows.test_entrusted_payout import patched
from workflows.loan_journey import LoanJourneyWorkflow
from workflows.post_loan_handlers import QUEUED_RECHECKED

RECORD = LoanJourneyWorkflow.record_repayment


class FirstClaimHeld:
    """The real claim across loans, the first one held until the test lets it go, so that a
    repayment sent meanwhile queues behind it for certain, not by the race of two sends."""

    def __init__(self) -> None:
        self.claimed, self.go_on = asyncio.Event(), asyncio.Event()

    def stand_in(self, settings: Settings) -> list[Callable[..., Any]]:
        real = ReferenceActivities(settings).reserve_reference

        @activity.defn(name=RESERVE_REFERENCE)
        async def reserve_reference(request: ReserveReferenceInput) -> ReferenceReservation:
            if not self.claimed.is_set():
                self.claimed.set()
                await self.go_on.wait()
            return await asyncio.to_thread(real, request)

        return [reserve_reference]

    async def at_once(self, handle: WorkflowHandle, first: Repayment, second: Repayment
                      ) -> tuple[UpdateResult, UpdateResult]:
        """`first` and `second` sent together, the second taken (accepted) while the journey
        awaits the first's claim."""

        async def behind() -> UpdateResult:
            await self.claimed.wait()
            sent = await handle.start_update(RECORD, second,
                                             wait_for_stage=WorkflowUpdateStage.ACCEPTED)
            self.go_on.set()
            return await sent.result()

        one, two = await asyncio.gather(handle.execute_update(RECORD, first), behind())
        return one, two


@asynccontextmanager
async def queued_loan(
    env: WorkflowEnvironment, tmp_path: Path
) -> AsyncIterator[tuple[FirstClaimHeld, Settings, WorkflowHandle, JourneyStatus, date]]:
    """A 12-month loan on a worker whose first claim is held: the gate, the settings, the
    journey, its status and its payout day."""
    docs, held = Documents(), FirstClaimHeld()
    async with journey_worker(env.client, tmp_path, docs, held.stand_in) as settings:
        handle, running = await disbursed(env.client, settings,
                                          application(docs, term_months=12))
        day = plan_start(running.offer, running.disbursement)
        assert day is not None
        yield held, settings, handle, running, day


async def not_booked(settings: Settings, handle: WorkflowHandle, answer: UpdateResult,
                     booked: list[str], reference: str, amount: Decimal) -> JourneyStatus:
    """`answer` refused the repayment under `reference`: only `booked` are on the loan, the
    refusal a decision, and the money kept as received and not booked, its claim kept for
    this loan."""
    assert not answer.accepted, answer
    assert f"is kept as money received for {handle.id} and not booked" in answer.message
    status = await until(handle, lambda s: any(d.verdict == "repayment not booked"
                                               for d in s.decisions))
    assert [p.reference for p in status.payments] == booked
    (kept,) = received_money(settings, Delivery.UNBOOKED)
    assert (kept.workflow_id, kept.reference, kept.amount) == (handle.id, reference, amount)
    with session(settings.db_url) as s:
        claim = claim_under(s, reference)
    assert claim is not None and claim.workflow_id == handle.id
    assert await patched(handle, QUEUED_RECHECKED)
    await assert_replays(handle)
    return status


async def test_a_second_settlement_queued_behind_the_first_is_not_booked(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    """Both at the quote, each fits alone: the second would book on a settled loan, all of it
    paid over as a credit to refund."""
    async with queued_loan(time_skipping_env, tmp_path) as (held, settings, handle, running,
                                                             day):
        quote = loan_figures.settlement(running, day)
        one, two = await held.at_once(
            handle, pay("SETTLE-1", quote.owed, paid_on=day, settles=True),
            pay("SETTLE-2", quote.owed, paid_on=day, settles=True))
        assert one.accepted, one
        assert two.message.startswith(
            "queued behind SETTLE-1, booked first: the loan is repaid, the settlement "
            f"SETTLE-1 of {quote.owed:,} booked last: nothing is left to settle or prepay; "
            "return this payment to the payer. Not booked: the settlement of "
            f"{quote.owed:,} is kept as money received for {handle.id} and not booked "
            "(pending instruction "), two.message
        status = await not_booked(settings, handle, two, ["SETTLE-1"], "SETTLE-2", quote.owed)
        assert status.account.repaid and status.account.credit == 0


async def test_a_prepayment_queued_behind_a_settlement_is_not_booked(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    async with queued_loan(time_skipping_env, tmp_path) as (held, settings, handle, running,
                                                             day):
        quote = loan_figures.settlement(running, day)
        amount = Decimal("500000.00")
        _, two = await held.at_once(
            handle, pay("SETTLE-1", quote.owed, paid_on=day, settles=True),
            pay("PRE-1", amount, paid_on=day, prepays=True))
        assert ("the loan is repaid, the settlement SETTLE-1 of "
                f"{quote.owed:,} booked last") in two.message, two.message
        status = await not_booked(settings, handle, two, ["SETTLE-1"], "PRE-1", amount)
        assert status.account.credit == 0


async def test_two_prepayments_that_together_settle_the_loan_book_the_first_only(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    """Each leaves more than a prepayment's least to settle alone; together they would leave
    less, which only settling can repay (journey/loan_payments.py, prepayment_refusal)."""
    async with queued_loan(time_skipping_env, tmp_path) as (held, settings, handle, running,
                                                             day):
        owed = loan_figures.settlement(running, day).owed
        first, second = owed - Decimal("550000.00"), Decimal("500000.00")
        loan_figures.prepayment(running, first, day)  # each passes alone
        loan_figures.prepayment(running, second, day)
        one, two = await held.at_once(handle, pay("PRE-1", first, paid_on=day, prepays=True),
                                      pay("PRE-2", second, paid_on=day, prepays=True))
        assert one.accepted, one
        after = await until(handle, lambda s: len(s.payments) == 1)
        with pytest.raises(BadInput) as rule:  # what the validator says of it now
            loan_figures.prepayment(after, second, day)
        assert two.message.startswith(f"queued behind PRE-1, booked first: {rule.value}. "
                                      "Not booked: the prepayment of 500,000.00 is kept as "), two
        status = await not_booked(settings, handle, two, ["PRE-1"], "PRE-2", second)
        assert status.account == after.account


async def test_a_repayment_of_the_instalment_the_first_paid_is_not_booked(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    """Each pays the first instalment early, as the plan allows; once the first has, the
    second pays more than a repayment on that day does (repayment_refusal)."""
    async with queued_loan(time_skipping_env, tmp_path) as (held, settings, handle, running,
                                                             day):
        amount = running.offer.schedule[0].payment
        one, two = await held.at_once(handle, pay("RP-1", amount, paid_on=day),
                                      pay("RP-2", amount, paid_on=day))
        assert one.accepted, one
        after = await until(handle, lambda s: len(s.payments) == 1)
        rule = repayment_refusal(after.account, amount, day)
        assert rule is not None
        assert two.message.startswith(f"queued behind RP-1, booked first: {rule}. "), two
        status = await not_booked(settings, handle, two, ["RP-1"], "RP-2", amount)
        assert status.account == after.account and status.account.credit == 0


async def test_a_prepayment_dated_before_the_repayment_booked_ahead_of_it_is_not_booked(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    """A payment recorded ahead of a backdated one would have its allocation changed by it."""
    env = time_skipping_env
    async with queued_loan(env, tmp_path) as (held, settings, handle, running, day):
        later = day + timedelta(days=1)
        await skip_to(env, start_of(later) + timedelta(hours=2))
        amount = running.offer.schedule[0].payment
        one, two = await held.at_once(handle, pay("RP-1", amount, paid_on=later),
                                      pay("PRE-1", Decimal("500000.00"), paid_on=day,
                                          prepays=True))
        assert one.accepted, one
        assert two.message.startswith(
            f"queued behind RP-1, booked first: a prepayment on {day} would come before the "
            f"payment recorded on {later}: date it {later} or later. Not booked: "), two
        await not_booked(settings, handle, two, ["RP-1"], "PRE-1", Decimal("500000.00"))


async def test_a_different_payment_under_the_reference_booked_ahead_is_refused(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    """Sent twice at once with another amount, the second was answered "already recorded"
    as if it were the first: refused, with the validator's words, and nothing kept (the
    reference's money is the first's, booked)."""
    async with queued_loan(time_skipping_env, tmp_path) as (held, settings, handle, _, _day):
        one, two = await held.at_once(handle, pay("DUP-1", "10000"), pay("DUP-1", "20000"))
        assert one.accepted, one
        assert not two.accepted, two
        assert two.message == (
            "queued behind DUP-1, booked first: reference DUP-1 is already recorded, a "
            "repayment of 10,000.00: a different payment needs its own reference")
        status = await until(handle, lambda s: any(d.verdict == "repayment not booked"
                                                   for d in s.decisions))
        assert [(p.reference, p.amount) for p in status.payments] == [
            ("DUP-1", Decimal("10000"))]
        assert received_money(settings, Delivery.UNBOOKED) == []


async def test_repayments_that_still_fit_are_booked_as_before(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    """Uncontended, a repayment is checked as it comes and booked, and the history takes no
    new marker; queued behind another, one that still fits is booked after it."""
    async with queued_loan(time_skipping_env, tmp_path) as (held, settings, handle, running,
                                                             day):
        whole = running.offer.schedule[0].payment
        half = (whole / 2).quantize(Decimal("0.01"))
        held.claimed.set()  # no claim held: each is booked before the next is sent
        for reference, amount in (("RP-1", half), ("RP-2", whole - half)):
            assert (await handle.execute_update(RECORD, pay(reference, amount,
                                                            paid_on=day))).accepted
        status = await until(handle, lambda s: len(s.payments) == 2)
        assert status.account.instalments[0].settled_on == day
        assert not await patched(handle, QUEUED_RECHECKED)
        assert received_money(settings, Delivery.UNBOOKED) == []
