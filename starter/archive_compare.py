"""An archived run against the server's own copy, while the server still has it.

The archive's own checks (its blob's digest, the row's facts, and with LOAN_JOURNEY_ARCHIVE_KEY
the seal) stop a change made by whoever lacks the key. Without a key, someone who can write
the journey database and the document store can rewrite a row and its blob consistently, and
those checks pass. Until the namespace's retention deletes the run, the server holds an
independent copy: `archive verify` fetches each run's history from it and compares the two
event by event (`compare_runs`), a few runs at a time.

What "the same" means: every event equal, field for field, as the server stores it. Both
sides are read into the API's protobuf messages (the archive's JSON as `history --json` wrote
it, the server's as it answers) and compared in protobuf's canonical JSON form, so that field
order, how a number was printed, or a field this SDK does not know never counts; everything
else does. Payloads are compared as stored, never decoded: where LOAN_JOURNEY_CODEC_KEYS
encrypts them, both sides hold the same ciphertext (AES-GCM, with its key id in the metadata),
so the comparison needs no key, reads the same with or without one, and shows a change to an
encrypted payload or its key id. Decoding would add nothing (one ciphertext under one key is
one plaintext) and would pass a payload re-encrypted by someone holding the keys (a new nonce,
the same plaintext), which is not the server's copy either. A field that the server stores but
that the SDK which archived the run did not know was never written into the archive: after an
SDK upgrade that learns it, it is reported as missing from the archive, named, for the auditor
to judge. The details name events and fields, never values: a payload may quote the loan's
figures.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from google.protobuf.json_format import MessageToDict
from temporalio.api.history.v1 import HistoryEvent
from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest
from temporalio.client import Client, WorkflowHistory
from temporalio.service import RPCError, RPCStatusCode

from journey.settings import Settings
from starter import audit
from starter.replay_divergence import event_kind
from store import archive, blobs

PARALLEL = 8  # runs compared at once: each holds its two histories while it is compared
SHOWN = 5  # differing events named per run; the rest counted
FIELDS_SHOWN = 3  # differing fields named per event


class Found(StrEnum):
    MATCHES = "matches the server"
    DIFFERS = "DIFFERS from the server"
    GONE = "not on the server"
    UNCHECKED = "not compared"
    FAILED = "SERVER NOT ASKED"


@dataclass(frozen=True)
class ServerCheck:
    """How one archived run compares with the server's copy."""

    workflow_id: str
    run_id: str
    found: Found
    detail: str = ""

    @property
    def failed(self) -> bool:
        """A difference, or a server that could not be asked: `archive verify` exits 1."""
        return self.found in (Found.DIFFERS, Found.FAILED)


async def compare_runs(client: Client, settings: Settings, runs: Sequence[archive.ArchivedRun],
                       parallel: int = PARALLEL) -> list[ServerCheck]:
    """Each archived run against the server's history of it, `parallel` at a time; in the
    order of `runs`."""
    slots = asyncio.Semaphore(parallel)
    retention = _Retention(client, settings.temporal_namespace)

    async def one(run: archive.ArchivedRun) -> ServerCheck:
        async with slots:
            return await compare_run(client, settings, run, retention)

    return list(await asyncio.gather(*(one(r) for r in runs)))


async def compare_run(client: Client, settings: Settings, run: archive.ArchivedRun,
                      retention: _Retention | None = None) -> ServerCheck:
    """One archived run against the server's history of it."""
    def check(found: Found, detail: str = "") -> ServerCheck:
        return ServerCheck(run.workflow_id, run.run_id, found, detail)

    damaged = "the archive's copy failed its own checks (see above)"
    store = blobs.DocumentStore.of(settings)
    try:
        text: str | None = await asyncio.to_thread(
            archive.history_json, store, run, settings.archive_seal_key)
    except archive.ArchiveDamaged:
        # compared as it is stored all the same, so that the events changed are named
        text = await asyncio.to_thread(archive.history_as_stored, store, run)
        if text is None:
            return check(Found.UNCHECKED, damaged)
    else:
        damaged = ""
    try:
        served = await audit.fetch_history(client, run.workflow_id, run.run_id)
    except RPCError as err:
        if err.status is not RPCStatusCode.NOT_FOUND:
            return check(Found.FAILED, f"the server could not be asked: {err.message}; "
                                       "`archive verify --offline` checks without it")
        if damaged:
            return check(Found.UNCHECKED, damaged)
        elsewhere = await _listed_under(client, run)
        if elsewhere:
            return check(Found.DIFFERS, f"the server has run {run.run_id} under {elsewhere}, "
                                        f"not {run.workflow_id}: the row's workflow id was "
                                        "changed")
        return check(Found.GONE, await _gone(run, retention or _Retention(
            client, settings.temporal_namespace)))
    kept = WorkflowHistory.from_json(run.workflow_id, text).events
    wrong = await asyncio.to_thread(differences, kept, served.events)
    if damaged:  # the copy as stored, against the server's: which events were changed
        return check(Found.DIFFERS if wrong else Found.UNCHECKED,
                     f"{damaged}; as stored, against the server's: "
                     + ("; ".join(wrong) if wrong else f"its {len(kept)} events the same "
                        "(its row or seal changed, not the history)"))
    if wrong:
        return check(Found.DIFFERS, "; ".join(wrong))
    return check(Found.MATCHES, f"{len(kept)} events, the same")


