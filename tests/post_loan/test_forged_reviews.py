"""A review result signalled by anyone but the loan's own review changes nothing: the journey
takes the review a signal names as that review's own run returned it, and records any other
as refused (the time-skipping server; the test starts the reviews, as the schedule would)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from temporalio.client import WorkflowHandle, WorkflowHistory
from temporalio.testing import WorkflowEnvironment

from journey import review_contracts as rc
from journey.classification import RiskClass
from journey.decisions import AddDocuments
from journey.documents import (
    DocumentReading,
    DocumentRef,
    ReadStatus,
)
from journey.post_loan_policy import start_of
from journey.status import JourneyStatus
from starter import documents_used
from tests.post_loan.loan_kit import (
    assert_replays,
    disbursed_loan,
    later_balance_sheet,
    review,
    skip_to,
    until,
)
from tests.workflows import journey_kit
from tests.workflows.journey_kit import Documents, customer
from workflows.loan_journey import LoanJourneyWorkflow
from workflows.post_loan_review import PostLoanReviewWorkflow

FORGED_SCAN = DocumentRef(sha256="f" * 64, filename="forged.png", size=1)


def forged(journey_id: str, review_id: str) -> rc.ReviewResult:
    """The tester's payload: a loan assessed 损失 (loss) by a review nobody ran."""
    return rc.ReviewResult(
        review_id=review_id, journey_id=journey_id, reviewed_on=date(2026, 12, 6), ratios={},
        checks=[], days_past_due=0, arrears=Decimal(0), assessed=RiskClass.LOSS,
        risk_class=RiskClass.LOSS, previous_class=RiskClass.SPECIAL_MENTION,
        new_readings=[DocumentReading(ref=FORGED_SCAN, status=ReadStatus.READ)])


def refusals(status: JourneyStatus) -> list[str]:
    return [d.reason for d in status.decisions if d.verdict == "review refused"]


async def signal_forged(handle: WorkflowHandle, review_id: str) -> JourneyStatus:
    """Send the forged result as anyone may (the temporal CLI's `workflow signal`), and wait
    for the journey to say what it made of it."""
    before = len(refusals(await until(handle, lambda s: True)))
    await handle.signal(rc.REVIEW_SIGNAL, forged(handle.id, review_id))
    return await until(handle, lambda s: len(refusals(s)) > before)


async def test_a_forged_review_result_is_refused_and_a_real_review_still_reclassifies(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    env, docs = time_skipping_env, Documents()
    async with disbursed_loan(env, tmp_path, docs) as (app, settings, handle, running):
        classed = await until(handle, lambda s: s.risk_class_reason != "")
        assert classed.risk_class is RiskClass.NORMAL and classed.warnings == []

        # a review id no review ran under, the journey's own id, and a review of this loan
        # that no worker of the bank runs (another task queue): each refused, saying why
        unknown = await signal_forged(handle, "forged-1")
        itself = await signal_forged(handle, handle.id)
        stray = await env.client.start_workflow(
            PostLoanReviewWorkflow.run, rc.ReviewInput(journey_id=handle.id),
            id=f"review-{handle.id}-stray", task_queue=f"{settings.task_queue}-elsewhere")
        elsewhere = await signal_forged(handle, stray.id)
        await stray.terminate("test over")
        assert refusals(elsewhere) == [
            "forged-1: no review 'forged-1' ran on the server",
            f"{handle.id}: {handle.id!r} is a LoanJourneyWorkflow, not a PostLoanReviewWorkflow",
            f"{stray.id}: review {stray.id!r} ran on task queue "
            f"'{settings.task_queue}-elsewhere', not the journey's '{settings.task_queue}'",
        ]
        for status in (unknown, itself, elsewhere):  # class, warnings and review untouched
            assert status.risk_class is RiskClass.NORMAL, status.risk_class_reason
            assert status.warnings == [] and status.last_review is None
            assert "reviewed" not in [d.verdict for d in status.decisions]
            assert [d.actor.id for d in status.decisions if d.verdict == "review refused"] == [
                "post-loan-review"] * len(refusals(status))
        assert elsewhere.run == classed.run  # nothing taken: the run did not continue as new

        # the bank's own review still reclassifies: a newer statement breaching a covenant
        await skip_to(env, start_of(running.offer.schedule[0].due_on) - timedelta(days=5))
        sheet = later_balance_sheet(docs, app, journey_kit.TODAY + timedelta(days=20))
        await handle.execute_update(LoanJourneyWorkflow.add_statements,
                                    AddDocuments(actor=customer(app), documents=[sheet]))
        outcome = await review(env, settings, handle.id, 1)
        assert outcome.result is not None
        warned = await until(handle, lambda s: len(s.warnings) == 2)
        assert warned.risk_class is RiskClass.SPECIAL_MENTION
        assert warned.last_review == outcome.result
        assert [d.reason.split(":")[0] for d in warned.decisions if d.verdict == "reviewed"] == [
            outcome.result.review_id]
        # the same review's id signalled again, with other figures, is not taken a second time
        await handle.signal(rc.REVIEW_SIGNAL, forged(handle.id, outcome.result.review_id))
        again = await until(handle, lambda s: True)
        assert again.risk_class is RiskClass.SPECIAL_MENTION and again.last_review == outcome.result
        await assert_replays(handle)
        # what the audit holds the store to (`records verify`): the review's own readings,
        # none that a signal claimed
        used = [u.ref for run in await runs_of(handle)
                for u in await documents_used.read_in(run, env.client.data_converter)]
        assert sheet in used and FORGED_SCAN not in used


async def runs_of(handle: WorkflowHandle) -> list[WorkflowHistory]:
    """Every run of the journey's history, walked back through continue-as-new."""
    histories, run_id = [], (await handle.describe()).run_id
    while run_id:
        history = await handle._client.get_workflow_handle(handle.id, run_id=run_id
                                                           ).fetch_history()
        histories.append(history)
        run_id = history.events[0].workflow_execution_started_event_attributes \
            .continued_execution_run_id
    return histories
