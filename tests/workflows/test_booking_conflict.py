"""A payout whose idempotency key the ledger already booked with other content (a journey
reset by Temporal to before its booking and then amended, a row written by hand) holds the
journey at the disbursement on operations' queue, with operations told, instead of failing it;
operations settle it (`resolve_booking_conflict`): the ledger's booking taken as the payout,
or the payout booked again under a new key, each once, and the loan goes on to post-loan."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from temporalio.client import WorkflowExecutionStatus, WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from journey.actors import Actor, Role
from journey.booking_conflicts import BookingResolution, Settlement
from journey.entrusted_payment import PaymentInstruction
from journey.queue_wait import QueueWait
from journey.settings import Settings
from journey.stages import Stage
from journey.status import JourneyStatus
from starter import loan_figures
from starter.history_cross_check import cross_check
from store.ledger import Booking, book, bookings_for
from store.seal_key import sealing_key
from store.sealed_records import BOOKED
from tests.cli_kit import cli, point_cli_at, said
from tests.post_loan.loan_kit import settles_early, until
from tests.workflows.journey_kit import (
    RISK_SME,
    SUBMITTER,
    drive_to,
    new_application,
    offer_signature,
    refused,
    running_journey,
    status,
    until_sent,
    until_stage,
)
from tests.workflows.test_entrusted_payout import (
    AMOUNT,
    BUILDER,
    EQUIPMENT,
    confirming,
    large,
    signed,
)
from workflows import search_attributes as sa
from workflows.loan_journey import LoanJourneyWorkflow

OPS = Actor(id="ops-wang", role=Role.OPERATIONS)
CHECKER = Actor(id="ops-zhao", role=Role.OPERATIONS)  # the second pair of eyes
RESOLVE = LoanJourneyWorkflow.resolve_booking_conflict


async def booked_again(handle: WorkflowHandle, reason: str, key: str | None = None) -> None:
    """Operations book the held payout again: asked by one, confirmed by another."""
    again = BookingResolution(actor=OPS, settlement=Settlement.BOOK_AGAIN, reason=reason, key=key)
    asked = await handle.execute_update(RESOLVE, again)
    assert "waits for a second operations person to confirm it" in asked.message
    await handle.execute_update(RESOLVE, again.model_copy(update={"actor": CHECKER}))


async def held(handle: WorkflowHandle) -> JourneyStatus:
    """The journey once it holds its payout: at the disbursement, still running."""
    for _ in range(200):
        now = await until_stage(handle, Stage.DISBURSEMENT)
        if any("payout held" in w for w in now.waiting_for):
            return now
        await asyncio.sleep(0.05)
    raise AssertionError(f"{handle.id} did not hold its payout")


async def signed_into_a_conflict(handle: WorkflowHandle, db_url: str, app: object,
                                 booked_for: str) -> tuple[Booking, JourneyStatus]:
    """The ledger's booking, written by hand under the key the journey's payout books under
    (for the journey `booked_for`, 1,000.00 less), and the journey signed into holding it."""
    key = f"{handle.id}:disbursement"
    by_hand = book(db_url, key, booked_for, app.amount - 1000,  # type: ignore[attr-defined]
                   app.applicant_name, "written by hand",  # type: ignore[attr-defined]
                   sealing_key(db_url, Settings().archive_seal_key, BOOKED))
    await drive_to(handle, app, Stage.OFFER)  # type: ignore[arg-type]
    await handle.execute_update(LoanJourneyWorkflow.sign, offer_signature(app))  # type: ignore[arg-type]
    return by_hand, await held(handle)


async def assert_held_for_operations(handle: WorkflowHandle, db_url: str, by_hand: Booking,
                                     now: JourneyStatus) -> None:
    assert (await handle.describe()).status is WorkflowExecutionStatus.RUNNING
    assert now.team == "operations" and now.disbursement is None
    [why] = [w for w in now.waiting_for if "payout held" in w]
    assert f"booking {by_hand.booking_id} under key '{handle.id}:disbursement'" in why
    assert "amount" in why and "resolve-booking" in why
    assert any(d.verdict == "payout held" and d.actor.id == "ledger" for d in now.decisions)
    attributes = (await handle.describe()).typed_search_attributes
    assert attributes.get(sa.TEAM) == "operations"
    listed = QueueWait.of(attributes.get(sa.QUEUE_WAIT))
    assert listed is not None and listed.awaiting is not None
    assert "ledger booking conflict" in listed.awaiting
    told = await until_sent(db_url, handle.id, template="payout_held")
    assert told.recipient == "operations" and by_hand.booking_id in told.body


async def test_operations_take_the_ledgers_booking_as_the_payout(
    time_skipping_env: WorkflowEnvironment, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The booking taken is the payout the audit holds the history to: its cross-check
    against the sealed records agrees (the disbursement's exit names who settled it)."""
    monkeypatch.setenv("LOAN_JOURNEY_ARCHIVE_KEY", "booking-conflict-key-0123")  # it seals
    docs, app = new_application()
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (settings, handle):
        by_hand, now = await signed_into_a_conflict(handle, settings.db_url, app, handle.id)
        await assert_held_for_operations(handle, settings.db_url, by_hand, now)
        # the risk officer may not settle it: refused before the history
        why = await refused(handle, RESOLVE, BookingResolution(
            actor=RISK_SME, settlement=Settlement.TAKE_BOOKED, reason="it is the payout"))
        assert "only operations settle" in why
        await handle.execute_update(RESOLVE, BookingResolution(
            actor=OPS, settlement=Settlement.TAKE_BOOKED,
            reason="the core system's booking of this loan"))
        paid = await until_stage(handle, Stage.POST_LOAN)
        assert [b.booking_id for b in bookings_for(settings.db_url, handle.id)] == [
            by_hand.booking_id]
        d = paid.disbursement
        assert d is not None and (d.booking_id, d.amount) == (by_hand.booking_id,
                                                              app.amount - 1000)
        [settled] = [x for x in paid.decisions if x.verdict == "booking conflict settled"]
        assert settled.actor == OPS and "the core system's booking" in settled.reason
        key = settings.archive_seal_key
        assert key is not None
        assert paid.offer is not None
        day = paid.offer.starts_on  # settled: the journey closes, its events all written
        await settles_early(handle, loan_figures.settlement(paid, day).owed, day)
        checked = await cross_check(settings.db_url, key, await handle.fetch_history(),
                                    time_skipping_env.client.data_converter)
        assert checked.agrees and checked.skipped == [], checked


