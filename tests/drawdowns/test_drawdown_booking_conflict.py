"""A drawdown whose idempotency key the ledger already booked with other content is held for
operations (workflows/bookings.py), not the journey failed: the risk team's approval answers
that it is held and why, the case is on operations' queue, and operations' settlement books
the drawdown once."""

from __future__ import annotations

from decimal import Decimal

import pytest
from temporalio.client import WorkflowExecutionStatus
from temporalio.testing import WorkflowEnvironment

from journey.actors import Actor, Role
from journey.booking_conflicts import BookingResolution, Settlement
from journey.drawdowns import DrawdownState
from store.ledger import book, bookings_for
from tests.drawdowns.kit import RISK_PF, at_drawdowns, decide, first_tranche, request, until
from tests.workflows.journey_kit import Documents, refused
from workflows.loan_journey import LoanJourneyWorkflow

pytestmark = pytest.mark.usefixtures("server_today")
OPS = Actor(id="ops-wang", role=Role.OPERATIONS)


async def test_a_drawdown_booked_under_its_key_by_hand_is_held_then_taken(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    docs = Documents()
    async with at_drawdowns(time_skipping_env, tmp_path, docs) as (app, settings, handle):
        by_hand = book(settings.db_url, f"{handle.id}:drawdown:t1:1", handle.id,
                       Decimal("4400000"), app.applicant_name, "written by hand")
        await request(handle, first_tranche(app, docs))
        approved = await handle.execute_update(LoanJourneyWorkflow.decide_drawdown,
                                               decide("t1"))
        assert approved.state is DrawdownState.APPROVED
        assert f"payout held: the ledger already has booking {by_hand.booking_id}" in (
            approved.message)
        assert (await handle.describe()).status is WorkflowExecutionStatus.RUNNING
        held = await until(handle, lambda s: s.team == "operations")
        assert any("payout held" in w for w in held.waiting_for)
        why = await refused(handle, LoanJourneyWorkflow.resolve_booking_conflict,
                            BookingResolution(actor=RISK_PF, settlement=Settlement.BOOK_AGAIN,
                                              reason="not mine to settle"))
        assert "only operations settle" in why
        await handle.execute_update(
            LoanJourneyWorkflow.resolve_booking_conflict,
            BookingResolution(actor=OPS, settlement=Settlement.TAKE_BOOKED,
                              reason="the core system booked t1 by hand"))
        drawn = await until(handle, lambda s: s.drawdowns[0].state is DrawdownState.BOOKED)
        assert drawn.drawdowns[0].booking_id == by_hand.booking_id
        assert drawn.commitment is not None
        assert drawn.commitment.drawn == Decimal("4400000.00")
        assert [b.booking_id for b in bookings_for(settings.db_url, handle.id)] == [
            by_hand.booking_id]
        assert drawn.team != "operations"  # back with whom the project waited on
