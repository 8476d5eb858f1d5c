"""Record a PostLoanReviewWorkflow of a journey the server has ended into
tests/histories/review_of_an_ended_journey.json.

    .venv/bin/python -m tests.histories.record_review

Its activities stand in for the real ones (tests/post_loan/test_schedule_e2e.py runs those on
the dev server): the journey terminated, its schedule deleted. The file
before-ended-journeys-schedule-deleted_review_of_an_ended_journey.json was recorded with the
code before that marker, where the review failed.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from temporalio import activity
from temporalio.exceptions import ApplicationError

from journey import review_contracts as rc
from tests.audit.histories import record_one
from workflows.post_loan_review import PostLoanReviewWorkflow

JOURNEY = "journey-APP-ended"


@activity.defn(name=rc.GATHER_REVIEW_FACTS)
async def gather_review_facts(request: rc.ReviewFactsInput) -> rc.ReviewFacts:
    raise ApplicationError(
        f"journey {request.journey_id} has ended (terminated on the Temporal server at "
        "2026-12-07 09:12 UTC): there is no loan to review", type="JourneyEnded",
        non_retryable=True)


@activity.defn(name=rc.DELETE_REVIEW_SCHEDULE)
async def delete_review_schedule(request: rc.ReviewScheduleDeleteInput) -> rc.ReviewScheduleResult:
    return rc.ReviewScheduleResult(schedule_id=rc.review_schedule_id(request.journey_id),
                                   changed=True, detail="deleted")


async def main(name: str) -> Path:
    return await record_one(
        PostLoanReviewWorkflow, [gather_review_facts, delete_review_schedule],
        rc.ReviewInput(journey_id=JOURNEY),
        f"{rc.review_schedule_id(JOURNEY)}-2026-12-07T09:00:00Z", name)


if __name__ == "__main__":
    name = sys.argv[1] if len(sys.argv) > 1 else "review_of_an_ended_journey"
    print(f"recorded {asyncio.run(main(name))}")
