"""LateFeedbackWorkflow: what a customer says about a journey that has ended, most often a
declined customer's complaint about the decision, or a customer asking what became of a
loan that was rejected or withdrawn. The journey's history is closed and takes no more
updates, so a run of this workflow is the record (started by
`starter.late_touchpoints.record_late_feedback` or `record_late_inquiry` once they have checked
who speaks, one run at a time per journey). It stores the touchpoint under the journey's
id, numbered after the journey's end (journey/touchpoints.py): a TOUCHPOINT event in the
stage the journey ended in, where the journey map counts it, and feedback's score, which
the report counts with the stage it is about.

Runs kept before LATE_TOUCHPOINT_EVENT stored the score alone; the archive replays them."""

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from journey import contracts
    from journey.contracts import RecordTimingInput, RecordTimingResult
    from journey.touchpoints import (
        COUNT_LATE_TOUCHPOINTS,
        LATE_FEEDBACK_WORKFLOW,
        LATE_TOUCHPOINT_BASE,
        LATE_TOUCHPOINT_EVENT,
        STORE_FEEDBACK,
        LateTouchpoint,
        LateTouchpointResult,
        RecordFeedbackResult,
        feedback_row,
    )
    from workflows.activity_options import QUICK, TIMING_RETRY


@workflow.defn(name=LATE_FEEDBACK_WORKFLOW)
class LateFeedbackWorkflow:
    @workflow.run
    async def run(self, late: LateTouchpoint) -> LateTouchpointResult:
        # one run at a time per journey, so the next number is free; it is in this history,
        # so every retry of the writes below keys the same (journey, number), stored once
        taken = await workflow.execute_activity(
            COUNT_LATE_TOUCHPOINTS, late.journey_id, result_type=int,
            start_to_close_timeout=QUICK, retry_policy=TIMING_RETRY,
        )
        sequence, at = LATE_TOUCHPOINT_BASE + taken, workflow.now()
        if late.feedback is not None:
            row = feedback_row(late.feedback, workflow_id=late.journey_id, sequence=sequence,
                               at=at, product=late.product, attempt=late.attempt,
                               given_at=late.ended_at)
            await workflow.execute_activity(
                STORE_FEEDBACK, row, result_type=RecordFeedbackResult,
                start_to_close_timeout=QUICK, retry_policy=TIMING_RETRY,
            )
        if workflow.patched(LATE_TOUCHPOINT_EVENT):
            await workflow.execute_activity(
                contracts.RECORD_TIMING, RecordTimingInput(events=[late.event(sequence, at)]),
                result_type=RecordTimingResult,
                start_to_close_timeout=QUICK, retry_policy=TIMING_RETRY,
            )
        return LateTouchpointResult(sequence=sequence)
