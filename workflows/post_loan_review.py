"""PostLoanReviewWorkflow: one periodic review of a disbursed loan, started by its Schedule.

Gather what the journey knows (its `review_facts` query, through an activity), OCR the
statements uploaded since the last review, recompute the ratios, check the covenants of the
loan terms and the arrears, classify in the five tiers, signal the journey that the review has
run and return the result: the journey takes the result this run returns, not the signal's
(activities/review.py, `confirm_review`), and raises any early warning. A journey that is not
managed (not yet, or no longer) is skipped, not failed: one is managed once disbursed, a
project from its first drawdown. A journey the server has ended outside the engine
(terminated, ...) or no longer holds cannot delete its own schedule as a closing journey does:
its review deletes it, so it fires no more.
"""

import asyncio
from datetime import date, timedelta, timezone

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from journey import review_contracts as rc
    from journey.documents import ReadStatus
    from journey.post_loan_review import assess_review
    from journey.review_contracts import ReviewOutcome
    from journey.stages import Stage
    from workflows.activity_options import IO_RETRY, QUICK
    from workflows.journey_updates import NEAR_NAMES_HELD
    from workflows.reading import read_document

# a project is reviewed from its first booked drawdown (workflows/drawdown_reviews.py); before
# it, a review of a project still drawing was skipped
REVIEWS_WHILE_DRAWING = "drawdown-reviews-while-drawing"
# before it, a review was dated on UTC's day (a review at 02:31 in Beijing on the day before);
# since, on the bank's (the journey's pinned calendar), as everything else of the loan
REVIEWED_ON_THE_BANKS_DAY = "reviewed-on-the-banks-day"
# before it, a review of a journey the server had ended (terminated from outside the engine)
# or no longer held failed, every time its schedule fired, and the schedule ran on; since,
# the review deletes the schedule and ends, saying why
ENDED_JOURNEYS_SCHEDULE_DELETED = "ended-journeys-schedule-deleted"
NO_LOAN_TO_REVIEW = (rc.JOURNEY_ENDED, rc.JOURNEY_NOT_FOUND)


@workflow.defn(name=rc.REVIEW_WORKFLOW)
class PostLoanReviewWorkflow:
    @workflow.run
    async def run(self, input: rc.ReviewInput) -> ReviewOutcome:
        try:
            facts = await workflow.execute_activity(
                rc.GATHER_REVIEW_FACTS,
                rc.ReviewFactsInput(journey_id=input.journey_id),
                result_type=rc.ReviewFacts,
                start_to_close_timeout=QUICK,
                retry_policy=IO_RETRY,
            )
        except ActivityError as err:
            gone = err.cause if isinstance(err.cause, ApplicationError) else None
            if gone is None or gone.type not in NO_LOAN_TO_REVIEW or not workflow.patched(
                    ENDED_JOURNEYS_SCHEDULE_DELETED):
                raise
            return await _end_the_schedule(input.journey_id, gone.message)
        if facts.stage is not Stage.POST_LOAN and not (
                facts.drawing and workflow.patched(REVIEWS_WHILE_DRAWING)):
            return ReviewOutcome(skipped=f"{input.journey_id} is at {facts.stage}")
        fresh = await asyncio.gather(*(read_document(input.journey_id, r) for r in facts.unread))
        readings = [*facts.statements, *(r for r in fresh if r.status is ReadStatus.READ)]
        result = assess_review(facts, readings, workflow.info().workflow_id, _review_day(facts),
                               workflow.patched(NEAR_NAMES_HELD))
        result.new_readings = list(fresh)
        try:
            await workflow.get_external_workflow_handle(input.journey_id).signal(
                rc.REVIEW_SIGNAL, result
            )
        except ApplicationError as err:  # the journey closed between the query and now
            return ReviewOutcome(result=result, skipped=f"not delivered: {err}")
        return ReviewOutcome(result=result)


async def _end_the_schedule(journey_id: str, why: str) -> ReviewOutcome:
    """No loan to review (`why`): the journey's review schedule deleted, so it fires no more."""
    deleted = await workflow.execute_activity(
        rc.DELETE_REVIEW_SCHEDULE,
        rc.ReviewScheduleDeleteInput(journey_id=journey_id),
        result_type=rc.ReviewScheduleResult,
        start_to_close_timeout=QUICK,
        retry_policy=IO_RETRY,
    )
    return ReviewOutcome(skipped=f"{why}; review schedule {deleted.schedule_id}: {deleted.detail}")


def _review_day(facts: rc.ReviewFacts) -> date:
    """The day a review is dated: the bank's, by the clock the journey pinned (UTC's before
    REVIEWED_ON_THE_BANKS_DAY, or told by a journey from before it said its clock)."""
    now = workflow.now()
    if workflow.patched(REVIEWED_ON_THE_BANKS_DAY) and facts.bank_utc_offset is not None:
        return now.astimezone(timezone(timedelta(hours=facts.bank_utc_offset))).date()
    return now.date()

