"""Reading a journey and acting on it: its status query and its updates, each sent with a
connected client (tests hand in their environment's client); Temporal's refusals, and no
answer from a worker, turned into the project's errors, which say what to do."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from functools import partial
from typing import Any, TypeVar

from pydantic import BaseModel
from temporalio.client import (
    Client,
    WorkflowExecutionDescription,
    WorkflowExecutionStatus,
    WorkflowHandle,
    WorkflowQueryFailedError,
    WorkflowQueryRejectedError,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.common import QueryRejectCondition
from temporalio.service import RPCError, RPCStatusCode

from journey.decisions import UpdateResult
from journey.policy import NotOpenYet
from journey.status import JourneyStatus
from starter import codec, encryption, journey_ids
from starter.act_words import act_words
from starter.connect import lost
from starter.ended_outside import outside_end
from starter.errors import (
    Ended,
    EndedOutside,
    EndedUnread,
    JourneyError,
    NoAnswer,
    NotFound,
    Refused,
    no_such_namespace,
    server_gone,
)
from starter.pinned_policy import attempt
from starter.unanswered import unanswered
from starter.without_worker import how_it_ended, last_known
from workflows import keyed_senders, run_ahead
from workflows.loan_journey import LoanJourneyWorkflow

R = TypeVar("R", bound=BaseModel)
T = TypeVar("T")
# Seconds before each new status read after one thrown away for a run-ahead; then it fails.
RUN_AHEAD_WAITS = (0.2, 0.5, 1.0)
# Seconds before each new send of an update a journey still opening refused; then it is refused.
OPENING_WAITS = (0.2, 0.5, 1.0, 2.0)
# How long a command waits for a journey to answer (a worker runs its queries and updates).
ANSWER_WITHIN = timedelta(seconds=30)
NO_WORKER = "is a worker running on its task queue (`loan-journey worker`, compose's `worker`)?"


async def status(
    client: Client, workflow_id: str, within: timedelta | None = None
) -> JourneyStatus:
    """The journey's status query (`status_of`); `NotFound` names the journeys it may have
    meant (starter/journey_ids.py). A client whose keys are not the namespace's asks nothing
    (its query would reach the worker encrypted with a key the worker does not have):
    `CodecError` (starter/encryption.py `keys_checked`)."""
    await encryption.keys_checked(client, f"status of {workflow_id} not read")
    try:
        return await status_of(client.get_workflow_handle(workflow_id), within)
    except NotFound as err:
        raise await journey_ids.meant(client, workflow_id, err) from err


async def status_of(handle: WorkflowHandle, within: timedelta | None = None) -> JourneyStatus:
    """The status query of the journey `handle`, answered within `within` (by default
    `ANSWER_WITHIN`, read when asked). A read that the worker threw away because the journey
    moved on meanwhile (workflows/run_ahead.py) is asked again, a few times, then it is
    `NoAnswer`; any other failed read is a `JourneyError` that quotes it, `Ended` saying how
    and when for a journey no longer running (starter/unanswered.py). A journey the server
    ended (terminated, ...) is `EndedOutside`: the server refuses the query of a run that did
    not complete cleanly at once, without a worker, and is then asked how
    (starter/ended_outside.py). No answer in time (no worker: one replays even a closed
    journey to answer) and the server is asked then, without a worker: `EndedUnread` for a
    journey that completed, how and when from its result, and `NoAnswer` for one that runs,
    with its last known state (starter/without_worker.py). The server is asked only then, so
    that a read a worker answers costs it one call."""
    return await _queried(handle, within or ANSWER_WITHIN, partial(_without_worker, handle))


async def _without_worker(handle: WorkflowHandle, err: NoAnswer) -> JourneyError:
    """What the server says of `handle` when no worker answered its status query (`err`)."""
    described = await _described(handle)
    if (end := await outside_end(handle, described)) is not None:
        return EndedOutside(end)
    if described.status is WorkflowExecutionStatus.RUNNING:
        return NoAnswer(f"{err} {last_known(described)}")
    return EndedUnread(f"{await how_it_ended(handle, described)} {err} `loan-journey "
                       f"history {handle.id}` shows its events")


async def _described(handle: WorkflowHandle) -> WorkflowExecutionDescription:
    """The server's describe of the journey `handle`; `NotFound` for no journey."""
    try:
        return await handle.describe()
    except RPCError as err:
        if no_such_workflow(err):
            raise NotFound(f"no journey {handle.id!r}: `loan-journey list` shows them") from err
        raise


