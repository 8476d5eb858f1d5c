"""The operator's library API: what the command line and other programs call.

Every function takes a connected client (tests hand in their environment's client) and
turns Temporal's refusals into the project's errors, which say what to do.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, Field, ValidationError
from temporalio.client import (
    Client,
    WorkflowExecutionStatus,
    WorkflowHandle,
    WorkflowQueryFailedError,
    WorkflowQueryRejectedError,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.common import QueryRejectCondition, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from activities.exposure import kept_and_told
from activities.policy import china_calendar, policy_text
from journey.actors import Actor, Role
from journey.application import LoanApplication, Product
from journey.availability_interest import Payoff
from journey.classification import RiskClass
from journey.credit_code import is_valid
from journey.decisions import UpdateResult
from journey.documents import DocumentRef
from journey.entrusted_payment import OPERATIONS_TEAM
from journey.exposure import KeepExposureInput
from journey.loan_account import ZERO, Account
from journey.loan_book import LoanBook, book_line, worst_first
from journey.loan_payments import (
    interest_paid_ahead,
    nothing_to_settle,
    payoff_quote,
    prepayment_quote,
    prepayment_refusal,
    settlement_quote,
)
from journey.owed_figures import OwedFigures, owed_figures
from journey.policy import (
    ApprovalTier,
    DecisionRefused,
    Policy,
    WorkingCalendar,
    authorize_staff,
    parse_policy,
)
from journey.policy.authority import (
    FRONT_OFFICE,
    authorize_customer_score,
    authorize_customer_side,
)
from journey.pricing import agreed_on
from journey.queue_wait import QueueWait
from journey.repayment import RepaymentMethod, money
from journey.settings import Settings
from journey.stages import Stage
from journey.status import JourneyInput, JourneyStatus, plan_start
from journey.touchpoints import (
    LATE_FEEDBACK_WORKFLOW,
    Feedback,
    Inquiry,
    LateTouchpoint,
    LateTouchpointResult,
    late_touchpoints_id,
)
from journey.undrawn_commitments import commitment_line
from starter import codec, encryption, quotes
from starter.attempts import Attempt, refusal_of
from starter.connect import connect
from starter.ended_outside import outside_end
from starter.errors import (
    BadInput,
    Ended,
    EndedOutside,
    NoAnswer,
    NotFound,
    Refused,
    Unfinished,
    no_such_namespace,
    plain_errors,
)
from starter.unanswered import unanswered
from store import archive, blobs
from store.archive import ArchivedRun
from store.refusals import Refusal
from workflows import run_ahead
from workflows.loan_journey import LoanJourneyWorkflow

R = TypeVar("R", bound=BaseModel)
T = TypeVar("T")
MAX_DOCUMENT_BYTES = 30 * 1024 * 1024
# Seconds before each new status read after one thrown away for a run-ahead; then it fails.
RUN_AHEAD_WAITS = (0.2, 0.5, 1.0)
# How long a command waits for a journey to answer (a worker runs its queries and updates).
ANSWER_WITHIN = timedelta(seconds=30)
BOOK_READS = 8  # status queries the loan book sends at once
LATE_TOUCHPOINT_TRIES = 5  # runs of another's late touchpoint to wait out before giving up
NO_WORKER = "is a worker running on its task queue (`loan-journey worker`, compose's `worker`)?"


def journey_id(application_id: str) -> str:
    """Stable, readable workflow ids: the same in the CLI, the Web UI and `temporal`."""
    return f"loan-{application_id}"


def load_application(path: Path, documents: Sequence[DocumentRef] = ()) -> LoanApplication:
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise BadInput(f"cannot read the application {path}: {err}") from err
    if not isinstance(data, dict) or not isinstance(data.get("documents", []), list):
        raise BadInput(
            f"the application {path} must be a JSON object whose `documents`, if given, is a "
            "list: see samples/applications/demo-001.json"
        )
    if unknown := sorted(set(data) - set(LoanApplication.model_fields)):
        raise BadInput(
            f"the application {path} has field(s) this engine does not take: "
            f"{', '.join(unknown)}: remove them (amounts are in yuan; see "
            "samples/applications/demo-001.json)"
        )
    data["documents"] = [*data.get("documents", []), *(d.model_dump() for d in documents)]
    try:
        application = LoanApplication.model_validate(data)
    except ValidationError as err:
        raise BadInput(f"the application {path} is not valid: {plain_errors(err)}") from err
    if not is_valid(application.credit_code):
        raise BadInput(
            f"credit code {application.credit_code} fails its GB 32100-2015 check character: "
            "copy it again from the business licence"
        )
    return application


def store_documents(settings: Settings, paths: Sequence[Path], *, by_page: bool = True
                    ) -> list[DocumentRef]:
    """Put files into the content-addressed store; the journey gets references only. With
    `by_page`, each page of a multi-page TIFF is a document of its own, named "<file> (page N
    of M)": the reader reads one page per document (without, one reference per file, as a
    drawdown's labelled documents need). One file or page given twice (the same content under
    two names) is refused: it is one document."""
    from ocr import OcrError, split_pages  # here: opencv loads only for commands with files

    refs: list[DocumentRef] = []
    named: dict[str, str] = {}
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError as err:
            raise BadInput(f"cannot read document {path}: {err.strerror}") from err
        if len(data) > MAX_DOCUMENT_BYTES:
            raise BadInput(f"{path} is over 30 MB, more than a page's scan or photo: send each "
                           "page as a file of its own, scanned at 200-300 dpi or photographed "
                           "(JPEG)")
        try:
            pages = split_pages(data) if by_page else [data]
        except OcrError as err:
            raise BadInput(f"{path}: {err}") from err
        for number, page in enumerate(pages, 1):
            of = "" if len(pages) == 1 else f" (page {number} of {len(pages)})"
            name = f"{path.name[:230]}{of}" if of else path.name
            ref = blobs.put(settings.documents_dir, page, name)
            if (first := named.get(ref.sha256)) is not None:
                raise BadInput(f"{path}{of} is the same document as {first}: give each "
                               "document once")
            named[ref.sha256] = f"{path}{of}"
            refs.append(ref)
    return refs


async def start_journey(
    client: Client | None, settings: Settings, application: LoanApplication
) -> WorkflowHandle[Any, Any]:
    """Start the journey of `application`, submitted by a relationship manager or operations
    of the staff directory (the policy the worker pins: the settings' file or the default),
    for at least the policy's minimum amount of its product and at most its longest term, at
    an agreed rate (if any) within the policy's floor and ceiling over the LPR fixing in force
    today (the policy's base rate without one; `SealBroken` when that fixing fails its seal),
    or refused before anything reaches a history: the four-eyes rules hold the submitter.
    Without a `client`, the settings' server is reached only once the application passed
    those checks."""
    not_started = f"application {application.application_id} not started"
    authorized(settings, application.submitted_by, FRONT_OFFICE, not_started,
               (journey_id(application.application_id), "start"))
    policy = current_policy(settings)
    refusals = policy.code_refusals(application)
    if too_long := policy.term_refusal(application):
        refusals.insert(0, too_long)
    if too_small := policy.amount_refusal(application):
        refusals.insert(0, too_small)
    if application.annual_rate is not None and (priced_out := policy.pricing.agreed_refusal(
        agreed_on(policy.pricing, application.annual_rate, application.term_months,
                  quotes.in_force(settings, WorkingCalendar().day_of(datetime.now(UTC)),
                                  not_started)))
    ):
        refusals.append(priced_out)
    if refusals:
        raise BadInput(f"{not_started}: {'; '.join(refusals)}")
    if missing := [d.filename for d in application.documents
                   if not blobs.exists(settings.documents_dir, d.sha256)]:
        raise BadInput(f"{not_started}: {', '.join(missing)} named in it but not in the "
                       f"document store {settings.documents_dir}: give the files to `start`")
    client = client or await connect(settings)
    await encryption.writes_allowed(client, not_started)
    await codec.keys_needed_to_start(client, LoanJourneyWorkflow.__name__, not_started)
    # a journey the server deleted after its retention is still in the archive
    if archived := await asyncio.to_thread(archive.runs_of, settings.db_url,
                                           journey_id(application.application_id)):
        raise await _already_started(client, application.application_id, archived)
    try:
        handle = await client.start_workflow(
            LoanJourneyWorkflow.run,
            JourneyInput(application=(coded := policy.coded(application))),
            id=journey_id(application.application_id),
            task_queue=settings.task_queue,
            # an application id is used once: a closed journey's id starting again would
            # hide its history behind the new one's (continue-as-new is no new start)
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
        )
        codec.started(client, handle.id)
    except WorkflowAlreadyStartedError as err:
        raise await _already_started(client, application.application_id) from err
    except RPCError as err:
        if err.status is RPCStatusCode.ALREADY_EXISTS:
            raise await _already_started(client, application.application_id) from err
        raise
    # the borrower's exposure counts it from now, not once a worker runs its intake: an
    # approval of the borrower settling before that (a vote kept while no worker ran) is told
    await kept_and_told(client, settings.db_url, KeepExposureInput(
        workflow_id=handle.id, credit_code=coded.credit_code, amount=coded.amount))
    return handle


async def _already_started(client: Client, application_id: str,
                           archived: Sequence[ArchivedRun] = ()) -> BadInput:
    """Why an application whose journey id was used before is not started again: when that
    journey started (its first run's day) and where it stands or ended; for one the server
    has deleted, when its `archived` runs say it closed."""
    from workflows import search_attributes as sa

    workflow_id = journey_id(application_id)
    own_id = (f"give the new application its own id (the first: `loan-journey status "
              f"{workflow_id}`)")
    try:
        last = await client.get_workflow_handle(workflow_id).describe()
        first_run = last.raw_description.workflow_execution_info.first_run_id
        first = (await client.get_workflow_handle(workflow_id, run_id=first_run).describe()
                 if first_run and first_run != last.run_id else last)
    except RPCError as err:
        if not archived:  # gone between the start and now: the refusal stands without details
            return BadInput(f"application {application_id} was already started: {own_id}")
        if not no_such_workflow(err):
            raise
        closed = archived[-1]
        return BadInput(
            f"application {application_id} was already started and its journey closed on "
            f"{WorkingCalendar().day_of(closed.closed_at)} ({closed.status}); its history is "
            f"archived (`loan-journey history {workflow_id}`): give the new application its "
            "own id")
    stage = last.typed_search_attributes.get(sa.STAGE) or "-"
    if last.status is WorkflowExecutionStatus.RUNNING:
        where = f"is at {stage}"
    elif last.status is WorkflowExecutionStatus.COMPLETED:
        where = f"is {stage}"
    else:
        ended = last.status.name.lower() if last.status else "ended"
        where = f"was {ended} at {stage}"
    day = WorkingCalendar().day_of(first.start_time)  # the bank's day
    return BadInput(f"application {application_id} was already started on {day} and {where}: "
                    f"{own_id}")


def current_policy(settings: Settings) -> Policy:
    """The lending policy a worker with these settings pins for a journey starting now."""
    return _parsed(policy_text(settings.policy_file))


@lru_cache(maxsize=4)
def _parsed(text: str) -> Policy:
    return parse_policy(text)


def directory_role(settings: Settings, actor_id: str) -> Role | None:
    """The role the staff directory of the policy a worker pins now gives `actor_id`; None
    for someone it does not list (a customer, a stranger: refused where they act)."""
    member = current_policy(settings).member(actor_id)
    return member.role if member is not None else None


def authorized(settings: Settings, actor: Actor, roles: set[Role], refused: str,
               tried: tuple[str, str] | None = None) -> None:
    """`actor` is an active member of the staff directory in one of `roles`, by the policy
    the worker pins, or `Refused` starting with `refused`: for what acts before a journey
    can refuse it (its start) or beside it (its review schedule); `tried`, the journey and
    the action, keeps the attempt for auditors."""
    try:
        authorize_staff(current_policy(settings), actor, roles)
    except DecisionRefused as err:
        kept = attempt(*tried, actor, str(err)) if tried else None
        raise Refused(f"{refused}: {err}", kept) from err


def attempt(workflow_id: str, action: str, actor: Actor | None, reason: str) -> Refusal:
    """A refused attempt as auditors keep it: who, from where, what, why."""
    return refusal_of(Attempt(workflow_id, action, actor.id if actor else "-",
                              actor.role if actor else "-"), reason)


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
    s = await status(client, workflow_id)
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
    slow = f"{run_id} did not finish within {ANSWER_WITHIN.total_seconds():g} s: {NO_WORKER}"
    await encryption.writes_allowed(client, f"{run_id} not started")
    for _ in range(LATE_TOUCHPOINT_TRIES):
        try:
            handle = await client.start_workflow(
                LATE_FEEDBACK_WORKFLOW, late, id=run_id, task_queue=settings.task_queue,
                result_type=LateTouchpointResult)
        except WorkflowAlreadyStartedError:
            await _answered(client.get_workflow_handle(run_id).result(), ANSWER_WITHIN, slow)
            continue
        try:
            await _answered(handle.result(), ANSWER_WITHIN, slow)
        except NoAnswer as err:  # started: it keeps it once a worker runs it
            raise Unfinished(f"{run_id} is started and did not finish within "
                             f"{ANSWER_WITHIN.total_seconds():g} s: it keeps it once a worker "
                             f"runs it ({NO_WORKER}); do not send it again, see `loan-journey "
                             f"status {late.journey_id}` then") from err
        return run_id
    raise NoAnswer(f"{run_id} stayed busy with other touchpoints: try again")


def team_names(settings: Settings) -> list[str]:
    """What a journey can wait on in the policy the worker pins: its risk teams, approval
    tiers and, with entrusted payment, operations."""
    policy = current_policy(settings)
    teams = {m.team for m in policy.staff if m.team} | {r.team for r in policy.routing.rules}
    if policy.entrusted_payment is not None:
        teams.add(OPERATIONS_TEAM)
    return sorted(teams) + [tier.value for tier in ApprovalTier]


async def status(
    client: Client, workflow_id: str, within: timedelta = ANSWER_WITHIN
) -> JourneyStatus:
    """The journey's status query (`status_of`)."""
    return await status_of(client.get_workflow_handle(workflow_id), within)


async def status_of(handle: WorkflowHandle, within: timedelta = ANSWER_WITHIN) -> JourneyStatus:
    """The status query of the journey `handle`. A read that the worker threw away because
    the journey moved on meanwhile (workflows/run_ahead.py) is asked again, a few times, then
    it is `NoAnswer`; any other failed read is a `JourneyError` that quotes it, `Ended` saying
    how and when for a journey no longer running (starter/unanswered.py). A journey the server
    ended (terminated, ...) is `EndedOutside`: the server refuses the query of a run that did not
    complete cleanly at once, without a worker, and is then asked how (starter/ended_outside.py)."""
    workflow_id = handle.id
    waits = iter(RUN_AHEAD_WAITS)
    while True:
        try:
            return await _answered(
                handle.query(LoanJourneyWorkflow.status,
                             reject_condition=QueryRejectCondition.NOT_COMPLETED_CLEANLY),
                within,
                f"{workflow_id} did not answer its status query within "
                f"{within.total_seconds():g} s: {NO_WORKER}",
            )
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
    is plain (begun before encryption was switched on), cannot read its answer: `CodecError`."""
    handle = client.get_workflow_handle(workflow_id)
    await encryption.writes_allowed(client, f"{update} not sent")
    await codec.keys_needed(client, workflow_id, f"{update} not sent")
    try:
        return await _answered(
            handle.execute_update(update, request, id=update_id, result_type=result_type),
            within,
            f"{workflow_id} did not take {update} within {within.total_seconds():g} s: "
            f"{NO_WORKER} It is not recorded yet: the server keeps it until a worker takes it "
            f"(unless the server restarts first). See `loan-journey status {workflow_id}` "
            "before sending it again",
        )
    except WorkflowUpdateFailedError as err:
        why = refusal(err)
        raise Refused(f"{update} refused: {why}",
                      attempt(workflow_id, update, getattr(request, "actor", None), why)) from err
    except KeyError as err:
        if not codec.undecodable(err):
            raise
        raise codec.CodecError(
            f"{workflow_id} answered {update} encrypted, and {codec.SETTING} is not set here: "
            f"the {update} may have been recorded. Set {codec.SETTING} as the workers have it "
            f"and check `loan-journey status {workflow_id}` before sending it again") from err
    except RPCError as err:
        if not no_such_workflow(err):
            raise
        if await _ended(handle):
            raise Ended(f"{workflow_id} has ended and takes no {update}: `loan-journey "
                        f"status {workflow_id}` shows how it ended") from err
        raise NotFound(f"no running journey {workflow_id!r}") from err


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


async def _answered(call: Awaitable[T], within: timedelta, no_answer: str) -> T:
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


class JourneyRow(BaseModel):
    workflow_id: str
    status: str
    stage: str
    team: str
    sla: str
    product: str
    amount_band: str
    started: datetime
    # on a team's queue: since when the case has waited on the team, and its SLA on that wait
    waiting: QueueWait | None = None
    why: str | None = None  # on an approval work list: why the case is at its tier
    # on an approval work list: the covenants the loan would carry that its file already breaches
    breached: list[str] = Field(default_factory=list)


def _journeys(query: str | None) -> str:
    """Journeys, one row each: a run that continued as new is the same journey as its last
    run, so it is left out unless the query asks about run statuses itself."""
    base = "WorkflowType = 'LoanJourneyWorkflow'"
    if query is None or "ExecutionStatus" not in query:
        base += " AND ExecutionStatus != 'ContinuedAsNew'"
    return f"{base} AND ({query})" if query else base


async def list_journeys(
    client: Client, query: str | None = None, limit: int | None = 100
) -> list[JourneyRow]:
    """Journeys from Temporal visibility, newest first: the same list the Web UI and
    `temporal` show; every one with `limit` None."""
    from workflows import search_attributes as sa

    rows = []
    async for wf in client.list_workflows(_journeys(query), limit=limit):
        attrs = wf.typed_search_attributes
        running = wf.status == WorkflowExecutionStatus.RUNNING
        rows.append(
            JourneyRow(
                workflow_id=wf.id,
                status=WorkflowExecutionStatus(wf.status).name.lower() if wf.status else "-",
                stage=attrs.get(sa.STAGE) or "-",
                team=attrs.get(sa.TEAM) or "-",
                # an ended run's SlaState is its last stage's (before the journey cleared it at
                # its end, or when the server ended it): no SLA runs on it any more
                sla=(attrs.get(sa.SLA_STATE) or "-") if running else "-",
                product=attrs.get(sa.PRODUCT) or "-",
                amount_band=attrs.get(sa.AMOUNT_BAND) or "-",
                started=sa.journey_started(attrs, wf.start_time),
                waiting=QueueWait.of(attrs.get(sa.QUEUE_WAIT)) if running else None,
            )
        )
    return rows


async def count_journeys(client: Client, query: str | None = None) -> int:
    return (await client.count_workflows(_journeys(query))).count


def book_query(risk_class: RiskClass | None = None) -> str:
    """Running loans after disbursement, and projects drawing; of one class when given, by
    the LoanClass attribute, with the loans that have none (runs begun before it, projects
    drawing: their class is read after)."""
    query = ("ExecutionStatus = 'Running' AND (JourneyStage = 'post_loan' OR ("
             "JourneyStage = 'disbursement' AND JourneyProduct = 'project_finance'))")
    if risk_class is None:
        return query
    return f"{query} AND (LoanClass = '{risk_class.value}' OR LoanClass IS NULL)"


async def loan_book(client: Client, risk_class: RiskClass | None = None,
                    settings: Settings | None = None) -> LoanBook:
    """Every running loan from visibility, each with its account read from the journey
    (a status query apiece, a few at a time) and its figures on its day (`owed_on`, to the
    LPR fixings recorded in `settings`' database); worst first. All of them, because the
    totals and the non-performing ratio are the whole book's, and visibility lists newest
    first: a cut would leave out the oldest loans, which are where arrears are. With them,
    from the same reads, the projects still drawing as undrawn commitments (those of the
    whole book: none when a class is asked, as a commitment undrawn has no class)."""
    reads = await journey_reads(client, book_query(risk_class))
    return book_of(reads, risk_class, quotes.recorded(settings or Settings()))


async def journey_reads(client: Client, query: str) -> list[tuple[str, JourneyStatus]]:
    """The journeys `query` lists, each with its status (a query apiece, a few at a time),
    by product; those gone since the list was read, and those the server ended outside the
    engine (terminated: `status` says how, `list` shows them), left out."""
    rows = await list_journeys(client, query, limit=None)
    reads = asyncio.Semaphore(BOOK_READS)

    async def read(row: JourneyRow) -> tuple[str, JourneyStatus] | None:
        async with reads:
            try:
                return row.product, await status(client, row.workflow_id)
            except (NotFound, EndedOutside):  # gone, or ended outside the engine
                return None

    return [r for r in await asyncio.gather(*(read(r) for r in rows)) if r is not None]


def book_of(reads: list[tuple[str, JourneyStatus]], risk_class: RiskClass | None,
            fixings: quotes.QuoteFixings) -> LoanBook:
    """The loan book of the journeys read (`journey_reads`): the running loans' lines, of
    `risk_class` when given, and the projects still drawing (the whole book only)."""
    lines = [book_line(s, product, owed_on(s, fixings)) for product, s in reads]
    commitments = ([c for _, s in reads if (c := commitment_line(s)) is not None]
                   if risk_class is None else [])
    return LoanBook(
        lines=worst_first([b for b in lines if b is not None
                           and (risk_class is None or b.risk_class is risk_class)]),
        commitments=sorted(commitments, key=lambda c: (c.available_until, c.workflow_id)))


def queue_query(team: str) -> str:
    """What waits on a team: running journeys whose current stage waits on it."""
    if "'" in team:
        raise BadInput("a team name has no quotes")
    return f"ExecutionStatus = 'Running' AND JourneyTeam = '{team}'"


# SlaState, most urgent first; "ok" and anything else after these
_URGENCY = {"breached": 0, "early_warning": 1, "warned": 2}


def most_urgent_first(rows: list[JourneyRow]) -> list[JourneyRow]:
    """Breached SLAs first, then early warnings, then warned; within each, the journey that
    started first."""
    def urgency(r: JourneyRow) -> tuple[int, datetime, str]:
        return _URGENCY.get(r.sla, len(_URGENCY)), r.started, r.workflow_id

    return sorted(rows, key=urgency)


def queue_clock(now: datetime) -> tuple[datetime, WorkingCalendar]:
    """`now` and the bank's working calendar (China's, this year's and last year's) that a
    queue's waits are counted on (journey/queue_wait.py)."""
    return now, china_calendar(now.date(), 1)


async def waiting_on(client: Client, team: str) -> list[JourneyRow]:
    """Every journey that waits on `team`, most urgent first. Every one: visibility lists
    newest first, so a cut at a page would hide the cases that have waited longest. On an
    approval tier's list, each says why it is at the tier (`tier_reasons`)."""
    rows = most_urgent_first(await list_journeys(client, queue_query(team), limit=None))
    return await tier_reasons(client, rows) if team in set(ApprovalTier) else rows


async def tier_reasons(client: Client, rows: list[JourneyRow]) -> list[JourneyRow]:
    """`rows`, each with why its case is at its approval tier: the amount, or the borrower's
    exposure the route weighed (统一授信) and what its new applications told since it was
    read (`exposure_told`), and the covenants the loan would carry that its
    file already breaches (an approval is then an exception), read from the journey (a status
    query apiece, a few at a time); a journey gone since the list was read keeps its row as
    listed."""
    reads = asyncio.Semaphore(BOOK_READS)

    async def why(row: JourneyRow) -> JourneyRow:
        async with reads:
            try:
                s = await status(client, row.workflow_id)
            except NotFound:
                return row
        return row.model_copy(update={
            "why": "; ".join([s.route.why_tier(), *filter(None, [s.exposure_told])])
                   if s.route else None,
            "breached": [c.detail for c in s.covenants_on_file if c.breached]})

    return list(await asyncio.gather(*(why(r) for r in rows)))


def settlement(s: JourneyStatus, day: date) -> Account:
    """What settles the loan of status `s` early on `day` (journey/loan_payments.py), or, once
    its plan has all fallen due, what clears it that day; a loan that is not running, or a
    day before its payout, is refused (`Ended` for a journey that has ended)."""
    start = _running_loan(s, "settled", day)
    if matured(s, day):  # all due: what clears it that day
        return payoff_quote(s.account, day, s.penalty_rate)
    return settlement_quote(s.account, day, start, s.penalty_rate, s.prepayment_fee)


def paid_ahead_by(s: JourneyStatus, day: date) -> Decimal:
    """The interest the running loan of status `s` has paid ahead today (its account's day)
    on instalments due by `day`: what its settlement quote for a later `day` nets already and
    names as paid ahead (`render.settlement_text`); none for today's quote."""
    if s.account is None:
        return ZERO
    return interest_paid_ahead(s.account, s.today or loan_day(s), day)


def payoff_while_drawing(s: JourneyStatus, day: date | None = None) -> Payoff | None:
    """What settles the project of status `s` on `day` while it still draws (its drawn
    principal, the interest and commitment fee accrued, journey/availability_interest.py),
    quoted for the journey's today only (the loan's day, `day` None), as its figures change
    with each drawdown; None for a journey that is not drawing."""
    position = s.availability_interest
    if s.stage is not Stage.DISBURSEMENT or position is None or position.payoff is None:
        return None
    if day is not None and day != position.payoff.on:
        raise BadInput(f"{s.workflow_id} is still drawing: its payoff is quoted for today, "
                       f"{position.payoff.on}, only (each drawdown changes it); quote that "
                       "day, or another once drawdowns close")
    return position.payoff


def owed_on(s: JourneyStatus, fixings: quotes.QuoteFixings, day: date | None = None
            ) -> OwedFigures | None:
    """What the running loan of status `s` owes on `day` (the day its account is drawn up
    to by default), part by part (journey/owed_figures.py), what settles it that day being
    `settlement`'s quote, after the repricings due by then to `fixings` (starter/quotes.py:
    `SealBroken` when one is to a fixing that fails its seal);
    None for a journey that is not a running loan."""
    day = day or s.today or loan_day(s)
    if s.stage is not Stage.POST_LOAN or s.account is None or day < (
            plan_start(s.offer, s.disbursement) or day):
        return None
    quoted, _ = quotes.repriced_for(s, day, fixings)
    assert quoted.account is not None
    return owed_figures(quoted.account, settlement(quoted, day), day)


def matured(s: JourneyStatus, day: date) -> bool:
    """Whether the plan of the loan of status `s` has all fallen due by `day`: what clears
    it then is a repayment, not an early settlement."""
    return s.account is not None and nothing_to_settle(s.account, day) is not None


def prepayment(
    s: JourneyStatus, amount: Decimal, day: date, shortens: bool = False
) -> Account:
    """The account of status `s` once `amount` prepays part of the loan on `day`, shrinking
    the later instalments or, when it `shortens` the plan, repaying the last ones first
    (journey/payment_allocation.py); with the validator's refusals."""
    if amount <= 0:
        raise BadInput(f"a prepayment of {money(amount)}: the amount must be positive, what the "
                       "customer would pay")
    start = _running_loan(s, "prepaid", day)
    refusal = prepayment_refusal(s.account, amount, day, start, s.prepayment_fee,
                                 s.prepayment_minimum, s.penalty_rate)
    if refusal is not None:
        raise BadInput(refusal)
    return prepayment_quote(s.account, amount, day, start, s.offer.period_rate, s.penalty_rate,
                            s.prepayment_fee, shortens, relevels(s, shortens))


def relevels(s: JourneyStatus, shortens: bool) -> bool:
    """Whether the journey of status `s` re-amortises the plan when a prepayment on it is
    recorded now, as its record_repayment does (workflows/post_loan_handlers.py): one
    that shrinks an equal-instalment plan."""
    return (not shortens and s.offer is not None
            and s.offer.method is RepaymentMethod.EQUAL_INSTALMENT)


def loan_day(s: JourneyStatus, moment: datetime | None = None) -> date:
    """The day `moment` (now when None) falls on by the days of the loan of status `s`: the
    bank's, or UTC for a loan paid out before its days were the bank's."""
    zone = timezone(timedelta(hours=s.days_utc_offset))
    return (moment or datetime.now(UTC)).astimezone(zone).date()


def _running_loan(s: JourneyStatus, what: str, day: date) -> date:
    """The day the plan of the running loan of status `s` begins; refused when not running,
    or when `day`, the day quoted, is before it."""
    start = plan_start(s.offer, s.disbursement)
    position = s.availability_interest
    if s.stage is Stage.DISBURSEMENT and position is not None and position.payoff is not None:
        raise BadInput(
            f"{s.workflow_id} is still drawing: only a running loan can be {what}. While it "
            f"draws, `loan-journey settlement {s.workflow_id}` quotes its payoff today (what it "
            "drew, with the interest and commitment fee accrued), which settles it once the rest "
            f"of its commitment is withdrawn (`loan-journey withdraw {s.workflow_id}`); or "
            "withdraw the undrawn commitment, and once the loan runs on what was drawn, prepay "
            "part of it")
    if s.stage.terminal:  # as an update to it is: `Ended`, exit 3
        how = f", {s.outcome_reason}" if s.outcome_reason else ""
        raise Ended(f"{s.workflow_id} has ended ({s.stage}{how}) and can no longer be {what}: "
                    f"`loan-journey status {s.workflow_id}` shows how it ended")
    if s.stage is not Stage.POST_LOAN or s.account is None or start is None:
        raise BadInput(f"{s.workflow_id} is at {s.stage}: only a running loan can be {what}")
    if day < start:
        raise BadInput(f"{day} is before the payout on {start}: quote a day since then")
    return start

