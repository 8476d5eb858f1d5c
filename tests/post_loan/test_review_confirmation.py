"""A review that ends late after signalling its result is taken, not refused: `confirm_review`
asks again through the activity's retry while the review runs, and refuses only after
REVIEW_RESULT_ATTEMPTS attempts (the real dev server; the activity run as its worker would,
a review of the test's own that ends when told)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from temporalio import workflow
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment, WorkflowEnvironment
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from activities import review
from activities.review import REVIEW_RESULT_ATTEMPTS, ReviewActivities
from journey import review_contracts as rc
from journey.classification import RiskClass
from journey.settings import Settings

pytestmark = pytest.mark.e2e


@workflow.defn(name=rc.REVIEW_WORKFLOW, sandboxed=False)
class LateReview:
    """A review that has signalled its result and ends only when told (`end`): a loaded
    worker that has not yet run its last workflow task."""

    def __init__(self) -> None:
        self._result: rc.ReviewResult | None = None

    @workflow.run
    async def run(self, input: rc.ReviewInput) -> rc.ReviewOutcome:
        await workflow.wait_condition(lambda: self._result is not None)
        return rc.ReviewOutcome(result=self._result)

    @workflow.signal
    def end(self, result: rc.ReviewResult) -> None:
        self._result = result


def reviewed(journey_id: str, review_id: str) -> rc.ReviewResult:
    return rc.ReviewResult(
        review_id=review_id, journey_id=journey_id, reviewed_on=date(2026, 12, 6), ratios={},
        checks=[], days_past_due=0, arrears=Decimal(0), assessed=RiskClass.NORMAL,
        risk_class=RiskClass.NORMAL, previous_class=RiskClass.NORMAL)


async def test_a_review_still_running_is_asked_again_then_taken_or_at_last_refused(
    dev_env: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, queue = dev_env.client, f"late-review-{uuid.uuid4()}"
    monkeypatch.setattr(review, "REVIEW_RESULT_WAIT", timedelta(seconds=0.5))
    confirm = ReviewActivities(Settings(data_dir=tmp_path, task_queue=queue)).confirm_review
    journey = f"loan-{uuid.uuid4()}"
    env = ActivityEnvironment(client)

    async def attempt(n: int, review_id: str) -> rc.ReviewConfirmation:
        env.info = replace(env.info, attempt=n)
        return await env.run(confirm, rc.ConfirmReviewInput(
            journey_id=journey, review_id=review_id, task_queue=queue))

    async with Worker(client, task_queue=queue, workflows=[LateReview],
                      workflow_runner=UnsandboxedWorkflowRunner()):
        late = await client.start_workflow(LateReview.run, rc.ReviewInput(journey_id=journey),
                                           id=f"review-{journey}-late", task_queue=queue)
        for n in range(1, REVIEW_RESULT_ATTEMPTS):  # still running: asked again, not refused
            with pytest.raises(ApplicationError) as still:
                await attempt(n, late.id)
            assert still.value.type == "ReviewStillRunning" and not still.value.non_retryable
            assert f"attempt {n} of {REVIEW_RESULT_ATTEMPTS}" in str(still.value)
        # at last refused, saying how to review again
        given_up = await attempt(REVIEW_RESULT_ATTEMPTS, late.id)
        assert given_up.result is None
        assert f"review {late.id!r} was still running after {REVIEW_RESULT_ATTEMPTS} waits" \
            in given_up.refused and f"schedules trigger {journey}" in given_up.refused
        # one that ends before the attempts run out is taken: its own result
        own = reviewed(journey, late.id)
        await late.signal(LateReview.end, own)
        taken = await attempt(2, late.id)
        assert (taken.result, taken.refused) == (own, "")
        # nor does a result another review returns become this one's, ended late or not
        other = await client.start_workflow(LateReview.run, rc.ReviewInput(journey_id=journey),
                                            id=f"review-{journey}-other", task_queue=queue)
        await other.signal(LateReview.end, reviewed(journey, late.id))
        refused = await attempt(1, other.id)
        assert refused.result is None
        assert refused.refused == f"review {other.id!r} is {late.id!r} of {journey!r}"
