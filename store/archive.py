"""Closed runs' histories, kept after the Temporal namespace's retention deletes them.

A history is the loan's audit record (DESIGN.md), but Temporal keeps a closed run only for
the namespace's retention (90 days in docker-compose.yml): a journey that closed, and every
run a long post-loan phase continued as new from, would lose its record. Each closed run's
history (as `loan-journey history --json` prints it) is kept gzipped in the document store,
named by its sha256, with one row per (workflow id, run id): archiving a run twice stores
nothing twice, and a blob that no longer matches its digest, or that is the history of
another run than its row's (another run id, type, event count, end or close time), is
refused when read; with an archive key, each row is sealed (HMAC) over its facts and its
blob's digest, so that a row or blob changed by someone without the key is refused. Each
complete pass of the archivist is recorded too: the next one lists the runs closed since the
last complete pass began.

Seals chain: a seal (version 2, "2:<position>:<mac>") covers its row, its position in the
order of sealing and the seal before it, so that a sealed row deleted from the table leaves
the next one unverifiable ("the run sealed before it is missing"). Only the newest sealed
rows' deletion goes unseen by the chain: the archivist's anchor of its head, kept in its
history with the bank's records' (store/chain_anchors.py), tells it for the rows sealed
before its last pass, a backup for the others. Seals written before the chain (version 1, 64
hex digits) still verify, alone.
Once a row is sealed, nothing is archived without the key (`KeyRequired`): an unsealed row
among sealed ones would be one nobody vouches for. Nor with a key that is not the one they
were sealed with (`WrongKey`: no sealed run's seal matches it), nor sealed: a row sealed with
it would never pass its check, and would break the chain for the runs sealed after it.
"""

from __future__ import annotations

import gzip
import hashlib
import hmac
import json
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from google.protobuf.timestamp_pb2 import Timestamp
from pydantic import BaseModel
from sqlalchemy import Index, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from journey.archive_contracts import ArchivePassResult
from store import blob_cipher, blobs
from store._dialect import insert_for, inserted
from store.db import ready
from store.models import Base, BigId
from store.seals import (
    CHAINED,
    KEY_SETTING,
    KeyRequired,
    another_key,
    any_sealed,
    chain_end,
    chain_of,
    chained,
    position_of,
    seal_at,
    sealing,
)
from store.types import UTCDateTime

__all__ = ["KEY_SETTING", "KeyRequired", "position_of"]  # the archive's, as callers name them


class ClosedRun(BaseModel):
    """One closed run of a workflow."""

    workflow_id: str
    run_id: str
    workflow_type: str
    status: str  # completed, continued_as_new, terminated, ...
    closed_at: datetime
    events: int


class ArchivedRun(ClosedRun):
    """A closed run as the archive lists it."""

    sha256: str  # of the gzipped history in the document store
    # HMAC-SHA256 of the row and that digest with the archive key; None: archived unsealed
    seal: str | None = None
    # the seal before this one in the chain ("" for the first); None: none found (deleted)
    previous_seal: str | None = None


class ArchivedRunRow(Base):
    __tablename__ = "archived_histories"
    __table_args__ = (Index("ix_archived_histories_closed_at", "closed_at"),)

    workflow_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    run_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    workflow_type: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(32))
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    events: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    archived_at: Mapped[datetime] = mapped_column(UTCDateTime)
    seal: Mapped[str | None] = mapped_column(String(64))


class ArchivePassRow(Base):
    """One completed pass of the archivist: the next pass lists runs from its start."""

    __tablename__ = "archive_passes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    archived: Mapped[int] = mapped_column(Integer)
    held: Mapped[int] = mapped_column(Integer)
    gone: Mapped[int] = mapped_column(Integer)


class ArchiveDamaged(Exception):
    """An archived history's blob does not match its recorded digest, or is not its run's."""


def _facts(run: ClosedRun, sha256: str) -> list[object]:
    return [run.workflow_id, run.run_id, run.workflow_type, run.status,
            run.closed_at.astimezone(UTC).isoformat(), run.events, sha256]


def seal_of(key: bytes, run: ClosedRun, sha256: str) -> str:
    """A version 1 seal, as written before the chain: the row's facts and its blob's digest,
    keyed (checked still; no longer written)."""
    return hmac.new(key, json.dumps(_facts(run, sha256)).encode("utf-8"),
                    hashlib.sha256).hexdigest()


