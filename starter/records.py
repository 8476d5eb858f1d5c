"""The bank's own records made tamper-evident, for the command line and other programs.

The LPR fixings with their corrections, the refused attempts, the pending instructions, the
money returned to its payers, the ledger's bookings, the borrowers' credit exposures, the
outbox's notices, the stage events and the document readings are sealed as they are written
with the archive key
(store/seals.py);
`verify` checks them against their seals (store/seal_check.py says what each finding
means), and `seal` has a supervisor seal the rows kept before the key was set, once checked
against a backup; `verify` also compares each chain with the head the archivist's last pass
anchored in its history on the server (activities/anchors.py), which names the newest rows
deleted. It checks the stage events by their numbering too, and the document store, which is
not sealed, by its blobs' digests and against the documents the journeys' histories say they
read, and the policies the workers recorded by their texts' digests (store/policy_check.py).
Without the key, nothing is checked and no sealed
record is written: `KeysNeeded` (exit 8) names the setting; so it does, nothing written, for a
key that is not the one the records were sealed with.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from temporalio.client import Client, WorkflowHistory
from temporalio.converter import DataConverter

from activities import anchors
from journey.actors import Actor, Role
from journey.settings import Settings
from starter import changed_fields, documents_used
from starter.connect import connect
from starter.errors import KeysNeeded, SetupError
from starter.history_cross_check import CrossChecked, cross_check, histories_check
from starter.pinned_policy import authorized
from store import (
    blobs,
    chain_anchors,
    document_check,
    policy_check,
    seal_check,
    seal_findings,
    seal_key,
    sealed_records,
    unsealed_rows,
)
from store.chain_anchors import Anchored
from store.document_check import Used
from store.seals import KEY_SETTING, KeyRequired

SEALERS = {Role.SUPERVISOR}
RECORDS = "records"  # what a refused attempt to seal them is kept under


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
    checks their numbering too: store/stage_event_check.py). Then the unsealed: the document
    store's blobs by their digests and against the documents the journeys' histories say they
    read (the archive's copies alone when `offline`: store/document_check.py,
    starter/documents_used.py), and each recorded policy's text by its sha256
    (store/policy_check.py). A journey's row that fails its seal is told what changed in
    it, where its history or the rows sealed beside it say (starter/changed_fields.py)."""
    key = _key(settings, "check the records' seals")
    server = None if offline else client or await _server(settings)
    anchored = None if server is None else await anchors.latest(server, settings.task_queue)
    checks = seal_check.check(settings.db_url, key)
    if anchored is not None:
        chain_anchors.compared(settings.db_url, checks, anchored)

    async def read(history: WorkflowHistory, converter: DataConverter
                   ) -> tuple[list[Used], CrossChecked]:
        return (await documents_used.read_in(history, converter),
                await cross_check(settings.db_url, key, history, converter))

    found = await documents_used.each_history(settings, server, read)
    used = [u for of_run, _ in found for u in of_run]
    changed_fields.with_facts(checks, [crossed.changed for _, crossed in found])
    checks.append(document_check.check(settings.db_url, blobs.DocumentStore.of(settings),
                                        used))
    checks.append(histories_check([crossed for _, crossed in found]))
    checks.append(policy_check.check(settings.db_url))
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
