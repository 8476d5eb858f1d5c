"""Feedback and status inquiries about a journey that has ended: checked as the journey itself
checks them, then kept by a run of their own (workflows/late_feedback.py)."""

from __future__ import annotations

from collections.abc import Callable

from temporalio.client import Client
from temporalio.exceptions import WorkflowAlreadyStartedError

from journey.actors import Actor
from journey.application import Product
from journey.policy import DecisionRefused, Policy
from journey.policy.authority import authorize_customer_score, authorize_customer_side
from journey.settings import Settings
from journey.status import JourneyStatus
from journey.touchpoints import (
    LATE_FEEDBACK_WORKFLOW,
    Feedback,
    Inquiry,
    LateTouchpoint,
    LateTouchpointResult,
    late_touchpoints_id,
)
from starter import encryption, operations
from starter.errors import NoAnswer, Refused, Unfinished
from starter.pinned_policy import attempt, current_policy

LATE_TOUCHPOINT_TRIES = 5  # runs of another's late touchpoint to wait out before giving up


async def record_late_feedback(
    client: Client, settings: Settings, workflow_id: str, feedback: Feedback
) -> str:
    """Feedback about a journey that has ended: checked as the journey checks it (the
    customer, or its relationship manager recording what it said; a stage it went through),
    then kept by a LateFeedbackWorkflow of its own (workflows/late_feedback.py); that run's
    id."""
    def speaks(policy: Policy, s: JourneyStatus) -> None:
        authorize_customer_score(policy, feedback.actor, feedback.channel, s.customer or "",
                                 s.relationship_manager)

    s, product = await _ended_journey(client, settings, workflow_id, feedback.actor, "feedback",
                                      speaks)
    visited = list(dict.fromkeys(v.stage for v in s.timeline))
    if feedback.stage not in visited:
        why = (f"{workflow_id} was never at {feedback.stage}: feedback is about a stage the "
               f"customer went through ({', '.join(visited)})")
        raise Refused(why, attempt(workflow_id, "late feedback", feedback.actor, why))
    visit = max(v.attempt for v in s.timeline if v.stage is feedback.stage)
    return await _keep_late(client, settings, LateTouchpoint(
        journey_id=workflow_id, product=product, ended_at=s.stage, attempt=visit,
        feedback=feedback))


async def record_late_inquiry(
    client: Client, settings: Settings, workflow_id: str, inquiry: Inquiry
) -> JourneyStatus:
    """A status inquiry about a journey that has ended: checked as the journey checks one
    (the customer, or front office staff for them), then kept as late feedback is, by the
    run `late_touchpoints_id(workflow_id)`; the status it is answered with (for staff: the
    customer hears `journey.inquiry_answer.ended_answer`, not its internal reason)."""
    def speaks(policy: Policy, s: JourneyStatus) -> None:
        authorize_customer_side(policy, inquiry.actor, s.customer or "")

    s, product = await _ended_journey(client, settings, workflow_id, inquiry.actor, "inquiry",
                                      speaks)
    await _keep_late(client, settings, LateTouchpoint(
        journey_id=workflow_id, product=product, ended_at=s.stage, inquiry=inquiry))
    return s


async def _ended_journey(client: Client, settings: Settings, workflow_id: str, actor: Actor,
                         what: str, speaks: Callable[[Policy, JourneyStatus], None],
                         ) -> tuple[JourneyStatus, Product]:
    """The status and product of the ended journey `workflow_id`, if `actor` may speak for
    its customer (`speaks`, the check the journey's own validator makes, raises
    `DecisionRefused` if not), by the policy the worker pins now; else `Refused`, the
    attempt at late `what` kept. A journey that has ended still answers its status query,
    replayed by a worker."""
    s = await operations.status(client, workflow_id)
    if not s.stage.terminal or s.product is None:
        raise Refused(f"{workflow_id} is at {s.stage}: record the {what} on the journey itself")
    try:
        speaks(current_policy(settings), s)
    except DecisionRefused as err:
        raise Refused(f"{what} not recorded: {err}",
                      attempt(workflow_id, f"late {what}", actor, str(err))) from err
    return s, s.product


async def _keep_late(client: Client, settings: Settings, late: LateTouchpoint) -> str:
    """Start the run that keeps `late` and wait for it to finish; its workflow id. One run
    at a time per journey: one that is running (another touchpoint) is waited out first.
    Started and not finished in time, it is `Unfinished`: kept once a worker runs it."""
    run_id = late_touchpoints_id(late.journey_id)
    within = operations.ANSWER_WITHIN
    slow = f"{run_id} did not finish within {within.total_seconds():g} s: {operations.NO_WORKER}"
    await encryption.writes_allowed(client, f"{run_id} not started")
    for _ in range(LATE_TOUCHPOINT_TRIES):
        try:
            handle = await client.start_workflow(
                LATE_FEEDBACK_WORKFLOW, late, id=run_id, task_queue=settings.task_queue,
                result_type=LateTouchpointResult)
        except WorkflowAlreadyStartedError:
            await operations.answered(client.get_workflow_handle(run_id).result(), within, slow)
            continue
        try:
            await operations.answered(handle.result(), within, slow)
        except NoAnswer as err:  # started: it keeps it once a worker runs it
            raise Unfinished(f"{run_id} is started and did not finish within "
                             f"{within.total_seconds():g} s: it keeps it once a worker "
                             f"runs it ({operations.NO_WORKER}); do not send it again, see "
                             f"`loan-journey status {late.journey_id}` then") from err
        return run_id
    raise NoAnswer(f"{run_id} stayed busy with other touchpoints: try again")
