"""The archivist's pass: every closed run of the journey's task queue, history into the archive.

Also what `loan-journey archive run` calls, outside any worker. Reads from Temporal (the
worker's own client in the activity) and writes the store from a thread.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from temporalio import activity
from temporalio.client import Client, WorkflowExecution, WorkflowHistory
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from activities.metrics import observe_archive_pass
from journey import archive_contracts as ac
from journey.settings import Settings
from starter import audit
from starter.ended_outside import ENDED_OUTSIDE, outside_end
from starter.history_cross_check import cross_check
from store import archive, blobs
from store.ended_outside import open_spans, record_outside_end
from store.seal_key import sealing_key
from store.sealed_records import STAGED

log = logging.getLogger(__name__)


def closed_runs_query(task_queue: str, since: datetime | None) -> str:
    """Closed runs of the journey's workflows (not the archivist's own) on `task_queue`."""
    query = (
        f"ExecutionStatus != 'Running' AND TaskQueue = '{task_queue}' "
        f"AND WorkflowType != '{ac.ARCHIVIST_WORKFLOW}'"
    )
    if since is not None:
        query += f" AND CloseTime >= '{since.astimezone(UTC).isoformat()}'"
    return query


def ended_outside_query(task_queue: str) -> str:
    """Runs on `task_queue` the server ended (terminated, ...), whenever they closed within the
    retention: few, so each pass lists them all, and one that closed before the last pass
    (or before its end was recorded by passes) has its end recorded too."""
    statuses = ", ".join(f"'{s.name.title().replace('_', '')}'" for s in ENDED_OUTSIDE)
    return (f"ExecutionStatus IN ({statuses}) AND TaskQueue = '{task_queue}' "
            f"AND WorkflowType != '{ac.ARCHIVIST_WORKFLOW}'")


async def archive_closed_runs(
    client: Client, settings: Settings, overlap: timedelta, beat: Callable[[], None] = lambda: None
) -> ac.ArchivePassResult:
    """Archive the history of each closed run the archive does not hold yet, listed from a
    little before the last complete pass started; `beat` for each run listed. KeyRequired,
    nothing archived, without the archive key once the archive holds sealed runs, and
    WrongKey with a key that is not the one they were sealed with."""
    url, store = settings.db_url, blobs.DocumentStore.of(settings)
    started = datetime.now(UTC)
    await asyncio.to_thread(archive.key_checked, url, settings.archive_seal_key)
    last = await asyncio.to_thread(archive.last_pass_started, url)
    since = last - overlap if last is not None else None
    archived = held = gone = ended = 0
    kept_out: list[str] = []
    async for run in client.list_workflows(closed_runs_query(settings.task_queue, since)):
        beat()
        if await asyncio.to_thread(archive.archived_ids, url, [(run.id, run.run_id or "")]):
            held += 1
            continue
        try:
            history = await audit.fetch_history(client, run.id, run.run_id)
        except RPCError as err:
            if err.status is not RPCStatusCode.NOT_FOUND:
                raise
            log.warning("%s run %s was deleted before it was archived: archive more often "
                        "than the namespace's retention", run.id, run.run_id)
            gone += 1
            continue
        disagrees = await _disagrees(client, settings, history)
        if disagrees:
            log.error("%s: not archived, its history disagrees with the bank's sealed records",
                      disagrees)
            kept_out.append(disagrees)
            continue
        if await asyncio.to_thread(_keep, url, store, run, audit.history_json(history),
                                   len(history.events), settings.archive_seal_key):
            archived += 1
    async for run in client.list_workflows(ended_outside_query(settings.task_queue)):
        beat()
        ended += await _ended_outside(client, url, run, settings.archive_seal_key)
    done = ac.ArchivePassResult(archived=archived, held=held, gone=gone, closed_since=since,
                                ended_outside=ended, kept_out=kept_out)
    if not kept_out:  # else the next pass lists them again, as after a pass cut short
        await asyncio.to_thread(archive.record_pass, url, started, datetime.now(UTC), done)
    return done


async def _disagrees(client: Client, settings: Settings, history: WorkflowHistory) -> str:
    """What of `history` disagrees with the bank's sealed records, as one line naming its run
    ("" when nothing does, or without the archive key: no seal vouches for them then)."""
    key = settings.archive_seal_key
    if key is None:
        return ""
    checked = await cross_check(settings.db_url, key, history, client.data_converter)
    if checked.agrees:
        return ""
    return f"{checked.workflow_id} run {checked.run_id}: {'; '.join(checked.differs)}"


async def _ended_outside(client: Client, url: str, run: WorkflowExecution, key: bytes | None
                         ) -> int:
    """For a journey the server ended (terminated, cancelled, timed out, failed: `run`) whose
    store still has a stage open, and whose last run `run` is: its end, recorded in the store at the
    server's close time (store/ended_outside.py), sealed with `key` where it is the stage
    events' (as a worker seals them); how many spans that closed. A run reset
    away (terminated, a newer run going on) ends nothing, nor one deleted meanwhile."""
    if not await asyncio.to_thread(open_spans, url, run.id):
        return 0
    handle = client.get_workflow_handle(run.id)
    try:
        end = await outside_end(handle, await handle.describe())
    except RPCError as err:
        if err.status is not RPCStatusCode.NOT_FOUND:
            raise
        return 0
    if end is None or end.run_id != run.run_id:
        return 0
    said = f"{end.how} on the Temporal server" + (f": {end.why}" if end.why else "")
    key = await asyncio.to_thread(sealing_key, url, key, STAGED)
    return await asyncio.to_thread(record_outside_end, url, run.id, end.at, said, end.by, key)


def _keep(url: str, store: blobs.DocumentStore, run: WorkflowExecution, text: str, events: int,
          key: bytes | None) -> bool:
    assert run.status is not None and run.close_time is not None  # a closed run has both
    closed = archive.ClosedRun(
        workflow_id=run.id, run_id=run.run_id or "", workflow_type=run.workflow_type,
        status=run.status.name.lower(), closed_at=run.close_time, events=events,
    )
    return archive.keep(url, store, closed, text, datetime.now(UTC), key)


class ArchiveActivities:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    @activity.defn(name=ac.ARCHIVE_CLOSED_RUNS)
    async def archive_closed_runs(self, request: ac.ArchivePassInput) -> ac.ArchivePassResult:
        try:
            done = await archive_closed_runs(
                activity.client(), self._settings, timedelta(seconds=request.overlap_seconds),
                activity.heartbeat,
            )
        except archive.KeyRequired as err:  # the next hour's pass asks again, not each minute
            # KeyRequired, or WrongKey: the worker's key is not the one the archive was sealed
            # with; the operator's to set, which no retry of this pass would do
            raise ApplicationError(str(err), type=type(err).__name__,
                                   non_retryable=True) from None
        observe_archive_pass(done, datetime.now(UTC))  # for the archive's alerts
        return done
