"""LateFeedbackWorkflow: feedback about a journey that has ended, most often a declined
customer's complaint about the decision. The journey's history is closed and takes no more
updates, so a run of this workflow is the record (started by
`starter.operations.record_late_feedback` once it has checked who gives it, one run at a time
per journey), and it stores the score under the journey's id, numbered after the journey's
end (journey/touchpoints.py), where the report counts it with the stage it is about."""

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from journey.touchpoints import (
        COUNT_LATE_FEEDBACK,
        LATE_FEEDBACK_BASE,
        LATE_FEEDBACK_WORKFLOW,
        STORE_FEEDBACK,
        LateFeedback,
        RecordFeedbackResult,
        feedback_row,
    )
    from workflows.activity_options import QUICK, TIMING_RETRY


@workflow.defn(name=LATE_FEEDBACK_WORKFLOW)
class LateFeedbackWorkflow:
    @workflow.run
    async def run(self, late: LateFeedback) -> RecordFeedbackResult:
        # one run at a time per journey, so the count is the next number; the store keeps
        # (journey, number) once, whatever the retries
        before = await workflow.execute_activity(
            COUNT_LATE_FEEDBACK, late.journey_id, result_type=int,
            start_to_close_timeout=QUICK, retry_policy=TIMING_RETRY,
        )
        row = feedback_row(late.feedback, workflow_id=late.journey_id,
                           sequence=LATE_FEEDBACK_BASE + before, at=workflow.now(),
                           product=late.product, attempt=late.attempt, given_at=late.ended_at)
        return await workflow.execute_activity(
            STORE_FEEDBACK, row, result_type=RecordFeedbackResult,
            start_to_close_timeout=QUICK, retry_policy=TIMING_RETRY,
        )
