"""A project is reviewed from its first booked drawdown (workflows/drawdown_reviews.py): its
review schedule created then, a review on what it owes and its newer statements while it
draws, its class in status and the book, and the schedule carried on (not created again)
when drawdowns close. The time-skipping server has no Schedules: the test starts the review
as the schedule would."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from rich.console import Console
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from journey import review_contracts as rc
from journey.classification import RiskClass
from journey.decisions import AddDocuments, Withdrawal
from journey.documents import DocumentKind, FinancialStatement, ReadStatus
from journey.loan_book import book_line
from journey.stages import Stage
from starter.pending_send import documents_update
from starter.status_view import status_view
from tests.drawdowns.kit import approve, at_drawdowns, first_tranche, request, until
from tests.post_loan.loan_kit import assert_replays
from tests.workflows import journey_kit
from tests.workflows.journey_kit import Documents, customer
from workflows.loan_journey import LoanJourneyWorkflow
from workflows.post_loan_review import PostLoanReviewWorkflow, ReviewOutcome

pytestmark = pytest.mark.usefixtures("server_today")


async def schedules_created(handle: WorkflowHandle) -> int:
    history = await handle.fetch_history()
    return sum(1 for e in history.events
               if e.event_type is EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
               and e.activity_task_scheduled_event_attributes.activity_type.name
               == rc.CREATE_REVIEW_SCHEDULE)


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
        assert await schedules_created(handle) == 1  # at the first drawdown, not the close
        # `schedules create` and `documents` go by these
        assert drawing.reviewed_from() == drawing.drawdowns[0].booked_at
        assert documents_update(drawing) == "add_statements"
        facts = await handle.query(rc.REVIEW_FACTS_QUERY, result_type=rc.ReviewFacts)
        assert facts.drawing and facts.stage is Stage.DISBURSEMENT
        assert facts.disbursed_on == drawing.drawdowns[0].booked_at.date()
        assert facts.plan and all(i.principal == 0 for i in facts.plan)  # its interest owed

        sheet = docs.add(
            f"{app.credit_code}-balance-drawing", status=ReadStatus.READ,
            kind=DocumentKind.BALANCE_SHEET,
            statement=FinancialStatement(
                kind=DocumentKind.BALANCE_SHEET, period_end=journey_kit.TODAY - timedelta(days=1),
                company=app.applicant_name, current_assets=Decimal(50_000_000),
                total_assets=Decimal(100_000_000), current_liabilities=Decimal(25_000_000),
                total_liabilities=Decimal(82_000_000), total_equity=Decimal(18_000_000),
                balances=True,
            ),
        )
        taken = await handle.execute_update(  # newer statements, taken while it draws
            LoanJourneyWorkflow.add_statements,
            AddDocuments(actor=customer(app), documents=[sheet]),
        )
        assert taken.message.endswith(rc.FOR_THE_NEXT_REVIEW)
        with env.auto_time_skipping_disabled():
            outcome: ReviewOutcome = await env.client.execute_workflow(
                PostLoanReviewWorkflow.run, rc.ReviewInput(journey_id=handle.id),
                id=f"review-{handle.id}-1", task_queue=settings.task_queue,
            )
        assert not outcome.skipped and outcome.result is not None
        assert "max-leverage" in [c.covenant.id for c in outcome.result.breaches]
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
        assert await schedules_created(handle) == 1  # carried on, not created again
        await assert_replays(handle)
