"""Post-loan side effects: the post-loan policy file, the review schedule, a review's facts.

The schedule activities use the worker's own client (`activity.client()`). A server
without Schedules (the time-skipping test server) answers UNIMPLEMENTED: logged, and
reported as `changed=False`, so a journey runs there all the same.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from importlib import resources

from temporalio import activity
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from journey import review_contracts as rc
from journey.policy import PolicyError
from journey.post_loan_policy import parse_post_loan_policy
from journey.settings import Settings
from starter import schedules
from starter.errors import NotFound

log = logging.getLogger(__name__)
QUERY_TIMEOUT = timedelta(seconds=10)  # well inside the activity's start-to-close


def post_loan_policy_text() -> str:
    return resources.files("journey").joinpath("policies/post_loan.json").read_text("utf-8")


class ReviewActivities:
    def __init__(self, settings: Settings) -> None:
        self._task_queue = settings.task_queue

    @activity.defn(name=rc.LOAD_POST_LOAN_POLICY)
    def load_post_loan_policy(self, request: rc.LoadPostLoanPolicyInput) -> rc.PostLoanPolicyResult:
        try:
            return rc.PostLoanPolicyResult(policy=parse_post_loan_policy(post_loan_policy_text()))
        except (OSError, PolicyError) as err:
            raise ApplicationError(
                f"the post-loan policy cannot be loaded: {err}", type="PolicyError"
            ) from err

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
        handle = activity.client().get_workflow_handle(request.journey_id)
        try:  # bounded: a query that meets a run continuing as new fails and is retried
            return await handle.query(
                rc.REVIEW_FACTS_QUERY, result_type=rc.ReviewFacts, rpc_timeout=QUERY_TIMEOUT
            )
        except RPCError as err:
            if err.status is RPCStatusCode.NOT_FOUND:
                raise ApplicationError(
                    f"no journey {request.journey_id!r} to review: delete its review schedule "
                    f"with `loan-journey schedules delete {request.journey_id}`",
                    type="JourneyNotFound",
                    non_retryable=True,
                ) from err
            raise


def _unsupported(schedule_id: str, err: RPCError) -> rc.ReviewScheduleResult:
    if err.status is not RPCStatusCode.UNIMPLEMENTED:
        raise err
    log.warning("this Temporal server has no schedules; %s left alone: %s", schedule_id, err)
    return rc.ReviewScheduleResult(
        schedule_id=schedule_id, changed=False, detail="this server has no schedules"
    )
