"""A project whose drawing history passes the post-loan policy's event count continues as new
at the customer's wait between drawdowns, carrying the stage: its status, drawdowns, interest
and reminders are the same in the next run, it draws on, runs to post-loan and closes, and
every run replays."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from journey.drawdowns import DrawdownState
from journey.policy.calendar import WorkingCalendar
from journey.stages import Stage
from journey.status import JourneyStatus
from store.outbox import messages_for
from tests.drawdowns.kit import (
    CONTRACTOR,
    approve,
    ask,
    at_drawdowns,
    first_tranche,
    permit,
    skip_to,
    until,
)
from tests.drawdowns.kit import request as ask_for
from tests.drawdowns.test_drawdown_carry import continued, short_history
from tests.post_loan.loan_kit import assert_replays, outcome, settle_at_quote
from tests.workflows.journey_kit import Documents
from workflows.loan_journey import LoanJourneyWorkflow

pytestmark = pytest.mark.usefixtures("server_today")
BANK = WorkingCalendar().tz  # the loan's days are the bank's


async def run_of(handle: WorkflowHandle) -> WorkflowHandle:
    """The journey's current run, pinned: `continued` watches it."""
    run_id = (await handle.describe()).run_id
    return handle._client.get_workflow_handle(handle.id, run_id=run_id)


def drawing(s: JourneyStatus) -> bool:
    """At the customer's wait between drawdowns."""
    return s.stage is Stage.DISBURSEMENT and any("drawdown request" in w for w in s.waiting_for)


async def test_a_long_drawing_history_continues_as_new_and_the_loan_closes(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    env, docs = time_skipping_env, Documents()
    # post-loan's policy continues as new past 100 events: the journey is past them at signing
    async with at_drawdowns(env, tmp_path, docs, short_history) as (app, settings, handle):
        first = handle._client.get_workflow_handle(handle.id,
                                                   run_id=handle.first_execution_run_id)
        await continued(first)  # while it draws, at the wait for the first request
        opened = await until(handle, lambda s: s.run >= 2 and drawing(s))
        assert opened.commitment is not None and opened.commitment.closed_at is None
        assert opened.commitment.drawn == 0 and opened.drawdown_plan is not None

        assert (await ask_for(handle, first_tranche(app, docs))).state \
            is DrawdownState.AWAITING_DECISION
        assert (await approve(handle, "t1")).state is DrawdownState.BOOKED
        before = await until(handle, lambda s: drawing(s) and s.availability_interest is not None)
        assert before.availability_interest is not None
        due_on = before.availability_interest.next_due_on
        assert due_on is not None

        # the quarter's interest unpaid: reminded, past due, a wake a day: the run continues
        await skip_to(env, datetime.combine(due_on + timedelta(days=5), time(10), tzinfo=BANK))
        await until(handle, lambda s: bool(s.warnings) and drawing(s))  # downgraded
        running = await run_of(handle)
        await skip_to(env, datetime.combine(due_on + timedelta(days=35), time(10), tzinfo=BANK))
        await continued(running)
        # the run that continued, as it ended (a worker replays it to answer), and the next
        prior = await running.query(LoanJourneyWorkflow.status)
        after = await until(handle, lambda s: s.run > prior.run and drawing(s))
        assert prior.warnings and prior.warnings[0].kind == "downgrade"  # its quarter past due
        assert prior.availability_interest is not None and after.availability_interest is not None
        # (the class's reason counts the days past due: the later run's, later)
        for field in ("drawdowns", "commitment", "drawdown_plan", "warnings", "risk_class",
                      "last_review", "offer", "decisions", "payments"):
            assert getattr(after, field) == getattr(prior, field), field
        assert after.drawdowns == before.drawdowns and after.commitment == before.commitment
        interest = ("drawn", "undrawn", "paid", "next_due_on", "next_due")
        assert [getattr(after.availability_interest, f) for f in interest] == [
            getattr(prior.availability_interest, f) for f in interest]
        assert after.availability_interest.days_past_due >= 35
        # reminded and told past due once, whatever the runs
        sent = [m.template for m in messages_for(settings.db_url, handle.id)]
        assert sent.count("interest_reminder") == 1 and sent.count("interest_overdue") == 1

        # it draws on in the new run, closes, and runs to post-loan
        await ask_for(handle, ask(app, "t2", 6_000_000, [
            permit(docs, "construction_progress"), permit(docs, "insurance")], CONTRACTOR))
        assert (await approve(handle, "t2")).state is DrawdownState.BOOKED
        await ask_for(handle, ask(app, "t3", 4_500_000, [
            permit(docs, "equipment_delivery"), permit(docs, "insurance")]))
        assert (await approve(handle, "t3")).state is DrawdownState.BOOKED
        managed = await until(handle, lambda s: s.stage is Stage.POST_LOAN
                              and s.account is not None)
        assert [d.request.tranche_id for d in managed.drawdowns] == ["t1", "t2", "t3"]
        assert managed.commitment is not None and managed.commitment.closed_at is not None
        await settle_at_quote(handle, managed, "SETTLE-PF")
        closed = await outcome(handle)
        assert closed.outcome is Stage.CLOSED
        await assert_replays(handle)
