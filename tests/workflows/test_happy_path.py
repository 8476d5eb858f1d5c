"""A small working-capital loan walks every stage, on the time-skipping server."""

from __future__ import annotations

from decimal import Decimal

from temporalio.testing import WorkflowEnvironment

from journey.decisions import Signature
from journey.stages import Stage
from journey.timeline import EventType
from store.ledger import bookings_for
from store.timing import events_for
from tests.post_loan.loan_kit import repay_in_full
from tests.workflows.journey_kit import (
    WALK,
    customer,
    drive_to,
    new_application,
    running_journey,
    until_stage,
)
from workflows.loan_journey import LoanJourneyWorkflow


async def test_small_loan_walks_every_stage_to_closed(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    docs, app = new_application()
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (settings, handle):
        offered = await drive_to(handle, app, Stage.OFFER)
        assert offered.offer is not None
        assert sum(i.principal for i in offered.offer.schedule) == app.amount
        signed = await handle.execute_update(
            LoanJourneyWorkflow.sign, Signature(actor=customer(app))
        )
        assert signed.stage in (Stage.DISBURSEMENT, Stage.POST_LOAN)
        running = await until_stage(handle, Stage.POST_LOAN)
        await repay_in_full(handle, running, "TX-1")
        result = await handle.result()

        assert result.outcome is Stage.CLOSED
        final = await handle.query(LoanJourneyWorkflow.status)
        assert [v.stage for v in final.timeline] == WALK
        assert final.route is not None and final.route.team == "sme_risk"
        assert final.route.policy_version == final.policy_version
        # the disbursement is booked once, and every timing event is in the database
        booked = bookings_for(settings.db_url, handle.id)
        assert [b.amount for b in booked] == [Decimal(app.amount)]
        stored = events_for(settings.db_url, handle.id)
        assert [e.sequence for e in stored] == list(range(len(final.events)))
        exits = [(e.stage, e.outcome) for e in stored if e.type is EventType.EXITED]
        assert exits == list(zip(WALK[:-1], WALK[1:], strict=True))
