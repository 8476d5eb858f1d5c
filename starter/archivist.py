"""The history archivist's schedule (one pass an hour, journey/archive_contracts.py, or one
now, asked by `archive run`) and the archived histories as the audit commands read them.

The library the `loan-journey archive` and `history` commands call; the pass itself is
activities/archive.py's, which the scheduled HistoryArchivistWorkflow runs too.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleIntervalSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleSpec,
)
from temporalio.service import RPCError, RPCStatusCode

from journey import archive_contracts as ac
from journey.settings import Settings
from starter import encryption
from starter.errors import JourneyError, KeysNeeded
from starter.records import key_needed
from store import archive, blob_cipher, blobs


async def schedule(client: Client, task_queue: str) -> bool:
    """Create the archivist's schedule; False when it exists already (left as it is). Its
    input is a payload: a client that may not write to the namespace creates nothing
    (starter/encryption.py `writes_allowed`: `CodecError`)."""
    await encryption.writes_allowed(client, f"{ac.SCHEDULE_ID} not created")
    action = ScheduleActionStartWorkflow(
        ac.ARCHIVIST_WORKFLOW,
        ac.ArchivePassInput(),
        id=ac.SCHEDULE_ID,  # the schedule appends the fire time
        task_queue=task_queue,
        execution_timeout=timedelta(hours=2),
    )
    every = Schedule(
        action=action,
        spec=ScheduleSpec(intervals=[ScheduleIntervalSpec(every=ac.EVERY)]),
        # a pass that runs long is not doubled; one missed while the cluster was down runs
        # when it is back, as the next pass would take its runs anyway
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP, catchup_window=ac.EVERY),
    )
    try:
        await client.create_schedule(ac.SCHEDULE_ID, every)
    except ScheduleAlreadyRunningError:
        return False
    return True


async def pass_now(client: Client) -> bool:
    """Have the archivist's schedule start a pass now (after the one running, if one is), on
    a worker: it anchors the sealed chains' heads in its history, the rows `archive run` just
    sealed among them, which `archive run` itself cannot (its result is in no history).
    False when there is no schedule to ask."""
    try:
        await client.get_schedule_handle(ac.SCHEDULE_ID).trigger(
            overlap=ScheduleOverlapPolicy.BUFFER_ONE)
    except RPCError as err:
        if err.status is not RPCStatusCode.NOT_FOUND:
            raise
        return False
    return True


def archived_text(settings: Settings, run: archive.ArchivedRun) -> str:
    """The history the archive holds for `run`, as it was archived (`history --json`); a blob
    that fails its digest is an error that says which file to restore, and a seal that fails
    because the key set here is not the one the archive was sealed with says so (KeysNeeded),
    as `archive verify` does; one encrypted with a document key not set here says which
    (KeysNeeded)."""
    try:
        return archive.history_json(blobs.DocumentStore.of(settings), run,
                                    settings.archive_seal_key)
    except blob_cipher.DocumentKeysMissing as err:
        raise KeysNeeded(str(err)) from None
    except archive.ArchiveDamaged as damaged:
        key_matches(settings)  # only then: it reads every seal
        raise JourneyError(str(damaged)) from damaged


def key_matches(settings: Settings) -> None:
    """A key set here that is not the one the archive's runs were sealed with (no sealed
    run's seal matches it): KeysNeeded, as the commands that seal say it, rather than every
    sealed run read reported changed."""
    if settings.archive_seal_key is not None:
        with key_needed(settings):
            archive.key_checked(settings.db_url, settings.archive_seal_key, archive.NONE_CHECKED)
