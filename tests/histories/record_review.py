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
import uuid
from pathlib import Path

from temporalio import activity
from temporalio.client import WorkflowFailureError
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from journey import review_contracts as rc
from tests.audit.histories import save_history
from tests.conftest import installed_test_server
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
    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=pydantic_data_converter, test_server_existing_path=installed_test_server()
    )
    try:
        queue = str(uuid.uuid4())
        async with Worker(env.client, task_queue=queue, workflows=[PostLoanReviewWorkflow],
                          activities=[gather_review_facts, delete_review_schedule]):
            handle = await env.client.start_workflow(
                PostLoanReviewWorkflow.run, rc.ReviewInput(journey_id=JOURNEY),
                id=f"{rc.review_schedule_id(JOURNEY)}-2026-12-07T09:00:00Z", task_queue=queue)
            try:
                await handle.result()
            except WorkflowFailureError:  # the review before the marker
                pass
            return await save_history(handle, name)
    finally:
        await env.shutdown()


if __name__ == "__main__":
    name = sys.argv[1] if len(sys.argv) > 1 else "review_of_an_ended_journey"
    print(f"recorded {asyncio.run(main(name))}")