async def _queried(handle: WorkflowHandle, within: timedelta,
                   without_worker: Callable[[NoAnswer], Awaitable[JourneyError]]
                   ) -> JourneyStatus:
    """The status query of `handle`, asked again after a run-ahead (`status_of`); no answer
    within `within` raises what `without_worker` makes of it."""
    workflow_id = handle.id
    waits = iter(RUN_AHEAD_WAITS)
    while True:
        try:
            return await answered(
                handle.query(LoanJourneyWorkflow.status,
                             reject_condition=QueryRejectCondition.NOT_COMPLETED_CLEANLY),
                within,
                f"{workflow_id} did not answer its status query within "
                f"{within.total_seconds():g} s: {NO_WORKER}",
            )
        except NoAnswer as err:  # none answered; not a read thrown away (`moved on`), below
            raise await without_worker(err) from err
        except WorkflowQueryRejectedError as err:
            await _not_ended_outside(handle)
            raise Ended(f"{workflow_id} is {err.status.name.lower() if err.status else 'closed'}"
                        f" on the Temporal server: `loan-journey history {workflow_id}` shows "
                        "its last events") from err
        except WorkflowQueryFailedError as err:
            if run_ahead.RAN_AHEAD not in str(err):
                raise await unanswered(handle, err) from err
            wait = next(waits, None)
            if wait is None:
                raise NoAnswer(
                    f"{workflow_id} moved on while its status was read, "
                    f"{len(RUN_AHEAD_WAITS) + 1} times running: it is busy; ask again in a "
                    f"moment (`loan-journey status {workflow_id}`)"
                ) from err
        except RPCError as err:
            if no_such_workflow(err):
                raise NotFound(
                    f"no journey {workflow_id!r}: `loan-journey list` shows them"
                ) from err
            raise
        await asyncio.sleep(wait)


async def _not_ended_outside(handle: WorkflowHandle) -> None:
    """`EndedOutside` for a journey the server ended (terminated, cancelled, timed out,
    failed), whose query the server refused: a query on the closed run would answer from its
    replay as if it waited on, or wait for a worker that may never come; `NotFound` for no
    journey."""
    try:
        end = await outside_end(handle, await handle.describe())
    except RPCError as err:
        if no_such_workflow(err):
            raise NotFound(f"no journey {handle.id!r}: `loan-journey list` shows them") from err
        raise
    if end is not None:
        raise EndedOutside(end)


async def act(
    client: Client, workflow_id: str, update: str, request: BaseModel,
    result_type: type[R] = UpdateResult,  # type: ignore[assignment]
    within: timedelta = ANSWER_WITHIN, update_id: str | None = None,
) -> R:
    """Send one update (under `update_id` when given: the server takes an update once per
    id and run, so one sent again under its first id is taken once); a refusal by the
    journey's validator becomes `Refused`, no answer within `within` becomes `NoAnswer`. A
    client without the keys of an encrypted journey sends nothing, or, if the journey's input
    is plain (begun before encryption was switched on), is refused by keyed workers (exit 8,
    the attempt kept as a refusal's; workflows/keyed_senders.py): `CodecError`."""
    handle = client.get_workflow_handle(workflow_id)
    act = act_words(update)  # as its typist names it; `update` is the workflow's name for it
    await encryption.writes_allowed(client, f"{act} not sent")
    await codec.keys_needed(client, workflow_id, f"{act} not sent")
    try:
        return await _taken_once_open(lambda: handle.execute_update(
            update, request, id=update_id, result_type=result_type), within,
            f"{workflow_id} did not take the {act} within {within.total_seconds():g} s: "
            f"{NO_WORKER} It is not recorded yet: the server keeps it until a worker takes it "
            f"(unless the server restarts first). See `loan-journey status {workflow_id}` "
            "before sending it again",
        )
    except WorkflowUpdateFailedError as err:
        why = refusal(err)
        refused = Refused(f"{act} refused: {why}",
                          attempt(workflow_id, update, getattr(request, "actor", None), why))
        if why != keyed_senders.SENT_KEYLESS:
            raise refused from err
        refused.__cause__ = err  # kept for auditors as any refusal; a key missing here: exit 8
        raise codec.CodecError(f"{act} refused: {why}") from refused
    except KeyError as err:
        if not codec.undecodable(err):
            raise
        raise codec.CodecError(
            f"{workflow_id} answered the {act} encrypted, and {codec.SETTING} is not set here: "
            f"the {act} may have been recorded. Set {codec.SETTING} as the workers have it "
            f"and check `loan-journey status {workflow_id}` before sending it again") from err
    except RPCError as err:
        if server_gone(err):  # sent, perhaps taken: only the journey's status tells
            raise lost(client.service_client.config.target_host, client.namespace,
                       f"the {act} was sent to {workflow_id} and may have been recorded: once "
                       f"the server answers, check with `loan-journey status {workflow_id}` "
                       f"whether it was applied before sending it again") from err
        if not no_such_workflow(err):
            raise
        if await _ended(handle):
            raise Ended(f"{workflow_id} has ended and takes no {act}: `loan-journey "
                        f"status {workflow_id}` shows how it ended") from err
        raise await journey_ids.meant(
            client, workflow_id, NotFound(f"no running journey {workflow_id!r}")) from err