def differences(kept: Sequence[HistoryEvent], served: Sequence[HistoryEvent]) -> list[str]:
    """How an archived history (`kept`) differs from the server's (`served`), event by
    event: the events that differ, each with the fields that do, and any events one side
    has and the other has not; [] when they are the same."""
    differing = []
    for ours, theirs in zip(kept, served, strict=False):
        if ours == theirs:  # the same message: the quick way for nearly every event
            continue
        fields = _fields_differing(_canonical(ours), _canonical(theirs))
        if fields:
            differing.append(f"event {theirs.event_id} {event_kind(theirs)} ({', '.join(fields)})")
    said = differing[:SHOWN]
    if len(differing) > SHOWN:
        said.append(f"{len(differing) - SHOWN} more event(s) differ")
    if len(kept) != len(served):
        said.append(f"the archive has {len(kept)} events, the server {len(served)}")
    return said


def _canonical(event: HistoryEvent) -> dict[str, Any]:
    """An event as protobuf's JSON mapping has it: the form the archive is written in."""
    return MessageToDict(event)


def _fields_differing(ours: Any, theirs: Any, at: str = "") -> list[str]:
    """The paths of the fields where two JSON values differ, the first few."""
    if isinstance(ours, dict) and isinstance(theirs, dict):
        found: list[str] = []
        for key in sorted(ours.keys() | theirs.keys()):
            path = f"{at}.{key}" if at else key
            if key not in ours:
                found.append(f"{path} missing from the archive")
            elif key not in theirs:
                found.append(f"{path} not on the server")
            else:
                found += _fields_differing(ours[key], theirs[key], path)
            if len(found) >= FIELDS_SHOWN:
                break
        return found[:FIELDS_SHOWN]
    if isinstance(ours, list) and isinstance(theirs, list) and len(ours) == len(theirs):
        found = []
        for i, (a, b) in enumerate(zip(ours, theirs, strict=True)):
            found += _fields_differing(a, b, f"{at}[{i}]")
        return found[:FIELDS_SHOWN]
    return [] if ours == theirs else [at or "the event"]


async def _listed_under(client: Client, run: archive.ArchivedRun) -> str | None:
    """The workflow id the server's visibility lists `run`'s run id under, when it is not
    the row's: a row moved to another journey, whose fetch the server cannot answer."""
    if "'" in run.run_id:
        return None
    try:
        async for listed in client.list_workflows(f"RunId = '{run.run_id}'", limit=1):
            return listed.id if listed.id != run.workflow_id else None
    except RPCError:
        return None
    return None


async def _gone(run: archive.ArchivedRun, retention: _Retention) -> str:
    """What a run the server no longer has means: its retention ended (or it was deleted
    before), and the archive is its only copy, sealed or not."""
    only = ("the archive is its only copy now, and its seal vouches for it" if run.seal
            else "the archive is its only copy now, unsealed: nothing but this database and "
                 "its backups vouch for it (LOAN_JOURNEY_ARCHIVE_KEY seals the runs "
                 "archived from then on)")
    kept_for = await retention.length()
    if kept_for is None:  # not told: the namespace's retention, or a deletion by hand
        return f"the server no longer has it: {only}"
    if run.closed_at + kept_for <= datetime.now(UTC):
        return f"its retention ended: {only}"
    return (f"deleted before the namespace's retention of {_days(kept_for)} ended (it closed "
            f"{run.closed_at:%Y-%m-%d %H:%M} UTC): {only}")


def _days(length: timedelta) -> str:
    hours = length.total_seconds() / 3600
    return f"{hours / 24:g} day(s)" if hours >= 24 else f"{hours:g} hour(s)"


class _Retention:
    """The namespace's retention, asked once, when a run is found gone."""

    def __init__(self, client: Client, namespace: str) -> None:
        self._client = client
        self._namespace = namespace
        self._asked: asyncio.Task[timedelta | None] | None = None

    async def length(self) -> timedelta | None:
        if self._asked is None:
            self._asked = asyncio.ensure_future(self._ask())
        return await self._asked

    async def _ask(self) -> timedelta | None:
        try:
            described = await self._client.workflow_service.describe_namespace(
                DescribeNamespaceRequest(namespace=self._namespace))
        except RPCError:
            return None
        ttl = described.config.workflow_execution_retention_ttl
        return ttl.ToTimedelta() if ttl.seconds or ttl.nanos else None
