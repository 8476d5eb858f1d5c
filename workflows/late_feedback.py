"""LateFeedbackWorkflow: feedback about a journey that has ended, most often a declined
customer's complaint about the decision. The journey's history is closed and takes no more
updates, so a run of this workflow is the record (started by
`starter.operations.record_late_feedback` once it has checked who gives it, one run at a time
per journey), and it stores the feedback under the journey's id, numbered after the journey's
end (journey/touchpoints.py): its score, which the report counts with the stage it is about,
and its TOUCHPOINT event in the stage the journey ended in, where the journey map counts it.

Runs kept before LATE_TOUCHPOINT_EVENT stored the score alone; the archive replays them."""

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from journey import contracts
    from journey.contracts import RecordTimingInput, RecordTimingResult
    from journey.touchpoints import (
        COUNT_LATE_FEEDBACK,
        LATE_FEEDBACK_BASE,
        LATE_FEEDBACK_WORKFLOW,
        LATE_TOUCHPOINT_EVENT,
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
        # one run at a time per journey, so the count is the next number; it is in this
        # history, so every retry of the writes below keys the same (journey, number), which
        # the stores keep once
        before = await workflow.execute_activity(
            COUNT_LATE_FEEDBACK, late.journey_id, result_type=int,
            start_to_close_timeout=QUICK, retry_policy=TIMING_RETRY,
        )
        sequence, at = LATE_FEEDBACK_BASE + before, workflow.now()
        row = feedback_row(late.feedback, workflow_id=late.journey_id, sequence=sequence, at=at,
                           product=late.product, attempt=late.attempt, given_at=late.ended_at)
        stored = await workflow.execute_activity(
            STORE_FEEDBACK, row, result_type=RecordFeedbackResult,
            start_to_close_timeout=QUICK, retry_policy=TIMING_RETRY,
        )
        if workflow.patched(LATE_TOUCHPOINT_EVENT):
            await workflow.execute_activity(
                contracts.RECORD_TIMING, RecordTimingInput(events=[late.event(sequence, at)]),
                result_type=RecordTimingResult,
                start_to_close_timeout=QUICK, retry_policy=TIMING_RETRY,
            )
        return stored
