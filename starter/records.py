"""The bank's own records made tamper-evident, for the command line and other programs.

The LPR fixings with their corrections, the refused attempts, the pending instructions, the
money returned to its payers, the ledger's bookings, the borrowers' credit exposures, the
outbox's notices, the stage events, the document readings and the policies the workers
recorded are sealed as they are written with the archive key
(store/seals.py);
`verify` checks them against their seals (store/seal_check.py says what each finding
means), and `seal` has a supervisor seal the rows kept before the key was set, once checked
against a backup; `verify` also compares each chain with the head the archivist's last pass
anchored in its history on the server (activities/anchors.py), which names the newest rows
deleted. It checks the stage events by their numbering too, and against the events the
journeys' histories say were written (starter/history_timing.py: `rebuild_events` writes those
the database lacks), and the document store, which is not sealed, by its blobs' digests and
against the documents the journeys' histories say they read, and the policies the workers
recorded by their texts' digests too (store/policy_check.py). Without the key, nothing is checked
and no sealed record is written: `KeysNeeded` (exit 8) names the setting; so it does,
nothing written, for a key that is not the one the records were sealed with.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from temporalio.client import Client, WorkflowHistory
from temporalio.converter import DataConverter

from activities import anchors
from journey.actors import Actor, Role
from journey.settings import Settings
from journey.touchpoints import LATE_FEEDBACK_WORKFLOW, late_touchpoints_id
from starter import changed_fields, documents_used, history_timing
from starter.connect import connect
from starter.errors import BadInput, KeysNeeded, NotFound, SealBroken, SetupError
from starter.history_cross_check import CrossChecked, cross_check, histories_check
from starter.history_timing import HeldToHistory
from starter.history_told import Reset, resets_in
from starter.journey_ids import JOURNEYS, meant
from starter.pinned_policy import authorized
from store import (
    blobs,
    chain_anchors,
    document_check,
    journey_sealed,
    reset_acknowledgements,
    seal_check,
    seal_findings,
    seal_key,
    sealed_records,
    unsealed_rows,
)
from store.chain_anchors import Anchored
from store.document_check import Used
from store.journey_sealed import Vouched
from store.models import StageEventRow
from store.refusals import origin
from store.reset_acknowledgements import ResetAcknowledged
from store.sealed_records import ACKNOWLEDGED, POLICIES, STAGED
from store.seals import KEY_SETTING, KeyRequired, sealed_in
from store.timing import record_new_events

SEALERS = {Role.SUPERVISOR}
RECORDS = "records"  # what a refused attempt to seal them is kept under
ACKNOWLEDGE_RESET = "records acknowledge-reset"  # a refused acknowledgement's action


@contextmanager
def key_needed(settings: Settings, *chains: sealed_records.SealedRecords) -> Iterator[None]:
    """A store's `KeyRequired` as the command line's `KeysNeeded`: nothing was written; and a
    key set here that is not the one `chains` were sealed with refused before anything is
    (`WrongKey`)."""
    try:
        if settings.archive_seal_key is not None:
            for chain in chains:
                seal_key.key_confirmed(settings.db_url, settings.archive_seal_key, chain)
        yield
    except KeyRequired as err:
        raise KeysNeeded(str(err)) from None


def _key(settings: Settings, to: str) -> bytes:
    if settings.archive_seal_key is None:
        raise KeysNeeded(f"set {KEY_SETTING} (the archive key, 16+ characters) to {to}")
    return settings.archive_seal_key


@dataclass
class Verified:
    checks: list[seal_findings.RecordsCheck]
    anchored: Anchored | None  # the anchor compared with; None: none yet, or offline
    offline: bool = False


async def verify(settings: Settings, client: Client | None = None, offline: bool = False
                 ) -> Verified:
    """Each chain of the bank's records checked against its seals, then against its anchor
    on the server (the newest rows' deletion, store/chain_anchors.py) unless `offline`: a
    server that cannot be reached is a SetupError that says so (the stage events' chain
    checks their numbering too: store/stage_event_check.py, and the journeys' histories name
    the events it lacks: starter/history_timing.py). Then the unsealed: the document
    store's blobs by their digests and against the documents the journeys' histories say they
    read (the archive's copies alone when `offline`: store/document_check.py,
    starter/documents_used.py). The recorded policies' chain checks each one's text by its
    sha256 too (store/policy_check.py). A journey's row that fails its seal is told what changed in
    it, where its history or the rows sealed beside it say (starter/changed_fields.py)."""
    key = _key(settings, "check the records' seals")
    server = None if offline else client or await _server(settings)
    anchored = None if server is None else await anchors.latest(server, settings.task_queue)
    checks = seal_check.check(settings.db_url, key)
    if anchored is not None:
        chain_anchors.compared(settings.db_url, checks, anchored)

    async def read(history: WorkflowHistory, converter: DataConverter
                   ) -> tuple[list[Used], CrossChecked, list[tuple[str, int]]]:
        return (await documents_used.read_in(history, converter),
                await cross_check(settings.db_url, key, history, converter),
                await history_timing.numbers_in(history, converter))

    found = await documents_used.each_history(settings, server, read)
    used = [u for of_run, _, _ in found for u in of_run]
    changed_fields.with_facts(checks, [crossed.changed for _, crossed, _ in found])
    staged = next(c for c in checks if c.records == STAGED.records)
    late = await documents_used.each_history(  # the archived ones are among `found`
        settings, server, history_timing.numbers_in, query=history_timing.late_runs(settings),
        workflow_ids=())
    staged.findings += await asyncio.to_thread(
        history_timing.lacking_findings, settings.db_url,
        [number for _, _, told in found for number in told]
        + [number for told in late for number in told])
    checks.append(document_check.check(settings.db_url, blobs.DocumentStore.of(settings),
                                        used))
    checks.append(histories_check([crossed for _, crossed, _ in found]))
    return Verified(checks, anchored, offline)


async def _server(settings: Settings) -> Client:
    try:
        return await connect(settings)
    except KeysNeeded:  # the codec keys, not the server: --offline would not help
        raise
    except SetupError as err:
        raise SetupError(f"{err}; `loan-journey records verify --offline` checks the seals "
                         "without the chains' anchor, blind to their newest rows' "
                         "deletion") from err


def seal(settings: Settings, actor: Actor) -> list[unsealed_rows.Sealed]:
    """Seal the records kept unsealed before sealing began, by a supervisor who checked them
    against a backup; those sealed, and those inserted since (left unsealed), by chain."""
    authorized(settings, actor, SEALERS, "the records not sealed", (RECORDS, "records seal"))
    with key_needed(settings):
        return unsealed_rows.seal_unsealed(settings.db_url, _key(settings, "seal the records"))


@dataclass(frozen=True)
class ResetTold:
    reset: Reset
    acknowledged: bool  # False: acknowledged before (by the row kept then)


async def acknowledge_reset(settings: Settings, actor: Actor, journey: str, why: str,
                            run_id: str | None = None, client: Client | None = None
                            ) -> list[ResetTold]:
    """Keep a supervisor's acknowledgement of `journey`'s resets on the Temporal server (of
    the run `run_id` made, or of the journey's one reset), sealed: the bank made them, checked
    with whoever did (`why`). From then on `records verify` holds the stage exits each threw
    away to the run it was reset from, not to the run it made (starter/history_cross_check.py).
    `KeysNeeded` without the archive key or with another one than the records were sealed
    with, `Refused` for one who may not, `BadInput` without `why` or when `run_id` is needed,
    `NotFound` for a journey with no run, on the server or in the archive, or none reset (or
    made by a reset as `run_id`), `SealBroken` where the acknowledgement kept of a reset
    fails its seal (nothing acknowledged)."""
    key = _key(settings, "acknowledge a reset")
    with key_needed(settings, ACKNOWLEDGED, POLICIES):
        authorized(settings, actor, SEALERS, "no reset acknowledged",
                   (journey, ACKNOWLEDGE_RESET))
        if not why.strip():
            raise BadInput("say why the reset is the bank's (--why: what was checked, with "
                           "whom); nothing acknowledged")
        named = await _resets_named(settings, client or await connect(settings), journey,
                                    run_id)
        kept = {(h.row.run_id, h.row.reset_event_id): h for h in await asyncio.to_thread(
            journey_sealed.acknowledgements, settings.db_url, key, journey)}
        for r in named:
            if (held := kept.get((r.run_id, r.event_id))) is not None and (
                    held.vouched is not Vouched.SEALED):
                raise SealBroken(f"{held.name} {held.vouched.value}: restore it from a backup "
                                 "(`loan-journey records verify` names it under reset "
                                 "acknowledgements); nothing acknowledged")
        now = datetime.now(UTC)
        return [ResetTold(r, reset_acknowledgements.acknowledge(
            settings.db_url, ResetAcknowledged(
                workflow_id=journey, run_id=r.run_id, reset_event_id=r.event_id,
                base_run_id=r.base_run_id, reset_at=r.at, reset_by=r.by,
                reset_reason=r.reason, acknowledged_by=actor.id, role=actor.role.value,
                why=why, acknowledged_at=now, origin=origin()), key)) for r in named]


async def _resets_named(settings: Settings, server: Client, journey: str,
                        run_id: str | None) -> list[Reset]:
    """`journey`'s resets, on the server and in the archive, of the run `run_id` made, or
    all of them while they made one run; NotFound, BadInput (several runs, `run_id` None)."""
    async def read(history: WorkflowHistory, _: DataConverter) -> list[Reset]:
        return resets_in(history)

    told_runs = await documents_used.each_history(
        settings, server, read, workflow_ids=[journey],
        query=f"WorkflowId = '{_listable(journey)}'")
    if not told_runs:
        raise await meant(server, journey, NotFound(
            f"{journey}: no run of it on the Temporal server nor in the archive: check the "
            "journey id (`loan-journey list`)"))
    resets = list({(r.run_id, r.event_id): r for run in told_runs for r in run}.values())
    named = [r for r in resets if run_id in (None, r.run_id)]
    if not named:
        which = "was reset" if run_id is None else f"{run_id} was made by a reset"
        raise NotFound(f"{journey}: no run {which} on the Temporal server nor in the archive: "
                       "nothing to acknowledge (`loan-journey records verify` names each run "
                       "a reset made, and `loan-journey history` each reset)")
    if run_id is None and len({r.run_id for r in named}) > 1:
        runs = "; ".join(f"{r.run_id}: {r.said(journey)}" for r in named)
        raise BadInput(f"{journey} was reset more than once: name the run the reset made "
                       f"(--run, one of these: {runs}); nothing acknowledged")
    return named


async def rebuild_events(settings: Settings, journey: str | None, *, dry_run: bool = False,
                         client: Client | None = None) -> list[HeldToHistory]:
    """The timing events `journey`'s runs' histories (every journey's on this task queue and
    in the archive when None) say were written and the journey database lacks, written
    through the workers' own path (store/timing.py: idempotent by journey and number, sealed
    with the archive key where the stage events are sealed), unless `dry_run`; a row that is
    there is never changed: one that differs from its history is named, left to `records
    verify`. Each journey with something lacking or differing; NotFound for a `journey` with
    no run on the server nor in the archive."""
    if journey is not None:
        _listable(journey)
    server = client or await connect(settings)
    ids = None if journey is None else [journey, late_touchpoints_id(journey)]
    runs = (f"(WorkflowId = '{journey}' OR WorkflowId = '{late_touchpoints_id(journey)}')"
            if journey is not None else
            f"({JOURNEYS} OR WorkflowType = '{LATE_FEEDBACK_WORKFLOW}')")
    told = await documents_used.each_history(
        settings, server, history_timing.timing_in, workflow_ids=ids,
        query=f"{runs} AND TaskQueue = '{settings.task_queue}'")
    if journey is not None and not told:
        raise await meant(server, journey, NotFound(
            f"{journey}: no run of it on task queue {settings.task_queue} on the server nor "
            "in the archive: check the journey id (`loan-journey list`)"))
    found = await asyncio.to_thread(history_timing.held, settings.db_url,
                                    [e for run in told for e in run],
                                    None if journey is None else [journey])
    lacking = [e for j in found for e in j.lacking]
    if lacking and not dry_run:
        with key_needed(settings, STAGED):
            _refuse_unkeyed(settings)
            fresh = {(e.workflow_id, e.sequence) for e in
                     record_new_events(settings.db_url, lacking, settings.archive_seal_key)}
        for j in found:  # a worker writing the same event meanwhile wrote it: not counted
            j.lacking = [e for e in j.lacking if (e.workflow_id, e.sequence) in fresh]
    return found


def _listable(journey: str) -> str:
    """`journey`, which a list query can name; BadInput for one that holds a quote or a
    backslash."""
    if "'" in journey or "\\" in journey:
        raise BadInput(f"{journey!r} is no journey id: it holds a quote or a backslash")
    return journey


def _refuse_unkeyed(settings: Settings) -> None:
    """KeyRequired without the key when the stage events are sealed: an event rebuilt
    unsealed among them would be one nobody vouches for (`records verify`: INSERTED)."""
    if settings.archive_seal_key is None and sealed_in(settings.db_url, StageEventRow.seal):
        raise KeyRequired(f"the stage events are sealed: set {KEY_SETTING} to rebuild them; "
                          "nothing written")
