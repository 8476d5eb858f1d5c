"""Post-loan side effects: the post-loan policy file, the review schedule, a review's facts,
and the review a result signalled to a journey names, as its own run returned it.

The schedule activities use the worker's own client (`activity.client()`). A server
without Schedules (the time-skipping test server) answers UNIMPLEMENTED: logged, and
reported as `changed=False`, so a journey runs there all the same.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from functools import cached_property
from pathlib import Path

from temporalio import activity
from temporalio.client import WorkflowExecutionStatus, WorkflowFailureError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from activities.policy import LoadedPolicy, policy_text
from journey import review_contracts as rc
from journey.policy import PolicyError
from journey.post_loan_policy import PostLoanPolicy, parse_post_loan_policy
from journey.settings import Settings
from starter import schedules
from starter.ended_outside import ENDED_OUTSIDE
from starter.errors import NotFound

log = logging.getLogger(__name__)
QUERY_TIMEOUT = timedelta(seconds=10)  # well inside the activity's start-to-close
# A review signals its result and then returns it: each attempt of `confirm_review` waits
# this long for the review's own result (inside the journey's QUICK start-to-close), and one
# still running is asked again by the activity's retry, up to REVIEW_RESULT_ATTEMPTS: a real
# review whose last workflow task waits on a slow or restarting worker (a loaded machine, a
# deploy) was refused after one wait, leaving the loan unreviewed until the next. Bounded,
# since a review on a queue no worker polls would hold the journey: six attempts of the
# journey's retries (1, 2, 4, 8, 16 s apart) are about two and a half minutes, and fewer than
# the ten of IO_RETRY, which journeys from before io-until-done still go by.
REVIEW_RESULT_WAIT = timedelta(seconds=20)
REVIEW_RESULT_ATTEMPTS = 6


def post_loan_policy_text(path: Path | None = None) -> str:
    """The post-loan policy file named in settings, or the one shipped with `journey`."""
    return policy_text(path, "post_loan.json")


def load_post_loan_policy_file(path: Path | None) -> LoadedPolicy[PostLoanPolicy]:
    """The post-loan policy at `path` (the packaged one without) with its text: OSError or
    PolicyError when it cannot be read and parsed."""
    text = post_loan_policy_text(path)
    return LoadedPolicy(text=text, policy=parse_post_loan_policy(text))


class ReviewActivities:
    """`load_post_loan_policy` gives every offer `loaded`, the post-loan policy the worker
    read and checked as it started (starter/start_checks.py), as `load_policy` gives the
    lending policy: an edit of the file takes effect when the workers restart. Without one
    (a worker a test builds), the file is read at the first offer, once."""

    def __init__(
        self, settings: Settings, loaded: LoadedPolicy[PostLoanPolicy] | None = None
    ) -> None:
        self._task_queue = settings.task_queue
        self._file = settings.post_loan_policy_file
        self._given = loaded

    @cached_property
    def _loaded(self) -> LoadedPolicy[PostLoanPolicy]:
        return self._given or load_post_loan_policy_file(self._file)

    @activity.defn(name=rc.LOAD_POST_LOAN_POLICY)
    def load_post_loan_policy(self, request: rc.LoadPostLoanPolicyInput) -> rc.PostLoanPolicyResult:
        try:
            loaded = self._loaded
        except (OSError, PolicyError) as err:
            raise ApplicationError(
                f"the post-loan policy cannot be loaded: {err}", type="PolicyError"
            ) from err
        return rc.PostLoanPolicyResult(policy=loaded.policy, sha256=loaded.sha256)

    @activity.defn(name=rc.CREATE_REVIEW_SCHEDULE)
    async def create_review_schedule(
        self, request: rc.ReviewScheduleInput
    ) -> rc.ReviewScheduleResult:
        sid = rc.review_schedule_id(request.journey_id)
        try:
            created = await schedules.create(
                activity.client(),
                request.journey_id,
                request.calendar,
                request.task_queue or self._task_queue,
                request.note,
            )
        except RPCError as err:
            return _unsupported(sid, err)
        return rc.ReviewScheduleResult(
            schedule_id=sid, changed=created, detail="created" if created else "exists already"
        )

    @activity.defn(name=rc.SET_REVIEW_CADENCE)
    async def set_review_cadence(self, request: rc.ReviewScheduleInput) -> rc.ReviewScheduleResult:
        sid = rc.review_schedule_id(request.journey_id)
        try:
            await schedules.set_cadence(activity.client(), request.journey_id, request.calendar,
                                        request.note)
        except NotFound:
            return rc.ReviewScheduleResult(schedule_id=sid, changed=False, detail="no schedule")
        except RPCError as err:
            return _unsupported(sid, err)
        months = ",".join(str(m) for m in request.calendar.months)
        return rc.ReviewScheduleResult(schedule_id=sid, changed=True, detail=f"months {months}")

    @activity.defn(name=rc.DELETE_REVIEW_SCHEDULE)
    async def delete_review_schedule(
        self, request: rc.ReviewScheduleDeleteInput
    ) -> rc.ReviewScheduleResult:
        sid = rc.review_schedule_id(request.journey_id)
        try:
            await schedules.delete(activity.client(), request.journey_id)
        except NotFound:
            return rc.ReviewScheduleResult(schedule_id=sid, changed=False, detail="no schedule")
        except RPCError as err:
            return _unsupported(sid, err)
        return rc.ReviewScheduleResult(schedule_id=sid, changed=True, detail="deleted")

    @activity.defn(name=rc.GATHER_REVIEW_FACTS)
    async def gather_review_facts(self, request: rc.ReviewFactsInput) -> rc.ReviewFacts:
        """The journey's review facts, from its current run. One the server no longer runs
        (ended outside the engine, as a journey that closes itself deletes its schedule) or
        no longer holds is refused, JourneyEnded or JourneyNotFound: the review deletes its
        schedule then (workflows/post_loan_review.py)."""
        handle = activity.client().get_workflow_handle(request.journey_id)
        try:  # bounded: a query that meets a run continuing as new fails and is retried
            described = await handle.describe(rpc_timeout=QUERY_TIMEOUT)
            if described.status is not WorkflowExecutionStatus.RUNNING:
                how = ENDED_OUTSIDE.get(described.status, "closed")
                at = f" at {described.close_time:%Y-%m-%d %H:%M} UTC" if described.close_time \
                    else ""
                raise ApplicationError(
                    f"journey {request.journey_id} has ended ({how} on the Temporal "
                    f"server{at}): there is no loan to review", type=rc.JOURNEY_ENDED,
                    non_retryable=True)
            return await handle.query(
                rc.REVIEW_FACTS_QUERY, result_type=rc.ReviewFacts, rpc_timeout=QUERY_TIMEOUT
            )
        except RPCError as err:
            if err.status is RPCStatusCode.NOT_FOUND:
                raise ApplicationError(
                    f"no journey {request.journey_id!r} on the Temporal server to review "
                    "(deleted, or past the namespace's retention)",
                    type=rc.JOURNEY_NOT_FOUND,
                    non_retryable=True,
                ) from err
            raise

    @activity.defn(name=rc.CONFIRM_REVIEW)
    async def confirm_review(self, request: rc.ConfirmReviewInput) -> rc.ReviewConfirmation:
        """The review a result signalled to the journey names, as its own run on the server
        returned it: a PostLoanReviewWorkflow of this journey on the journey's task queue.
        Anything else (no such workflow, another type or queue, another journey's review, one
        that failed or was skipped) is refused, saying why: the signal's own figures are never
        taken, since anyone who can reach the server can send it. One still running is waited
        for across the activity's retries (`_still_running`), then refused too."""
        rid = request.review_id
        handle = activity.client().get_workflow_handle(rid, result_type=rc.ReviewOutcome)
        try:
            described = await handle.describe(rpc_timeout=QUERY_TIMEOUT)
        except RPCError as err:
            if err.status is not RPCStatusCode.NOT_FOUND:
                raise
            return _refused(f"no review {rid!r} ran on the server")
        if described.workflow_type != rc.REVIEW_WORKFLOW:
            return _refused(f"{rid!r} is a {described.workflow_type}, not a {rc.REVIEW_WORKFLOW}")
        if described.task_queue != request.task_queue:
            return _refused(f"review {rid!r} ran on task queue {described.task_queue!r}, not "
                            f"the journey's {request.task_queue!r}")
        try:
            outcome = await asyncio.wait_for(handle.result(),
                                             REVIEW_RESULT_WAIT.total_seconds())
        except WorkflowFailureError as err:
            return _refused(f"review {rid!r} did not complete: {err.cause or err}")
        except TimeoutError:
            return _still_running(rid, request.journey_id)
        own = outcome.result
        if own is None:
            return _refused(f"review {rid!r} reviewed nothing: {outcome.skipped}")
        if own.journey_id != request.journey_id or own.review_id != rid:
            return _refused(f"review {rid!r} is {own.review_id!r} of {own.journey_id!r}")
        return rc.ReviewConfirmation(result=own)