async def _taken_once_open(send: Callable[[], Awaitable[T]], within: timedelta,
                           no_answer: str) -> T:
    """`answered(send())`, sent again a few times (`OPENING_WAITS`) while the journey refuses
    it as still opening (begun a moment ago: its first task, which pins its policy, has not
    run), not refused for that at once: an act typed right after `start` is taken. Nothing a
    journey refused is recorded in its history, so the same update id is sent again."""
    waits = iter(OPENING_WAITS)
    while True:
        try:
            return await answered(send(), within, no_answer)
        except WorkflowUpdateFailedError as err:
            if not still_opening(err) or (wait := next(waits, None)) is None:
                raise
        await asyncio.sleep(wait)


def still_opening(err: BaseException | None) -> bool:
    """Whether `err` is a journey's refusal of an update while it opens (`NotOpenYet`)."""
    return (isinstance(err, WorkflowUpdateFailedError)
            and getattr(err.cause, "type", None) == NotOpenYet.__name__)


def no_such_workflow(err: RPCError) -> bool:
    """The server found no such workflow (not: no such namespace, which the command line's
    boundary names as a setting to check)."""
    return err.status is RPCStatusCode.NOT_FOUND and not no_such_namespace(err)


async def _ended(handle: WorkflowHandle[Any, Any]) -> bool:
    """The workflow exists and has closed (servers word an update to it differently)."""
    try:
        described = await handle.describe()
    except RPCError as err:
        if err.status is RPCStatusCode.NOT_FOUND:
            return False
        raise
    return described.status is not WorkflowExecutionStatus.RUNNING


async def answered(call: Awaitable[T], within: timedelta, no_answer: str) -> T:
    """What `call` (a query or an update, which a worker answers) returns; `NoAnswer` saying
    `no_answer` once `within` has passed, or the server gave up first, without an answer."""
    deadline = asyncio.timeout(within.total_seconds())
    try:
        async with deadline:
            return await call
    except (TimeoutError, WorkflowUpdateRPCTimeoutOrCancelledError) as err:
        if not deadline.expired():  # cancelled from outside (Ctrl-C): not ours to explain
            raise
        raise NoAnswer(no_answer) from err
    except RPCError as err:
        if not server_gave_up(err):
            raise
        raise NoAnswer(no_answer) from err


def server_gave_up(err: RPCError) -> bool:
    """How the server ends a query or an update that no worker answered: its own deadline,
    "context canceled", or "no poller seen for task queue recently"."""
    return err.status in (RPCStatusCode.DEADLINE_EXCEEDED, RPCStatusCode.CANCELLED) or (
        err.status is RPCStatusCode.FAILED_PRECONDITION and "poller" in err.message
    )


def refusal(err: WorkflowUpdateFailedError) -> str:
    """What the journey's validator said when it refused an update."""
    return getattr(err.cause, "message", None) or str(err.cause)
