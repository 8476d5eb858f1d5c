"""A new offer priced over the LPR fixing in force on its day, on the time-skipping server:
the fixing really in the journey database, pinned with the policy at intake (or read by the
offer stage's activity when none was in force then), and kept as read by the journey (from
then on not corrected); a rate agreed in the application is held to the policy's floor and
ceiling over that fixing, at `start` and at the offer."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from activities.policy import china_calendar
from journey import contracts
from journey.actors import Actor, Role
from journey.decisions import ApprovalDecision, Verdict
from journey.lpr import READ_LPR_FIXING, LprFixing, floats
from journey.lpr_record import last_publication
from journey.policy import WorkingCalendar
from journey.stages import Stage
from starter.applications import start_journey
from starter.errors import BadInput, Refused
from starter.lpr import correct_fixing, record_fixing
from starter.offer_view import rate_basis
from store.lpr import recorded_fixing
from store.outbox import messages_for
from tests.post_loan.loan_kit import assert_replays, loan_worker
from tests.workflows.journey_kit import (
    BRANCH_APPROVER,
    Documents,
    application,
    drive_to,
    start,
)
from workflows.loan_journey import LoanJourneyWorkflow

OPS = Actor(id="ops-wang", role=Role.OPERATIONS)
SUPERVISOR = Actor(id="sup-sme", role=Role.SUPERVISOR)


async def activities_run(handle: WorkflowHandle) -> list[str]:
    return [e.activity_task_scheduled_event_attributes.activity_type.name
            async for e in handle.fetch_history_events()
            if e.HasField("activity_task_scheduled_event_attributes")]


@pytest.mark.parametrize("recorded", ["before the journey", "after its intake"])
async def test_an_offer_is_priced_over_the_fixing_in_force_on_its_day(
    time_skipping_env: WorkflowEnvironment, tmp_path, recorded: str
) -> None:
    env, docs = time_skipping_env, Documents()
    now = await env.get_current_time()
    today = WorkingCalendar().day_of(now)
    fixed_on = last_publication(today, china_calendar(today, 1))
    fixing = LprFixing(fixed_on=fixed_on, one_year=Decimal("0.0300"), five_year=Decimal("0.0350"))
    app = application(docs, term_months=24)
    async with loan_worker(env.client, tmp_path, docs) as settings:
        if recorded == "before the journey":
            assert record_fixing(settings, fixing, OPS, now)
        handle = await start(env.client, settings, app)
        await drive_to(handle, app, Stage.RISK_REVIEW)  # the policy is pinned at intake
        if recorded == "after its intake":
            assert record_fixing(settings, fixing, OPS, now)
        offered = await drive_to(handle, app, Stage.OFFER)
        # pinned with the policy while it is the latest published, else read at the offer
        reads = (await activities_run(handle)).count(READ_LPR_FIXING)
        assert reads == (0 if recorded == "before the journey" else 1)
        assert contracts.LOAD_POLICY in await activities_run(handle)

        offer = offered.offer
        assert offer is not None and offer.rate_basis is not None and floats(offer.rate_basis)
        basis = offer.rate_basis
        assert (basis.base, basis.base_rate, basis.fixed_on) == (
            "1y LPR", Decimal("0.0300"), fixed_on)
        assert offer.annual_rate == Decimal("0.0300") + basis.spread  # not the policy's 3.10%
        assert f"(1y LPR 3.00% of {fixed_on} + {basis.spread:.2%})" in rate_basis(offer)
        # the record keeps the journey that read it, and a supervisor's correction is refused
        recorded = recorded_fixing(settings.db_url, fixed_on)
        assert recorded is not None and recorded.used_by == handle.id
        with pytest.raises(Refused, match=f"was read by {handle.id}"):
            correct_fixing(settings, LprFixing(fixed_on=fixed_on, one_year=Decimal("0.0305"),
                                               five_year=Decimal("0.0350")), SUPERVISOR, "typo")
        await handle.terminate("test over")
    await assert_replays(handle)


async def test_an_agreed_rate_is_held_to_the_fixing_in_force(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    """Over a fixing of 1y 3.05% (not the policy's 3.10%), `start` refuses 7.08%, above the
    ceiling of 7.05%. Started while no fixing is recorded (over the policy's 3.10%: a ceiling
    of 7.10%), 7.08% is not offered once a fixing of 3.05% is recorded before the offer, which
    reads it: the case is rejected saying why and what to do, the fixing kept as read by it."""
    env, docs = time_skipping_env, Documents()
    today = min(WorkingCalendar().day_of(await env.get_current_time()),
                WorkingCalendar().day_of(datetime.now(UTC)))  # the journey's and `start`'s
    fixed_on = last_publication(today, china_calendar(today, 1))
    high = application(docs)
    high.annual_rate = Decimal("0.0708")
    later = application(docs)
    later.annual_rate = high.annual_rate
    in_force = LprFixing(fixed_on=fixed_on, one_year=Decimal("0.0305"),
                         five_year=Decimal("0.0350"))
    async with loan_worker(env.client, tmp_path, docs) as settings:
        handle = await start(env.client, settings, high)  # no fixing: over the policy's LPR
        await drive_to(handle, high, Stage.APPROVAL)
        assert record_fixing(settings, in_force, OPS)
        with pytest.raises(BadInput, match=re.escape(
                f"the agreed rate 7.0800% is above the policy's ceiling of 7.0500% (1y LPR "
                f"3.05% of {fixed_on} +4.00%)")):
            await start_journey(None, settings, later)
        await handle.execute_update(LoanJourneyWorkflow.decide, ApprovalDecision(
            actor=BRANCH_APPROVER, verdict=Verdict.APPROVE, reason="within limit"))
        ended = await handle.result()
        assert ended.outcome is Stage.REJECTED
        assert ended.reason == (
            f"offer not made on the LPR in force on {today}: the agreed rate 7.0800% is above "
            f"the policy's ceiling of 7.0500% (1y LPR 3.05% of {fixed_on} +4.00%): agree a "
            "lower rate, or leave annual_rate out to price by the policy, in a new "
            "application under its own id")
        # the customer is told in words of their own terms, not the operators' instructions
        [told] = [m.body for m in messages_for(settings.db_url, handle.id)
                  if m.template == "application_declined"]
        assert told.endswith(
            "It was decided at the loan offer. Reason: pricing - the interest rate agreed in "
            "the application, 7.08%, lies outside what the bank's pricing policy allows over "
            "the 1y LPR of 3.05% in force that day (from 2.55% to 7.05%); a new application "
            "may agree a rate within it.")
        read = recorded_fixing(settings.db_url, fixed_on)
        assert read is not None and read.used_by == handle.id
    await assert_replays(handle)