def chained_seal(key: bytes, run: ClosedRun, sha256: str, position: int, previous: str) -> str:
    """The seal of the run sealed at `position` (1, 2, ...) after the one sealed `previous`
    ("" for the first): its facts, its digest, its position and the seal before it, keyed."""
    return chained(key, _facts(run, sha256), position, previous)


NOTHING_ARCHIVED = ("nothing archived or sealed (a run sealed with it would never pass its "
                    "check, nor would the runs sealed after it)")
NONE_CHECKED = ("none of their seals matches it, so none was checked (sealed under another "
                "archive key, not changed as far as this key can tell)")


def _refuse_unkeyed(s: Session, key: bytes | None, then: str = NOTHING_ARCHIVED) -> None:
    """KeyRequired when `key` is None and the archive holds sealed runs; WrongKey, saying
    `then` came of it, when it is not the key they were sealed with: the newest seal does not
    match it, nor does any other (the newest row changed, the others matching, is a run to
    restore, not a wrong key)."""
    if key is None and any_sealed(s, ArchivedRunRow.seal):
        raise KeyRequired(
            f"the archive holds sealed runs: set {KEY_SETTING} to archive more (a run "
            "archived unsealed among them is one nobody vouches for); nothing archived")
    if key is not None and not _newest_matches(s, key) and _none_matches(s, key):
        raise another_key("archive's runs", then)


def _newest_matches(s: Session, key: bytes) -> bool:
    """Whether the newest chained seal matches `key` (True when no run is sealed; False when
    those sealed before the chain are all there is: each is checked alone)."""
    position, newest = chain_end(s, [ArchivedRunRow.seal])
    if position == 0:
        return not any_sealed(s, ArchivedRunRow.seal)
    previous = "" if position == 1 else seal_at(s, [ArchivedRunRow.seal], position - 1)
    row = s.scalars(select(ArchivedRunRow).where(ArchivedRunRow.seal == newest)).first()
    return (previous is not None and row is not None
            and _seal_matches(_linked(_as_run(row), {position - 1: previous}), key))


def _none_matches(s: Session, key: bytes) -> bool:
    """Whether no sealed run that can be checked (the seal before its own held) matches
    `key`, and one can."""
    chain = _chain(s)
    runs = [_linked(_as_run(row), chain) for row in s.scalars(
        select(ArchivedRunRow).where(ArchivedRunRow.seal.is_not(None)))]
    checkable = [r for r in runs if position_of(r.seal) is None or r.previous_seal is not None]
    return bool(checkable) and not any(_seal_matches(r, key) for r in checkable)


def key_checked(url: str, key: bytes | None, then: str = NOTHING_ARCHIVED) -> None:
    """KeyRequired when `key` is None and the archive holds sealed runs, WrongKey, saying
    `then` came of it, when it is not the key they were sealed with: a pass archives
    nothing, and says so, even when it finds nothing new; a check checks no seal."""
    with Session(ready(url)) as s:
        _refuse_unkeyed(s, key, then)


def keep(url: str, store: blobs.DocumentStore, run: ClosedRun, history_json: str, now: datetime,
         key: bytes | None = None) -> bool:
    """Store one run's history, sealed with `key` when given (next in the chain); False if
    that run was archived before (nothing written). KeyRequired, nothing written, when `key`
    is None and the archive holds sealed runs, or is not the key they were sealed with."""
    data = gzip.compress(history_json.encode("utf-8"), mtime=0)  # same history, same bytes
    engine = ready(url)
    with sealing(url, ArchivedRunRow.__tablename__) as s:
        _refuse_unkeyed(s, key)
        ref = blobs.put(store, data, f"{run.workflow_id}.{run.run_id}.json.gz")
        seal = None
        if key is not None:
            position, previous = chain_end(s, [ArchivedRunRow.seal])
            seal = chained_seal(key, run, ref.sha256, position + 1, previous)
        stmt = (
            insert_for(engine, ArchivedRunRow.__table__)
            .values(**run.model_dump(), sha256=ref.sha256, archived_at=now, seal=seal)
            .on_conflict_do_nothing(index_elements=["workflow_id", "run_id"])
        )
        return inserted(s, stmt)


