"""A bank payment's reference books once, however it is typed and whoever sends it
(journey/bank_reference.py, activities/references.py): `fin-pre-001` and ` FIN-PRE-001` are
one payment on a loan, and one a system sends straight to a journey (channel api) is claimed
across loans as the command line's is; one another loan holds is not booked, kept as money
received and not booked, and the update says so; `book` flags one booked or claimed twice."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, time
from decimal import Decimal
from pathlib import Path

import pytest
from temporalio import activity
from temporalio.client import WorkflowUpdateFailedError, WorkflowUpdateStage
from temporalio.testing import WorkflowEnvironment

from journey.decisions import UpdateResult
from journey.reference_contracts import (
    RESERVE_REFERENCE,
    ReferenceReservation,
    ReserveReferenceInput,
)
from journey.stages import Stage
from starter import journey_cli, pending_delivery
from starter.errors import NotMet
from starter.money_received import Period, money_received
from starter.pending_return import received_money
from store.db import session
from store.payment_references import PaymentReferenceRow, claim_under
from store.pending import REPAYMENT, Delivery, Instruction, keep_instruction
from store.refusals import origin
from tests.cli_kit import cli, point_cli_at, said
from tests.post_loan.loan_kit import disbursed, loan_worker, pay, until
from tests.workflows.journey_kit import SUBMITTER, Documents, application
from workflows.loan_journey import LoanJourneyWorkflow

RECORD = LoanJourneyWorkflow.record_repayment


async def test_one_reference_however_typed_is_one_payment(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    env, docs = time_skipping_env, Documents()
    async with loan_worker(env.client, tmp_path, docs) as settings:
        handle, _ = await disbursed(env.client, settings, application(docs))
        first = await handle.execute_update(RECORD, pay("fin-rp-001", "10000"))
        assert first.accepted, first
        for typed in ("FIN-RP-001", " FIN-RP-001", "fin-rp-001 ", "FIN-RP-001"):
            again = await handle.execute_update(RECORD, pay(typed, "10000"))
            assert again.message.startswith("FIN-RP-001 was already recorded; "), again
        with pytest.raises(WorkflowUpdateFailedError) as other:
            await handle.execute_update(RECORD, pay("Fin-Rp-001", "20000"))
        assert "reference Fin-Rp-001 is already recorded, a repayment of 10,000.00" in str(
            other.value.cause), other.value.cause
        with pytest.raises(WorkflowUpdateFailedError) as blank:
            await handle.execute_update(RECORD, pay(" a ", "10000"))
        assert "reference ' a ' is 'A' as the bank writes it" in str(blank.value.cause)
        status = await until(handle, lambda s: len(s.payments) == 1)
        (recorded,) = status.payments
        assert (recorded.reference, recorded.amount) == ("FIN-RP-001", Decimal("10000"))


async def test_a_reference_sent_straight_to_a_journey_is_claimed_across_loans(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env, docs = time_skipping_env, Documents()
    point_cli_at(monkeypatch, env.client, tmp_path)
    async with loan_worker(env.client, tmp_path, docs) as settings:
        one, _ = await disbursed(env.client, settings, application(docs))
        two, _ = await disbursed(env.client, settings, application(docs))
        sent = await one.execute_update(RECORD, pay("api-0001", "10000"))  # channel api
        assert sent.accepted, sent
        with session(settings.db_url) as s:
            held = claim_under(s, "API-0001")
        assert held is not None and (held.workflow_id, held.amount) == (one.id, Decimal("10000"))

        taken = await two.execute_update(RECORD, pay(" API-0001", "10000"))
        assert not taken.accepted, taken
        assert taken.message.startswith(
            f"reference API-0001 already holds a payment of {one.id} (recorded on {one.id}: "
            f"a repayment of 10,000.00, typed by {SUBMITTER.id} at "), taken.message
        assert "not booked; check the bank statement" in taken.message
        status = await until(two, lambda s: any(d.verdict == "repayment not booked"
                                                for d in s.decisions))
        assert status.payments == []
        (kept,) = received_money(settings, Delivery.UNBOOKED)  # as `book` lists it
        assert (kept.workflow_id, kept.amount, kept.reference) == (
            two.id, Decimal("10000"), "API-0001")

        # the clerk is answered before anything is sent, on the normal form too
        typed = await cli("repay", two.id, "--amount", "10000", "--reference", "api-0001",
                          "--as", SUBMITTER.id)
        assert typed.exit_code == 3, typed.output
        assert f"reference API-0001 is already recorded on {one.id}" in said(typed)


async def test_book_flags_a_reference_booked_twice_or_claimed_twice(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    """Booked before the journeys compared references in one form (two loans, or one loan
    under two spellings), or claimed under two before migration 0027: `book` says which, not
    that the money adds up to the fen."""
    env, docs = time_skipping_env, Documents()
    async with loan_worker(env.client, tmp_path, docs) as settings:
        handle, _ = await disbursed(env.client, settings, application(docs))
        await handle.execute_update(RECORD, pay("BK-0001", "10000"))
        status = await until(handle, lambda s: len(s.payments) == 1)
        assert status.today is not None
        period = Period(first=status.today.replace(day=1), last=status.today)
        assert money_received([status], settings, period).not_reconciled == []

        (paid,) = status.payments
        other = status.model_copy(update={"workflow_id": "loan-APP-OTHER", "payments": [
            paid.model_copy(update={"reference": "bk-0001 "})]})
        flagged = money_received([status, other], settings, period).not_reconciled
        assert (f"reference BK-0001 is booked 2 times: on {handle.id} as 'BK-0001' (10,000.00), "
                "on loan-APP-OTHER as 'bk-0001 ' (10,000.00): one bank payment counted more "
                "than once, check the bank statement") in flagged, flagged

        with session(settings.db_url) as s:  # as migration 0027 keyed claims typed before it
            for typed, loan in (("CL-0001", handle.id), ("cl-0001", "loan-APP-OTHER")):
                s.add(PaymentReferenceRow(
                    reference=typed, reference_key="CL-0001", workflow_id=loan, kind="repayment",
                    amount=Decimal("500"), claimed_by=SUBMITTER.id,
                    claimed_at=datetime.combine(status.today, time(9), UTC), origin="ops"))
        flagged = money_received([status], settings, period).not_reconciled
        assert flagged == [
            f"reference CL-0001 is claimed 2 times: for {handle.id} as 'CL-0001' (500.00), for "
            "loan-APP-OTHER as 'cl-0001' (500.00): one bank payment claimed more than once, "
            "check the bank statement"], flagged


async def test_a_kept_repayment_whose_reference_another_loan_holds_is_delivered_unbooked(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    """Kept unclaimed (as before the command line claimed kept ones), its reference sent
    straight to another loan meanwhile: at delivery the journey keeps it not booked under its
    own update id, and the delivery says so, once."""
    env, docs = time_skipping_env, Documents()
    async with loan_worker(env.client, tmp_path, docs) as settings:
        one, _ = await disbursed(env.client, settings, application(docs))
        two, _ = await disbursed(env.client, settings, application(docs))
        assert (await one.execute_update(RECORD, pay("KP-0001", "10000"))).accepted
        number = keep_instruction(settings.db_url, Instruction(
            workflow_id=two.id, update=REPAYMENT, update_id=str(uuid.uuid4()),
            request=pay("kp-0001", "10000").model_dump_json(), actor=SUBMITTER.id,
            role=SUBMITTER.role, typed_at=datetime.now(UTC), origin=origin()))
        (delivered,) = (await pending_delivery.deliver(env.client, settings)).settled
        assert (delivered.id, delivered.state) == (number, Delivery.UNBOOKED), delivered
        assert delivered.outcome.startswith(
            f"reference KP-0001 already holds a payment of {one.id} "), delivered.outcome
        (kept,) = received_money(settings, Delivery.UNBOOKED)
        assert (kept.instruction, kept.workflow_id) == (number, two.id)
        assert (await until(two, lambda s: s.today is not None)).payments == []


def test_the_command_line_does_not_call_a_repayment_not_booked_accepted() -> None:
    """Should a journey not book a repayment `repay` sent (the command line's claim passed,
    the journey's found the reference held), the clerk is refused, exit 3, with its words,
    not told it was accepted."""
    answer = UpdateResult(accepted=False, stage=Stage.POST_LOAN,
                          message="reference X-1 already holds a payment of loan-A: not booked")
    with pytest.raises(NotMet, match="X-1 already holds a payment of loan-A: not booked") as no:
        journey_cli.said("record_repayment", answer)
    assert no.value.exit_code == 3


async def test_another_repayment_waits_while_one_is_being_claimed(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    """A repayment that arrives while the journey awaits another's claim is taken (a system
    sends a batch at once), and booked after it, in the order they came."""
    env, docs = time_skipping_env, Documents()
    claimed, go_on = asyncio.Event(), asyncio.Event()

    @activity.defn(name=RESERVE_REFERENCE)
    async def reserve_reference(request: ReserveReferenceInput) -> ReferenceReservation:
        claimed.set()
        await go_on.wait()
        return ReferenceReservation()

    async with loan_worker(env.client, tmp_path, docs, replace=[reserve_reference]) as settings:
        handle, _ = await disbursed(env.client, settings, application(docs))
        first = asyncio.create_task(handle.execute_update(RECORD, pay("WT-0001", "10000")))
        await claimed.wait()
        second = await handle.start_update(RECORD, pay("WT-0002", "10000"),
                                           wait_for_stage=WorkflowUpdateStage.ACCEPTED)
        go_on.set()
        assert (await first).accepted and (await second.result()).accepted
        status = await until(handle, lambda s: len(s.payments) == 2)
        assert [p.reference for p in status.payments] == ["WT-0001", "WT-0002"]
