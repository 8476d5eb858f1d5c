"""The documents each journey used, as its history records them: the authority that `records
verify` and `scans get` hold the journey database's readings (`document_readings`) and the
document store to, since whoever can write the database and the store cannot rewrite it.

A journey reads a document through the one `read_document` activity (workflows/reading.py),
so its history records, for each, the activity's input (the journey and the document: sha256
and file name, as `status` and `history` list them) and its completion (the reading, whose
status says whether the file was there); a post-loan review's readings reach the journey in
the review's own result, read from the server by the activity `confirm_review`
(`result.new_readings`): a run with the marker `reviews-confirmed` or that activity takes
nothing from a review's signal, which anyone may send; a run from before them took a review's
readings from its signal (`new_readings`). A read not completed yet used nothing yet.

Which runs: every journey run on the server on this task queue, and every run the archive
holds. An archived run is read from the archive's copy (checked against its digest and, with
the key, its seal, as `history` reads it; one that fails is read from the server while it
still has it, and otherwise left to `archive verify`, which names it). Cost, per run: one
history fetch from the server (its events, in pages), none for an archived run (its file read
from the store instead); only the payloads of its document reads (two each: input and
reading), of its reviews' signals and results, and of its markers are decoded; the runs are
listed with one visibility call per 1,000, and read `AT_ONCE` at a time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Collection, Sequence
from datetime import datetime
from typing import Any, TypeVar

from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client, WorkflowHistory
from temporalio.converter import DataConverter
from temporalio.service import RPCError, RPCStatusCode

from journey.contracts import READ_DOCUMENT
from journey.documents import DocumentRef
from journey.review_contracts import CONFIRM_REVIEW, REVIEW_SIGNAL
from journey.settings import Settings
from starter import audit, codec
from starter.journey_ids import JOURNEYS
from store import archive, blobs
from store.document_check import Used
from workflows.post_loan_handlers import REVIEWS_CONFIRMED

T = TypeVar("T")
PATCH_MARKER = "core_patch"  # the marker a `workflow.patched` records (the SDK's core)
AT_ONCE = 8  # runs read together: the server's history fetches, not the decoding, take time


async def used(settings: Settings, client: Client | None) -> list[Used]:
    """Every document the journeys' histories say they read: the archive's runs, and with
    `client` the server's runs on this task queue (without: the archive's alone)."""
    return [u for run in await each_history(settings, client, read_in) for u in run]


async def each_history(settings: Settings, client: Client | None,
                       read: Callable[[WorkflowHistory, DataConverter], Awaitable[T]], *,
                       query: str | None = None, closed_since: datetime | None = None,
                       damaged: Callable[[archive.ArchivedRun, Exception], T] | None = None,
                       workflow_ids: Collection[str] | None = None) -> list[T]:
    """`read` of each run's history, as `used` reads them: the archive's runs (from its
    copy; closed since `closed_since` when given; of `workflow_ids` alone when given), and
    with `client` the server's runs on this task queue (or those `query` lists); a run gone
    since listed is left out, and so is one whose archived copy fails its checks and that
    the server no longer has, unless `damaged` says what it is then."""
    archived = {(r.workflow_id, r.run_id): r for r in archive.runs_of(settings.db_url)
                if (closed_since is None or r.closed_at >= closed_since)
                and (workflow_ids is None or r.workflow_id in workflow_ids)}
    served: list[tuple[str, str]] = []
    if client is not None:
        query = query or f"{JOURNEYS} AND TaskQueue = '{settings.task_queue}'"
        served = [(wf.id, wf.run_id) async for wf in client.list_workflows(query)]
    runs, on_server = list(dict.fromkeys([*archived, *served])), set(served)
    converter = client.data_converter if client is not None else codec.data_converter(settings)
    gate = asyncio.Semaphore(AT_ONCE)

    async def of_run(workflow_id: str, run_id: str) -> list[T]:
        async with gate:
            history = _archived(settings, archived.get((workflow_id, run_id)))
            if not isinstance(history, WorkflowHistory):
                if client is None or (workflow_id, run_id) not in on_server:
                    failed = archived.get((workflow_id, run_id))
                    return ([damaged(failed, history)] if damaged and failed and history
                            else [])
                try:
                    history = await audit.fetch_history(client, workflow_id, run_id)
                except RPCError as err:  # gone since listed (its retention ran out)
                    if err.status is not RPCStatusCode.NOT_FOUND:
                        raise
                    return []
            return [await read(history, converter)]

    found = await asyncio.gather(*(of_run(wf, run) for wf, run in runs))
    return [r for run in found for r in run]


def _archived(settings: Settings, run: archive.ArchivedRun | None
              ) -> WorkflowHistory | archive.ArchiveDamaged | None:
    """The archive's copy of `run`; None when it has none, why when it fails its checks."""
    if run is None:
        return None
    try:
        text = archive.history_json(blobs.DocumentStore.of(settings), run,
                                    settings.archive_seal_key)
    except archive.ArchiveDamaged as err:
        return err
    return WorkflowHistory.from_json(run.workflow_id, text)