async def test_operations_book_it_again_under_a_new_key(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    docs, app = new_application()  # submitted by SUBMITTER, of operations
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (settings, handle):
        other = "journey-APP-someone-else"
        by_hand, now = await signed_into_a_conflict(handle, settings.db_url, app, other)
        await assert_held_for_operations(handle, settings.db_url, by_hand, now)
        # another journey's booking is never this payout
        why = await refused(handle, RESOLVE, BookingResolution(
            actor=OPS, settlement=Settlement.TAKE_BOOKED, reason="it is the payout"))
        assert f"was booked for {other}, not this journey" in why
        again = BookingResolution(actor=OPS, settlement=Settlement.BOOK_AGAIN,
                                  reason="the key is another loan's")
        # money goes out again: the case's submitter is neither pair of eyes
        by_submitter = again.model_copy(update={"actor": SUBMITTER})
        why = await refused(handle, RESOLVE, by_submitter)
        assert "'ops-li' submitted this application and cannot book its payout again" in why
        assert "ask for it and confirm it (ops-wang, ops-zhao)" in why
        asked = await handle.execute_update(RESOLVE, again)
        assert "waits for a second operations person" in asked.message
        # money goes out again: the one who asked may not confirm it (four eyes)
        why = await refused(handle, RESOLVE, again)
        assert "ops-wang asked to book it again" in why and "four eyes" in why
        assert "'ops-li' submitted this application" in await refused(handle, RESOLVE,
                                                                        by_submitter)
        waiting = await status(handle)
        assert waiting.stage is Stage.DISBURSEMENT and bookings_for(settings.db_url,
                                                                    handle.id) == []
        assert any("booking again asked by ops-wang" in w for w in waiting.waiting_for)
        await handle.execute_update(RESOLVE, again.model_copy(update={"actor": CHECKER}))
        paid = await until_stage(handle, Stage.POST_LOAN)
        [asked_d] = [d for d in paid.decisions if d.verdict == "booking again asked"]
        [settled] = [d for d in paid.decisions if d.verdict == "booking conflict settled"]
        assert (asked_d.actor, settled.actor) == (OPS, CHECKER)
        assert "asked by ops-wang" in settled.reason
        [again] = bookings_for(settings.db_url, handle.id)
        assert again.key == f"{handle.id}:disbursement:retry-1"
        assert again.amount == Decimal(app.amount) and again.booking_id != by_hand.booking_id
        assert paid.disbursement is not None
        assert paid.disbursement.booking_id == again.booking_id
        assert (await status(handle)).stage is Stage.POST_LOAN


async def test_operations_settle_it_from_the_command_line(
    time_skipping_env: WorkflowEnvironment, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    point_cli_at(monkeypatch, time_skipping_env.client, data_dir=tmp_path)
    docs, app = new_application()
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (settings, handle):
        by_hand, _ = await signed_into_a_conflict(handle, settings.db_url, app, "journey-X")
        shown = said(await cli("status", handle.id))
        assert f"payout held: the ledger already has booking {by_hand.booking_id}" in shown
        risk = await cli("resolve-booking", handle.id, "--take-booked", "--reason", "mine",
                         "--as", RISK_SME.id)
        assert risk.exit_code == 3 and "only operations settle" in said(risk)
        no_way = await cli("resolve-booking", handle.id, "--reason", "mine", "--as", OPS.id)
        assert no_way.exit_code == 2  # --take-booked or --book-again, one of them
        reason = "the key's booking is the loan before its reset"
        asked = await cli("resolve-booking", handle.id, "--book-again", "--reason", reason,
                          "--as", OPS.id)
        assert asked.exit_code == 0, asked.output
        assert "waits for a second operations person to confirm it" in said(asked)
        again = await cli("resolve-booking", handle.id, "--book-again", "--reason", reason,
                          "--as", CHECKER.id)
        assert again.exit_code == 0, again.output
        assert (f"booking conflict settlement: accepted; journey at disbursement: booked "
                f"again under key '{handle.id}:disbursement:retry-1'") in said(again)
        await until_stage(handle, Stage.POST_LOAN)
        [booked] = bookings_for(settings.db_url, handle.id)
        assert booked.key == f"{handle.id}:disbursement:retry-1"
        trail = said(await cli("history", handle.id))
        assert "resolve_booking_conflict" in trail and OPS.id in trail


async def test_a_counterpartys_booking_is_held_and_booked_again_alone(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    """An entrusted payout (受托支付) books each counterparty under its own key: the one in
    conflict is held, the other booked; operations' confirmation answers that it is held."""
    docs, app = large()
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (settings, handle):
        key = f"{handle.id}:disbursement:2"
        by_hand = book(settings.db_url, key, "journey-X", BUILDER.amount, BUILDER.name, "by hand")
        await signed(handle, app)
        await until_stage(handle, Stage.DISBURSEMENT, asking=True)
        await handle.execute_update(LoanJourneyWorkflow.record_payment_instruction,
                                    PaymentInstruction(actor=OPS,
                                                       counterparties=[EQUIPMENT, BUILDER]))
        confirmed = await handle.execute_update(
            LoanJourneyWorkflow.confirm_payment_instruction, confirming(1))
        assert f"booking {by_hand.booking_id} under key '{key}'" in confirmed.message
        assert "journey journey-X, not " in confirmed.message
        now = await held(handle)
        assert now.team == "operations" and now.disbursement is None
        assert [b.key for b in bookings_for(settings.db_url, handle.id)] == [
            f"{handle.id}:disbursement:1"]  # the other counterparty's, booked
        await booked_again(handle, "journey-X's key", key)
        paid = await until_stage(handle, Stage.POST_LOAN)
        booked = sorted(bookings_for(settings.db_url, handle.id), key=lambda b: b.key)
        assert [b.key for b in booked] == [f"{handle.id}:disbursement:1", f"{key}:retry-1"]
        assert paid.entrusted is not None
        assert paid.entrusted.bookings == [b.booking_id for b in booked]
        assert paid.disbursement is not None
        assert paid.disbursement.amount == Decimal(AMOUNT)


async def test_two_counterparties_held_are_settled_one_by_one(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    """Both counterparties' keys booked by hand: operations name each by its key; the case
    stays on their queue until the last is settled."""
    docs, app = large()
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (settings, handle):
        first, second = (f"{handle.id}:disbursement:{n}" for n in (1, 2))
        for key, c in ((first, EQUIPMENT), (second, BUILDER)):
            book(settings.db_url, key, "journey-X", c.amount, c.name, "by hand")
        await signed(handle, app)
        await until_stage(handle, Stage.DISBURSEMENT, asking=True)
        await handle.execute_update(LoanJourneyWorkflow.record_payment_instruction,
                                    PaymentInstruction(actor=OPS,
                                                       counterparties=[EQUIPMENT, BUILDER]))
        await handle.execute_update(LoanJourneyWorkflow.confirm_payment_instruction,
                                    confirming(1))
        both = await until(handle, lambda s: len([w for w in s.waiting_for
                                                  if "payout held" in w]) == 2)
        assert both.team == "operations"
        again = BookingResolution(actor=OPS, settlement=Settlement.BOOK_AGAIN, reason="X's keys")
        why = await refused(handle, RESOLVE, again)
        assert "several payouts are held" in why and first in why and second in why
        await booked_again(handle, again.reason, second)
        one = await until(handle, lambda s: len([w for w in s.waiting_for
                                                 if "payout held" in w]) == 1)
        assert one.team == "operations" and one.stage is Stage.DISBURSEMENT
        await booked_again(handle, again.reason, first)
        await until_stage(handle, Stage.POST_LOAN)
        assert sorted(b.key for b in bookings_for(settings.db_url, handle.id)) == [
            f"{first}:retry-1", f"{second}:retry-1"]