def archived_ids(url: str, runs: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which of these (workflow id, run id) pairs the archive holds."""
    wanted = {workflow_id for workflow_id, _ in runs}
    if not wanted:
        return set()
    with Session(ready(url)) as s:
        held = s.execute(
            select(ArchivedRunRow.workflow_id, ArchivedRunRow.run_id)
            .where(ArchivedRunRow.workflow_id.in_(wanted))
        )
        return {(w, r) for w, r in held} & set(runs)


def runs_of(url: str, workflow_id: str | None = None) -> list[ArchivedRun]:
    """A workflow's archived runs (every archived run when `workflow_id` is None), oldest
    first."""
    query = select(ArchivedRunRow).order_by(ArchivedRunRow.closed_at)
    if workflow_id is not None:
        query = query.where(ArchivedRunRow.workflow_id == workflow_id)
    with Session(ready(url)) as s:
        runs = [_as_run(row) for row in s.scalars(query)]
        if any(position_of(r.seal) for r in runs):
            chain = _chain(s)
            runs = [_linked(r, chain) for r in runs]
        return runs


def _as_run(row: ArchivedRunRow) -> ArchivedRun:
    return ArchivedRun.model_validate(row, from_attributes=True)


def _chain(s: Session) -> dict[int, str]:
    """The archive's chained seals by position."""
    return chain_of(s.scalars(
        select(ArchivedRunRow.seal).where(ArchivedRunRow.seal.like(f"{CHAINED}%"))))


def _linked(run: ArchivedRun, chain: dict[int, str]) -> ArchivedRun:
    """`run` with the seal before its own in `chain` (None when that one is missing, and for
    a seal from before the chain)."""
    position = position_of(run.seal)
    if position is not None:
        run.previous_seal = chain.get(position - 1)
    return run


def record_pass(url: str, started_at: datetime, finished_at: datetime,
                done: ArchivePassResult) -> None:
    """Record a pass that went through every run it listed (one cut short is not recorded,
    so the next pass lists from the last complete one and nothing is skipped)."""
    with Session(ready(url)) as s, s.begin():
        s.add(ArchivePassRow(started_at=started_at, finished_at=finished_at,  # anchor: in its
                             **done.model_dump(exclude={"anchor", "ended_outside",  # history
                                                             "kept_out"})))


def last_pass_started(url: str) -> datetime | None:
    """When the last complete pass started: every run that closed before then is archived,
    or was counted lost."""
    with Session(ready(url)) as s:
        return s.scalars(
            select(ArchivePassRow.started_at).order_by(ArchivePassRow.started_at.desc()).limit(1)
        ).first()


def seal_unsealed(url: str, key: bytes, vouched: Iterable[tuple[str, str]]) -> int:
    """Seal those of the `vouched` runs (workflow id, run id) that are archived without a
    seal (before the key was set), next in the chain, oldest closed first; how many. Vouch
    only for runs checked against the server's copy (`archive seal` does). WrongKey, none
    sealed, when `key` is not the one the archive's runs were sealed with."""
    wanted = set(vouched)
    with sealing(url, ArchivedRunRow.__tablename__) as s:
        _refuse_unkeyed(s, key)
        rows = [row for row in s.scalars(select(ArchivedRunRow)
                                         .where(ArchivedRunRow.seal.is_(None))
                                         .order_by(ArchivedRunRow.closed_at))
                if (row.workflow_id, row.run_id) in wanted]
        end, previous = chain_end(s, [ArchivedRunRow.seal])
        for position, row in enumerate(rows, start=end + 1):
            run = _as_run(row)
            row.seal = previous = chained_seal(key, run, run.sha256, position, previous)
        return len(rows)


def history_json(store: blobs.DocumentStore, run: ArchivedRun, key: bytes | None = None) -> str:
    """The archived history of `run`, checked against its digest, its row and, with `key`,
    its seal: ArchiveDamaged, saying what to restore, when it is missing, does not match, is
    another run's, fails its encryption's authentication, or is not sealed as the key seals
    it (blob_cipher.DocumentKeysMissing when it is encrypted with a key not set here)."""
    if key is not None:
        _check_seal(run, key)
    root = store.root
    try:
        data = blobs.get(store, run.sha256)
    except blob_cipher.BlobTampered as err:
        raise ArchiveDamaged(
            f"the archived history of {run.workflow_id} run {run.run_id}: {err}") from None
    except blobs.BlobNotFoundError:
        raise ArchiveDamaged(
            f"the archived history of {run.workflow_id} run {run.run_id} is missing: restore "
            f"{blobs.path(root, run.sha256)} from a backup"
        ) from None
    if hashlib.sha256(data).hexdigest() != run.sha256:
        raise ArchiveDamaged(
            f"the archived history of {run.workflow_id} run {run.run_id} does not match its "
            f"sha256 {run.sha256}: restore {blobs.path(root, run.sha256)} from a backup"
        )
    text = gzip.decompress(data).decode("utf-8")
    wrong = _not_its_run(run, json.loads(text)["events"])
    if wrong:
        raise ArchiveDamaged(
            f"the archived history that the row of {run.workflow_id} run {run.run_id} points "
            f"at ({blobs.path(root, run.sha256)}) is not that run's: {'; '.join(wrong)}; the "
            "row's sha256 was changed or the blob was replaced: restore the database row and "
            "the blob from a backup"
        )
    return text


def history_as_stored(store: blobs.DocumentStore, run: ArchivedRun) -> str | None:
    """The blob `run`'s row points at, as stored, without any of `history_json`'s checks:
    what a damaged archive holds, for comparing with the server's copy only; None when there
    is none to read (missing, not gzip, not a history)."""
    try:
        text = gzip.decompress(blobs.get(store, run.sha256)).decode("utf-8")
        json.loads(text)["events"]
    except (blobs.BlobNotFoundError, blob_cipher.BlobTampered, OSError, EOFError,
            UnicodeDecodeError, ValueError, KeyError, TypeError):
        return None
    return text


def _check_seal(run: ArchivedRun, key: bytes) -> None:
    if run.seal is None:
        raise ArchiveDamaged(
            f"the archived history of {run.workflow_id} run {run.run_id} has no seal, though "
            "the archive key is set: it was archived before the key was, or its seal was "
            "removed; check it against a backup, then `loan-journey archive seal`"
        )
    position = position_of(run.seal)
    if position is not None and run.previous_seal is None:
        raise ArchiveDamaged(
            f"the archived run sealed before {run.workflow_id} run {run.run_id} (seal "
            f"#{position - 1}) is missing from the archive: a sealed row was deleted; restore "
            "the archive's rows from a backup"
        )
    if not _seal_matches(run, key):
        raise ArchiveDamaged(
            f"the seal of the archived history of {run.workflow_id} run {run.run_id} does not "
            "match its row: the row or its digest was changed by someone without the archive "
            "key (or the key is not the one it was sealed with): restore the row and the blob "
            "from a backup"
        )


def _seal_matches(run: ArchivedRun, key: bytes) -> bool:
    """Whether the seal of `run` (sealed; chained, with the seal before it in
    `previous_seal`) is the one `key` makes."""
    position = position_of(run.seal)
    expected = (seal_of(key, run, run.sha256) if position is None else
                chained_seal(key, run, run.sha256, position, run.previous_seal or ""))
    return hmac.compare_digest(run.seal or "", expected)


# The history says which run it is (a reset run's names it in the reset's failed task, as
# its started event is the original's) but not its workflow id: a run id is the server's
# UUID, one workflow's only, so the run id it names stands for the workflow id too.
CLOSE_TIME_SLACK = timedelta(seconds=1)  # visibility's close time against the last event's


def _not_its_run(run: ArchivedRun, events: list[dict]) -> list[str]:
    """How a history (as `history_json` stores it) differs from the row of `run`."""
    started = events[0].get("workflowExecutionStartedEventAttributes", {})
    own = {started.get("originalExecutionRunId")} | {
        e["workflowTaskFailedEventAttributes"].get("newRunId")
        for e in events if "workflowTaskFailedEventAttributes" in e
    }
    last = events[-1]
    status = last["eventType"].removeprefix("EVENT_TYPE_WORKFLOW_EXECUTION_").lower()
    closed = Timestamp()
    closed.FromJsonString(last["eventTime"])
    wrong = []
    if run.run_id not in own:
        wrong.append(f"it is run {started.get('originalExecutionRunId')}'s history")
    if started.get("workflowType", {}).get("name") != run.workflow_type:
        wrong.append(f"of a {started.get('workflowType', {}).get('name')}, "
                     f"not a {run.workflow_type}")
    if len(events) != run.events:
        wrong.append(f"{len(events)} events, not {run.events}")
    if status != run.status:
        wrong.append(f"it ended {status}, not {run.status}")
    if abs(closed.ToDatetime(tzinfo=UTC) - run.closed_at) > CLOSE_TIME_SLACK:
        wrong.append(f"it closed at {closed.ToJsonString()}, not {run.closed_at.isoformat()}")
    return wrong
