"""An offer is priced on no LPR fixing that fails its seal, on the time-skipping server: the
fixing really in the journey database, changed there with SQL after it was sealed; with the
archive key, `start` holds no agreed rate to it, the worker refuses it at the offer (the read
fails, retried, the error on the journey's pending activity), and the journey waits until a
supervisor corrects the fixing, then prices its offer on the corrected one."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from sqlalchemy import text
from temporalio.client import WorkflowHandle, WorkflowUpdateStage
from temporalio.testing import WorkflowEnvironment

from activities.policy import china_calendar
from journey.decisions import ApprovalDecision, Verdict
from journey.lpr import READ_LPR_FIXING, LprFixing
from journey.lpr_record import last_publication
from journey.policy import WorkingCalendar
from journey.stages import Stage
from starter.applications import start_journey
from starter.errors import SealBroken
from starter.lpr import correct_fixing, record_fixing
from store.db import engine_for
from store.lpr import recorded_fixing
from tests.post_loan.loan_kit import assert_replays, loan_worker
from tests.post_loan.test_offer_on_fixing import OPS, SUPERVISOR
from tests.workflows.journey_kit import (
    BRANCH_APPROVER,
    Documents,
    application,
    drive_to,
    start,
    status,
    until_stage,
)
from workflows.loan_journey import LoanJourneyWorkflow


async def read_failing(handle: WorkflowHandle) -> str:
    """The error the journey's pending read of a fixing failed with, once it has."""
    while True:
        pending = (await handle.describe()).raw_description.pending_activities
        failed = [p.last_failure.message for p in pending
                  if p.activity_type.name == READ_LPR_FIXING and p.HasField("last_failure")]
        if failed:
            return failed[0]
        offered = (await status(handle)).offer
        assert offered is None, f"an offer priced on the tampered fixing: {offered.rate_basis}"
        await asyncio.sleep(0.05)


async def test_an_offer_waits_while_its_fixing_fails_its_seal(
    time_skipping_env: WorkflowEnvironment, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOAN_JOURNEY_ARCHIVE_KEY", "records-key-0123456789")
    env, docs = time_skipping_env, Documents()
    now = await env.get_current_time()
    today = WorkingCalendar().day_of(now)
    fixed_on = last_publication(today, china_calendar(today, 1))
    app = application(docs, term_months=24)
    async with loan_worker(env.client, tmp_path, docs) as settings:
        assert record_fixing(settings, LprFixing(fixed_on=fixed_on, one_year=Decimal("0.0300"),
                                                 five_year=Decimal("0.0350")), OPS, now)
        with engine_for(settings.db_url).begin() as c:
            c.execute(text("update lpr_fixings set one_year = '0.029000' where id = 1"))
        agreed = app.model_copy(update={"annual_rate": Decimal("0.0500")})
        with pytest.raises(SealBroken, match=f"not started: LPR fixing #1 \\({fixed_on}\\) "
                                             "fails its seal"):
            await start_journey(None, settings, agreed)  # no band held to a tampered fixing
        handle = await start(env.client, settings, app)
        await drive_to(handle, app, Stage.APPROVAL)
        decided = await handle.start_update(LoanJourneyWorkflow.decide, ApprovalDecision(
            actor=BRANCH_APPROVER, verdict=Verdict.APPROVE, reason="within limit"),
            wait_for_stage=WorkflowUpdateStage.ACCEPTED)  # done once the offer is made

        failed = await read_failing(handle)  # the offer's read, retried
        assert f"LPR fixing #1 ({fixed_on}) fails its seal (CHANGED)" in failed
        assert "`loan-journey lpr correct`" in failed and "records verify" in failed
        tampered = recorded_fixing(settings.db_url, fixed_on)
        assert tampered is not None and tampered.used_by is None  # nor read by the loan
        assert correct_fixing(settings, LprFixing(fixed_on=fixed_on, one_year=Decimal("0.0300"),
                                                  five_year=Decimal("0.0350")),
                              SUPERVISOR, "2.90 written into the database: published 3.00")

        await decided.result()
        offer = (await until_stage(handle, Stage.OFFER)).offer
        assert offer is not None and offer.rate_basis is not None
        assert (offer.rate_basis.base_rate, offer.rate_basis.fixed_on) == (
            Decimal("0.0300"), fixed_on)
        await handle.terminate("test over")
    await assert_replays(handle)
