"""An application becoming a journey: read it, store its documents, and start its journey once
the policy the worker pins lets it (`start`); refused, before anything reaches a history, with
what to do."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from activities.exposure import held_by_another, holders_of, kept_and_told
from journey.application import LoanApplication
from journey.credit_code import is_valid
from journey.documents import DocumentRef
from journey.exposure import KeepExposureInput
from journey.policy import WorkingCalendar
from journey.policy.authority import FRONT_OFFICE
from journey.pricing import agreed_on
from journey.settings import Settings
from journey.settlement import settlement_refusal
from journey.status import JourneyInput
from starter import codec, encryption, quotes
from starter.connect import connect
from starter.errors import BadInput, SealBroken, plain_errors
from starter.journey_ids import journey_id
from starter.operations import no_such_workflow
from starter.pinned_policy import authorized, current_policy
from starter.renamed_from import rename_declared
from starter.start_checks import document_store_ready
from store import archive, blobs, code_names
from store.archive import ArchivedRun
from store.exposure_vouched import ExposureSealBroken
from store.seal_key import sealing_key
from store.sealed_records import NAMED
from workflows.loan_journey import LoanJourneyWorkflow

MAX_DOCUMENT_BYTES = 30 * 1024 * 1024


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
    two names) is refused: it is one document. A document store that cannot take them is a
    SetupError (`document_store_ready`), as it is for a worker."""
    from ocr import OcrError, split_pages  # here: opencv loads only for commands with files

    if paths:
        document_store_ready(settings)
    store = blobs.DocumentStore.of(settings)
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
            ref = blobs.put(store, page, name)
            if (first := named.get(ref.sha256)) is not None:
                raise BadInput(f"{path}{of} is the same document as {first}: give each "
                               "document once")
            named[ref.sha256] = f"{path}{of}"
            refs.append(ref)
    return refs


async def start_journey(
    client: Client | None, settings: Settings, application: LoanApplication, *,
    renamed_from: str | None = None,
) -> WorkflowHandle[Any, Any]:
    """Start the journey of `application`, submitted by a relationship manager or operations
    of the staff directory (the policy the worker pins: the settings' file or the default),
    for at least the policy's minimum amount of its product and at most its longest term, at
    an agreed rate (if any) within the policy's floor and ceiling over the LPR fixing in force
    today (the policy's base rate without one; `SealBroken` when that fixing fails its seal),
    or refused before anything reaches a history: the four-eyes rules hold the submitter.
    Without a `client`, the settings' server is reached only once the application passed
    those checks; then a credit code the bank holds for another company (a business licence
    read, a live application) is refused: mistyped, it would count in that company's
    exposure; unless the applicant is that company renamed, `renamed_from` its name the bank
    holds the code under (starter/renamed_from.py): the rename is recorded as the journey
    starts, declared by its submitter."""
    not_started = f"application {application.application_id} not started"
    authorized(settings, application.submitted_by, FRONT_OFFICE, not_started,
               (journey_id(application.application_id), "start"))
    policy = current_policy(settings)
    refusals = policy.code_refusals(application)
    if too_long := policy.term_refusal(application):
        refusals.insert(0, too_long)
    if too_small := policy.amount_refusal(application):
        refusals.insert(0, too_small)
    # here, with the pinned policy that says whether the borrower is paid at all (受托支付),
    # and before a history: the workflow takes the application as given, old ones without it
    if no_account := settlement_refusal(application, policy.entrusted_over(application.product)):
        refusals.append(no_account)
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
    workflow_id = journey_id(application.application_id)
    code = application.credit_code
    try:  # the code's lines checked against their seals, as the journeys' reads are
        holders = await holders_of(client, settings.db_url, code, settings.archive_seal_key)
    except ExposureSealBroken as err:
        raise SealBroken(f"{not_started}: {err}") from None
    known = await asyncio.to_thread(code_names.renames_of, settings.db_url, code)
    renamed = None if renamed_from is None else rename_declared(
        application, renamed_from, holders, known, workflow_id, not_started)
    if held := held_by_another(code, application.applicant_name, holders,
                               known + ([renamed] if renamed is not None else [])):
        said, holder, name = *held, application.applicant_name
        raise BadInput(f"{not_started}: {said}; check the code against {name}'s business "
                       f"licence and correct the application (started, it would count in "
                       f"{holder}'s exposure, 统一授信); if the applicant is {holder}, correct "
                       f"its name; if {holder} renamed to {name}, start again with "
                       f"--renamed-from '{holder}'")
    # a journey the server deleted after its retention is still in the archive
    if archived := await asyncio.to_thread(archive.runs_of, settings.db_url, workflow_id):
        raise await _already_started(client, application.application_id, archived)
    # sealed where the key is the renames' (store/code_names.py)
    name_key = None if renamed is None else await asyncio.to_thread(
        sealing_key, settings.db_url, settings.archive_seal_key, NAMED)
    if renamed is not None:  # before the start: its intake finds the code held for it
        await asyncio.to_thread(code_names.declare, settings.db_url, renamed, name_key)
    try:
        handle = await client.start_workflow(
            LoanJourneyWorkflow.run,
            JourneyInput(application=(coded := policy.coded(application))),
            id=workflow_id,
            task_queue=settings.task_queue,
            # an application id is used once: a closed journey's id starting again would
            # hide its history behind the new one's (continue-as-new is no new start)
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
        )
        codec.started(client, handle.id)
    except BaseException as err:
        if renamed is not None:  # no journey started with it: not the bank's record
            await asyncio.to_thread(code_names.withdraw, settings.db_url, renamed, name_key)
        if isinstance(err, WorkflowAlreadyStartedError) or (
                isinstance(err, RPCError) and err.status is RPCStatusCode.ALREADY_EXISTS):
            raise await _already_started(client, application.application_id) from err
        raise
    # the borrower's exposure counts it from now, not once a worker runs its intake: an
    # approval of the borrower settling before that (a vote kept while no worker ran) is told
    # with whose it is: the applicant, and who submitted it (a relationship manager or
    # operations)
    await kept_and_told(client, settings.db_url, KeepExposureInput(
        workflow_id=handle.id, credit_code=coded.credit_code, amount=coded.amount,
        applicant_name=coded.applicant_name,
        submitted_by=application.submitted_by),
        settings.archive_seal_key)
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
    if last.status is WorkflowExecutionStatus.RUNNING and stage == "-":
        where = ("is not opened yet: no worker has taken it (`loan-journey worker`, "
                 "`loan-journey up`)")
    elif last.status is WorkflowExecutionStatus.RUNNING:
        where = f"is at {stage}"
    elif last.status is WorkflowExecutionStatus.COMPLETED:
        where = f"is {stage}"
    else:
        ended = last.status.name.lower() if last.status else "ended"
        where = f"was {ended} at {stage}"
    day = WorkingCalendar().day_of(first.start_time)  # the bank's day
    return BadInput(f"application {application_id} was already started on {day} and {where}: "
                    f"{own_id}")
