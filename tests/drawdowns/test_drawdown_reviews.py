"""A project is reviewed from its first booked drawdown (workflows/drawdown_reviews.py): its
review schedule created then, a review on what it owes and its newer statements while it
draws, its class in status and the book, and the schedule carried on (not created again)
when drawdowns close. The time-skipping server has no Schedules: the test starts the review
as the schedule would."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from rich.console import Console
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from journey import review_contracts as rc
from journey.classification import RiskClass
from journey.decisions import Withdrawal
from journey.loan_book import book_line
from journey.policy import WorkingCalendar
from journey.repayment import add_months
from journey.stages import Stage
from starter.pending_send import documents_update
from starter.status_view import status_view
from tests.drawdowns.kit import (
    approve,
    at_drawdowns,
    first_tranche,
    request,
    review_now,
    send_balance_sheet,
    until,
)
from tests.post_loan.loan_kit import assert_replays
from tests.workflows import journey_kit
from tests.workflows.journey_kit import Documents, customer
from workflows.loan_journey import LoanJourneyWorkflow

pytestmark = pytest.mark.usefixtures("server_today")


async def schedules_created(client: Client, handle: WorkflowHandle) -> int:
    """The review schedules the journey created, over its runs from the first (post-loan may
    continue as new as soon as it is entered, the test server skipping ahead)."""
    created, run_id = 0, handle.first_execution_run_id or handle.run_id
    while run_id:
        history = await client.get_workflow_handle(handle.id, run_id=run_id).fetch_history()
        created += sum(1 for e in history.events
                       if e.event_type is EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
                       and e.activity_task_scheduled_event_attributes.activity_type.name
                       == rc.CREATE_REVIEW_SCHEDULE)
        last = history.events[-1]
        run_id = (last.workflow_execution_continued_as_new_event_attributes.new_execution_run_id
                  if last.HasField("workflow_execution_continued_as_new_event_attributes")
                  else None)
    return created


async def test_a_drawing_project_is_reviewed_and_classed_from_its_first_drawdown(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    env, docs = time_skipping_env, Documents()
    async with at_drawdowns(env, tmp_path, docs) as (app, settings, handle):
        before = await until(handle, lambda s: s.commitment is not None)
        assert not before.reviewed() and "drawn nothing yet" in before.unreviewed()
        await request(handle, first_tranche(app, docs))
        await approve(handle, "t1")
        drawing = await until(handle, lambda s: s.risk_class is not None)
        assert drawing.stage is Stage.DISBURSEMENT and drawing.risk_class is RiskClass.NORMAL
        assert await schedules_created(env.client, handle) == 1  # at the first drawdown
        # `schedules create` and `documents` go by these
        assert drawing.reviewed_from() == drawing.drawdowns[0].booked_at
        assert documents_update(drawing) == "add_statements"
        facts = await handle.query(rc.REVIEW_FACTS_QUERY, result_type=rc.ReviewFacts)
        assert facts.drawing and facts.stage is Stage.DISBURSEMENT
        # the bank's day it was booked on (UTC+8: after 16:00 UTC, the next UTC day's)
        assert facts.disbursed_on == WorkingCalendar().day_of(drawing.drawdowns[0].booked_at)
        assert facts.plan and all(i.principal == 0 for i in facts.plan)  # its interest owed

        taken = await send_balance_sheet(handle, app, docs, 82_000_000,  # newer, while drawing
                                         journey_kit.TODAY - timedelta(days=1))
        assert taken.message.endswith(rc.FOR_THE_NEXT_REVIEW)
        outcome = await review_now(env, settings, handle, 1)
        assert not outcome.skipped and outcome.result is not None
        assert "max-leverage" in [c.covenant.id for c in outcome.result.breaches]
        # the DSCR's debt service: a year of the quarters' interest and fee from the first
        # drawdown, the quarters due in it and the interest accrued after the last of them
        start = facts.disbursed_on
        assert start is not None
        end = add_months(start, 12)
        paid = [q for q in facts.plan if start < q.due_on <= end]
        before, after = [q for q in facts.plan if q.due_on > end][0], paid[-1]
        accrued = (before.interest * (end - after.due_on).days
                   / (before.due_on - after.due_on).days).quantize(Decimal("0.01"))
        due = sum((q.payment for q in paid), Decimal(0))
        assert accrued > 0 and len(paid) <= 4
        year = date(journey_kit.TODAY.year - 1, 12, 31)  # the application's full year
        assert outcome.result.notes["dscr"] == (
            f"operating profit 9,000,000.00 for the 12 months to {year}, 9,000,000.00 a year "
            f"/ debt service {due + accrued:,} for the twelve months after {start} to {end} "
            f"(payments due in them {due:,}, and interest {accrued:,} accrued from "
            f"{after.due_on} to {end})")
        assert outcome.result.ratios["dscr"] == (
            Decimal(9_000_000) / (due + accrued)).quantize(Decimal("0.0001"), ROUND_HALF_UP)
        warned = await until(handle, lambda s: s.risk_class is RiskClass.SPECIAL_MENTION)
        assert [w.kind for w in warned.warnings] == ["covenant_breach", "downgrade"]
        line = book_line(warned, app.product.value, None)  # the book says what status says
        assert line is not None and line.risk_class is RiskClass.SPECIAL_MENTION
        shown = Console(width=300, record=True)
        shown.print(status_view(warned))
        assert "classification  关注 (special_mention)" in shown.export_text()

        await handle.execute_update(LoanJourneyWorkflow.withdraw, Withdrawal(
            actor=customer(app), reason="the rest is not needed"))
        running = await until(handle, lambda s: s.stage is Stage.POST_LOAN)
        assert running.risk_class is RiskClass.SPECIAL_MENTION  # carried into post-loan
        # the breach the review raised, still open, is not raised again at the close
        assert [w.kind for w in running.warnings] == ["covenant_breach", "downgrade"]
        assert await schedules_created(env.client, handle) == 1  # carried on, not created again
        await assert_replays(handle)