async def read_in(history: WorkflowHistory, converter: DataConverter) -> list[Used]:
    """The documents one run's history says its journey read, in the order read."""
    run_id = audit.run_id(history)
    scheduled: dict[int, Any] = {}
    confirming: set[int] = set()
    found: list[tuple[bool, Used]] = []  # (from a signal, what was used)
    confirmed = False  # the run takes reviews from their own results (REVIEWS_CONFIRMED)

    def reviewed(result: dict[str, Any], signalled: bool) -> list[tuple[bool, Used]]:
        return [(signalled, Used(workflow_id=history.workflow_id,
                                 ref=DocumentRef.model_validate(r["ref"]),
                                 status=str(r.get("status", "")), run_id=run_id))
                for r in result.get("new_readings") or ()]

    for event in history.events:
        kind = event.WhichOneof("attributes")
        if kind == "activity_task_scheduled_event_attributes":
            attrs = event.activity_task_scheduled_event_attributes
            if attrs.activity_type.name == READ_DOCUMENT:
                scheduled[event.event_id] = attrs.input
            elif attrs.activity_type.name == CONFIRM_REVIEW:
                confirming.add(event.event_id)
                confirmed = True
        elif kind == "activity_task_completed_event_attributes":
            done = event.activity_task_completed_event_attributes
            if (asked := scheduled.pop(done.scheduled_event_id, None)) is not None:
                request = await first_payload(converter, asked)
                reading = await first_payload(converter, done.result)
                if "workflow_id" in request and "ref" in request:
                    found.append((False, Used(workflow_id=request["workflow_id"],
                                              ref=DocumentRef.model_validate(request["ref"]),
                                              status=str(reading.get("status", "")),
                                              run_id=run_id)))
            elif done.scheduled_event_id in confirming:
                answer = await first_payload(converter, done.result)
                found += reviewed(answer.get("result") or {}, signalled=False)
        elif kind == "marker_recorded_event_attributes":
            confirmed = confirmed or await _patched(converter, event, REVIEWS_CONFIRMED)
        elif _review_signal(event):
            found += reviewed(await first_payload(
                converter, event.workflow_execution_signaled_event_attributes.input),
                signalled=True)
    return [used for signalled, used in found if not (signalled and confirmed)]


async def _patched(converter: DataConverter, event: HistoryEvent, patch: str) -> bool:
    """Whether `event`, a marker, is the `workflow.patched(patch)` of the run's code."""
    marker = event.marker_recorded_event_attributes
    if marker.marker_name != PATCH_MARKER or "patch-data" not in marker.details:
        return False
    return (await first_payload(converter, marker.details["patch-data"])).get("id") == patch


def _review_signal(event: HistoryEvent) -> bool:
    return (event.WhichOneof("attributes") == "workflow_execution_signaled_event_attributes"
            and event.workflow_execution_signaled_event_attributes.signal_name == REVIEW_SIGNAL)


async def first_payload(converter: DataConverter, payloads: Any) -> dict[str, Any]:
    """The first of `payloads` decoded, when it is an object (a model's fields); else {}."""
    values: Sequence[Any] = await converter.decode(list(payloads.payloads))
    return values[0] if values and isinstance(values[0], dict) else {}
