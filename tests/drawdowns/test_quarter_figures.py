"""A quarter's figures while a project draws, on the time-skipping server: PF-03 (20m
committed, 6m and 7m drawn the same day) and PF-04 (25m, 3m and 2m) charge the commitment fee
and the interest the bank figures by hand, on exact amounts rounded once; a part payment kept
while no worker ran (paid on the bank's day it was typed), then a drawdown that makes the
quarter larger: status says what is left of the quarter, and a repayment of the whole quarter
again is refused, saying what is due."""

from __future__ import annotations

import uuid
from datetime import datetime, time
from decimal import Decimal

import pytest
from temporalio.testing import WorkflowEnvironment

from journey.availability_interest import Accrual, period_ends
from journey.decisions import Repayment
from journey.policy.calendar import WorkingCalendar
from journey.repayment import cents
from journey.status import JourneyStatus
from starter import pending_delivery
from store.pending import Delivery, Instruction, keep_instruction
from store.refusals import origin
from tests.drawdowns.kit import CONTRACTOR, approve, ask, at_drawdowns, permit, request, until
from tests.workflows.journey_kit import SUBMITTER, Documents, refused
from workflows.loan_journey import LoanJourneyWorkflow

pytestmark = pytest.mark.usefixtures("server_today")
BANK = WorkingCalendar().tz  # the project's days are the bank's


def by_hand(drawing: JourneyStatus) -> Accrual:
    """The quarter of a project that drew everything on the day drawdowns opened, as the
    bank figures it by hand: the fee on what is undrawn and the interest on what is drawn,
    each for the quarter's days and rounded once."""
    position, commitment, offer = drawing.availability_interest, drawing.commitment, \
        drawing.offer
    assert position is not None and commitment is not None and offer is not None
    assert commitment.interest_from is not None and position.next_due_on is not None
    end = period_ends(commitment.interest_from, position.next_due_on)[0]
    days = (end - commitment.interest_from).days
    return Accrual(interest=cents(commitment.drawn * offer.annual_rate * days / 360),
                   fee=cents(commitment.available * commitment.fee_rate * days / 360))


async def test_pf04s_commitment_fee_is_the_bank_figure_to_the_cent(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    env, docs = time_skipping_env, Documents()
    async with at_drawdowns(env, tmp_path, docs, amount=25_000_000) as (app, _, handle):
        await request(handle, ask(app, "t1", 3_000_000, [
            permit(docs, "planning_permit"), permit(docs, "capital_proof")]))
        await approve(handle, "t1")
        await request(handle, ask(app, "t2", 2_000_000, [
            permit(docs, "construction_progress"), permit(docs, "insurance")]))
        await approve(handle, "t2")
        drawing = await until(handle, lambda s: s.availability_interest is not None
                              and s.availability_interest.drawn == 5_000_000)
        assert drawing.availability_interest is not None
        assert drawing.availability_interest.next_parts == by_hand(drawing)  # 20m undrawn


async def test_the_quarter_is_figured_to_the_cent_and_part_payments_leave_the_rest_due(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    env, docs = time_skipping_env, Documents()
    async with at_drawdowns(env, tmp_path, docs, amount=20_000_000) as (app, settings, handle):
        await request(handle, ask(app, "t1", 6_000_000, [
            permit(docs, "planning_permit"), permit(docs, "capital_proof")], CONTRACTOR))
        await approve(handle, "t1")
        # 100 received while no worker ran, kept, then delivered (starter/pending.py); typed
        # early on the bank's day, which is the day before by UTC
        today = (await env.get_current_time()).astimezone(BANK).date()
        part = Repayment(actor=SUBMITTER, reference="PF3-X", amount=Decimal("100.00"))
        keep_instruction(settings.db_url, Instruction(
            workflow_id=handle.id, update="record_repayment", update_id=str(uuid.uuid4()),
            request=part.model_dump_json(), actor=SUBMITTER.id, role=SUBMITTER.role,
            typed_at=datetime.combine(today, time(0, 1), tzinfo=BANK), origin=origin()))
        assert [k.state for k in (await pending_delivery.deliver(env.client, settings)).settled] \
            == [Delivery.DELIVERED]
        # then the quarter grows with the next drawdown, the same day
        await request(handle, ask(app, "t2", 7_000_000, [
            permit(docs, "construction_progress"), permit(docs, "insurance")], CONTRACTOR))
        await approve(handle, "t2")
        drawing = await until(handle, lambda s: s.availability_interest is not None
                              and s.availability_interest.drawn == 13_000_000)
        position, commitment, offer = (drawing.availability_interest, drawing.commitment,
                                       drawing.offer)
        assert position is not None and commitment is not None and offer is not None
        assert commitment.interest_from is not None and position.next_due_on is not None
        # paid on the bank's day it was typed, the project's days (not UTC's, the day before)
        assert [p.paid_on for p in position.payments] == [today]
        whole = by_hand(drawing)  # 7m undrawn, 13m drawn
        assert position.next_parts == whole
        # what is left of the quarter after the part payment, and of how much
        left = whole.total - Decimal("100.00")
        assert position.next_due == left
        assert f"next due {position.next_due_on}: {left:,} left of {whole.total:,} (" \
            in position.text()
        # the whole quarter again is more than is due: refused, saying what is
        beyond = await refused(handle, LoanJourneyWorkflow.record_repayment, Repayment(
            actor=SUBMITTER, reference="PF3-Q1", amount=whole.total))
        assert (f"what is due by then (0.00) and the current instalment #1 (due "
                f"{position.next_due_on}, {left:,}), which may be paid early") in beyond
        # what is left pays the quarter: the next one is due in full
        await handle.execute_update(LoanJourneyWorkflow.record_repayment, Repayment(
            actor=SUBMITTER, reference="PF3-Q1", amount=left))
        paid = await until(handle, lambda s: s.availability_interest is not None
                           and s.availability_interest.paid == whole.total)
        assert paid.availability_interest is not None
        after = paid.availability_interest
        assert after.next_due_on != position.next_due_on
        assert after.next_due == after.next_parts.total and " left of " not in after.text()