def _still_running(review_id: str, journey_id: str) -> rc.ReviewConfirmation:
    """A review still running after its result was signalled: asked again (a retryable
    `ReviewStillRunning`, the activity's retry) until REVIEW_RESULT_ATTEMPTS, then refused."""
    attempt = activity.info().attempt
    if attempt < REVIEW_RESULT_ATTEMPTS:
        raise ApplicationError(
            f"review {review_id!r} was still running {REVIEW_RESULT_WAIT} after its result was "
            f"signalled (attempt {attempt} of {REVIEW_RESULT_ATTEMPTS}): asked again",
            type="ReviewStillRunning",
        )
    return _refused(f"review {review_id!r} was still running after {attempt} waits of "
                    f"{REVIEW_RESULT_WAIT} for its result: run it again with `loan-journey "
                    f"schedules trigger {journey_id}`")


def _refused(why: str) -> rc.ReviewConfirmation:
    log.warning("review result refused: %s", why)
    return rc.ReviewConfirmation(refused=why)


def _unsupported(schedule_id: str, err: RPCError) -> rc.ReviewScheduleResult:
    if err.status is not RPCStatusCode.UNIMPLEMENTED:
        raise err
    log.warning("this Temporal server has no schedules; %s left alone: %s", schedule_id, err)
    return rc.ReviewScheduleResult(
        schedule_id=schedule_id, changed=False, detail="this server has no schedules"
    )
