"""A drawdown to a counterparty (受托支付) under operations' maker-checker, as a loan's
entrusted payout: approved by the risk team, it waits on operations, under the policy's
instruction SLA, until one enters its payment instruction and a second confirms it; only then
is it booked, on the time-skipping server."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from rich.console import Console
from temporalio.client import WorkflowUpdateFailedError
from temporalio.testing import WorkflowEnvironment

from journey.drawdowns import DrawdownState
from journey.entrusted_payment import EntrustedPayout, PaymentConfirmation
from journey.policy.calendar import moment_at
from journey.stages import Party, Stage
from starter.status_view import status_view
from store.ledger import bookings_for
from store.outbox import messages_for
from tests.cli_kit import cli, point_cli_at, said
from tests.drawdowns.kit import (
    CONTRACTOR,
    OPS,
    OPS_CHECKER,
    approve,
    ask,
    at_drawdowns,
    decide,
    instruction_for,
    permit,
    request,
    until,
)
from tests.workflows.journey_kit import (
    SETTLEMENT_ACCOUNT,
    SUBMITTER,
    Documents,
    customer,
    status,
    until_sent,
)
from tests.workflows.test_entrusted_payout import queue_wait
from workflows.loan_journey import LoanJourneyWorkflow

pytestmark = pytest.mark.usefixtures("server_today")
ENTER = LoanJourneyWorkflow.record_payment_instruction
CONFIRM = LoanJourneyWorkflow.confirm_payment_instruction


async def test_an_approved_drawdown_to_a_counterparty_waits_for_two_operations_people(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    docs = Documents()
    async with at_drawdowns(time_skipping_env, tmp_path, docs) as (app, settings, handle):
        t1 = ask(app, "t1", 4_500_000, [permit(docs, "planning_permit"),
                                        permit(docs, "capital_proof")], CONTRACTOR)
        assert (await request(handle, t1)).state is DrawdownState.AWAITING_DECISION
        approved = await handle.execute_update(LoanJourneyWorkflow.decide_drawdown,
                                               decide("t1"))
        assert approved.state is DrawdownState.AWAITING_PAYEES
        assert "`pay-to`" in approved.message and "`confirm-payees`" in approved.message
        # the risk officer's approval pays nothing: operations have it, under their SLA
        waiting = await until(handle, lambda s: s.entrusted is not None)
        assert bookings_for(settings.db_url, handle.id) == []
        assert (waiting.stage, waiting.waits_on, waiting.team) == (
            Stage.DISBURSEMENT, Party.BANK, "operations")
        assert waiting.waiting_for == [
            "payment instruction from operations (受托支付) for drawdown t1: 4,500,000.00 is "
            "paid to the counterparty its request names, once checked against the contract "
            "(`pay-to`)"]
        wait = waiting.wait
        assert wait is not None and wait.business and wait.due_at is not None
        assert abs(wait.since - waiting.timeline[-1].entered_at) < timedelta(seconds=1)
        listed = await queue_wait(handle)
        assert listed is not None and listed.due_at == wait.due_at
        await until_sent(settings.db_url, handle.id, template="payment_instruction_due")
        told = [m for m in messages_for(settings.db_url, handle.id)  # queued behind the act
                if m.template == "payment_instruction_due"]
        assert [m.recipient for m in told] == ["operations"]
        # not the customer, nor the case's submitter, say where the money goes
        for actor, why in ((customer(app), "is the customer"),
                           (SUBMITTER, "submitted this application")):
            with pytest.raises(WorkflowUpdateFailedError) as refused:
                await handle.execute_update(ENTER, instruction_for(t1, actor))
            assert why in str(refused.value.cause)
        entered = await handle.execute_update(ENTER, instruction_for(t1))
        assert "payment instruction 1 entered" in entered.message
        # its maker does not confirm it, nor the submitter: a second operations person
        for actor in (OPS, SUBMITTER):
            with pytest.raises(WorkflowUpdateFailedError) as refused:
                await handle.execute_update(
                    CONFIRM, PaymentConfirmation(actor=actor, instruction=1))
            assert "four eyes" in str(refused.value.cause)
        confirming = await status(handle)
        assert confirming.team == "operations" and bookings_for(settings.db_url, handle.id) == []
        shown = Console(width=1000, record=True)
        shown.print(status_view(confirming))
        to_confirm = next(line for line in shown.export_text().splitlines()
                          if "to confirm" in line)
        assert "payment instruction 1 entered by ops-wang" in to_confirm
        assert CONTRACTOR.account in to_confirm and CONTRACTOR.contract in to_confirm
        listed = await queue_wait(handle)
        assert listed is not None and listed.awaiting == (
            "confirmation of payment instruction 1 (entered by ops-wang) by a second "
            "operations person")
        paid = await handle.execute_update(
            CONFIRM, PaymentConfirmation(actor=OPS_CHECKER, instruction=1))
        assert f"drawdown t1: 4,500,000.00 paid to {CONTRACTOR.name}" in paid.message
        [booking] = bookings_for(settings.db_url, handle.id)
        assert (booking.key, booking.payee) == (f"{handle.id}:drawdown:t1:1:1", CONTRACTOR.name)
        assert CONTRACTOR.account in booking.purpose and CONTRACTOR.contract in booking.purpose
        assert (booking.account, booking.bank) == (CONTRACTOR.account, CONTRACTOR.bank)
        drawing = await until(handle, lambda s: s.drawdowns[-1].state is DrawdownState.BOOKED
                              and any("drawdown request" in w for w in s.waiting_for))
        assert drawing.commitment is not None and drawing.commitment.drawn == t1.amount
        assert drawing.entrusted is None and drawing.team is None  # the next is its own
        made = [(d.verdict, d.actor.id) for d in drawing.decisions
                if d.verdict.startswith("payment instruction")]
        assert made == [("payment instruction entered", OPS.id),
                        ("payment instruction confirmed", OPS_CHECKER.id)]


async def test_a_drawdown_to_the_borrower_is_booked_on_approval(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    docs = Documents()
    async with at_drawdowns(time_skipping_env, tmp_path, docs) as (app, settings, handle):
        t1 = ask(app, "t1", 4_500_000, [permit(docs, "planning_permit"),
                                        permit(docs, "capital_proof")])
        await request(handle, t1)
        booked = await handle.execute_update(LoanJourneyWorkflow.decide_drawdown, decide("t1"))
        assert booked.state is DrawdownState.BOOKED
        [booking] = bookings_for(settings.db_url, handle.id)
        # into the borrower's settlement account, as its application names it
        assert (booking.payee, booking.account) == (app.applicant_name, SETTLEMENT_ACCOUNT)
        # nothing for operations to instruct
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await handle.execute_update(ENTER, instruction_for(
                t1.model_copy(update={"payee": CONTRACTOR})))
        assert "once the risk team approved it" in str(refused.value.cause)


async def test_status_shows_where_each_drawdown_was_paid(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A project's `status`: a "paid to" row per drawdown paid, into the account its ledger
    booking keeps (the borrower's settlement account, shown as the borrower's payout is), and
    a counterparty's drawdown to whom operations confirmed it pays."""
    point_cli_at(monkeypatch, time_skipping_env.client, data_dir=tmp_path)
    docs = Documents()
    async with at_drawdowns(time_skipping_env, tmp_path, docs) as (app, settings, handle):
        await request(handle, ask(app, "t1", 4_500_000, [permit(docs, "planning_permit"),
                                                         permit(docs, "capital_proof")]))
        await approve(handle, "t1")
        await request(handle, ask(app, "t2", 6_000_000, [
            permit(docs, "construction_progress"), permit(docs, "insurance")], CONTRACTOR))
        await approve(handle, "t2")
        drawn = await until(handle, lambda s: len([d for d in s.drawdowns
                                                   if d.state is DrawdownState.BOOKED]) == 2)
        to_borrower, to_contractor = bookings_for(settings.db_url, handle.id)
        shown = await cli("status", handle.id)  # status reads the ledger's bookings
        assert shown.exit_code == 0, shown.output
        assert [line.split()[1:3] for line in shown.output.splitlines()
                if "paid to" in line] == [["paid", "to"]] * 2, shown.output
        assert all(b.booking_id in said(shown) for b in (to_borrower, to_contractor))
        wide = Console(width=1000, record=True)  # a row a line, as the command line prints it
        wide.print(status_view(drawn, ledger=bookings_for(settings.db_url, handle.id)))
        paid = [" ".join(line.strip(" │").split()) for line in wide.export_text().splitlines()
                if "paid to" in line]
        first, second = drawn.drawdowns
        into = app.settlement_account
        assert into is not None and first.booked_at and second.booked_at
        assert paid == [
            f"paid to drawdown #1 t1 4,500,000.00: {into.name}, account {SETTLEMENT_ACCOUNT}, "
            f"{into.bank} ({to_borrower.booking_id}) at {moment_at(first.booked_at, 8)}",
            f"paid to drawdown #2 t2 6,000,000.00: entrusted payment (受托支付) to "
            f"{CONTRACTOR.name} ({CONTRACTOR.account}, {CONTRACTOR.bank}, contract "
            f"{CONTRACTOR.contract}) 6,000,000.00, booking {to_contractor.booking_id} at "
            f"{moment_at(second.booked_at, 8)}"], paid
        # read a moment after t2's booking, the journey still held its entrusted payout (a
        # full run's status did): shown once, as the drawdown's row
        settling = drawn.model_copy(update={"entrusted": EntrustedPayout(
            amount=second.request.amount, over=Decimal(5_000_000), drawdown="t2",
            instruction=instruction_for(second.request), bookings=[to_contractor.booking_id])})
        wide = Console(width=1000, record=True)
        wide.print(status_view(settling, ledger=bookings_for(settings.db_url, handle.id)))
        assert [" ".join(line.strip(" │").split()) for line in wide.export_text().splitlines()
                if "paid to" in line] == paid
