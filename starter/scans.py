"""The document store for auditors: a stored scan pulled out whole, by its sha256 or the start
of it (`status` shows 12 characters), with the journeys and document kinds it belongs to; and
the store checked whole, each document a journey read there against its digest.

A digest is looked up among the documents journeys read (the journey database's readings)
and in the content-addressed store itself (store/blobs.py): an upload kept pending is stored
before any journey reads it. One no reading names is looked up in the journeys' histories
(starter/documents_used.py, every run's: only then), which name a reading deleted outside
the engine. A scan is handed out only when its bytes (decrypted, in an encrypted store) still
hash to its digest: anything else, and an encrypted file that fails its authentication, is a
store changed since, not the customer's paper. One erased once its retention passed (`scans
erase`) is said so, when, under which rule and by whom: not lost, nor tampered with.
"""

from __future__ import annotations

import hashlib
import re
from enum import StrEnum

from pydantic import BaseModel

from journey.settings import Settings
from starter import documents_used
from starter.connect import connect
from starter.errors import BadInput, Erased, JourneyError, NotFound, SetupError
from store import blob_cipher, blobs
from store.document_check import Used
from store.documents import DocumentHolder, holders
from store.scan_erasures import erased

SHORTEST = 4  # hex digits of a digest typed: fewer name too many documents to be meant


class Found(StrEnum):
    MISSING = "MISSING"  # the store no longer holds it
    CHANGED = "CHANGED"  # its bytes no longer hash to its digest


class Scan(BaseModel):
    sha256: str
    data: bytes
    held_by: list[DocumentHolder]  # none: stored, but no journey's reading names it
    # journeys whose history says they read it, its reading deleted (only looked for when
    # no reading names it)
    unheld: list[Used] = []
    unread: str = ""  # why the histories were not all read ("": they were)


async def scan(settings: Settings, digest: str) -> Scan:
    """The stored document whose sha256 is, or begins with, `digest`. `BadInput` for what is
    no digest or begins more than one; `NotFound` for one neither a journey nor the store
    has; `Erased` for one erased under retention (`scans erase`); `JourneyError` for one a
    journey read that the store no longer holds, or holds changed."""
    prefix = digest.strip().lower()
    if not re.fullmatch(f"[0-9a-f]{{{SHORTEST},64}}", prefix):
        raise BadInput(f"{digest!r} is not a document's sha256: give its {SHORTEST} to 64 hex "
                       "digits, as `status` shows them (12)")
    store = blobs.DocumentStore.of(settings)
    root = store.root
    read = holders(settings.db_url, prefix)
    unheld: list[Used] = []
    unread = ""
    if not read:  # no reading names it: a journey's history may, its reading deleted
        unheld, unread = await _in_histories(settings, prefix)
    found = sorted({h.sha256 for h in read} | {u.ref.sha256 for u in unheld}
                   | set(blobs.starting_with(root, prefix)))
    if not found:
        raise NotFound(f"no stored document's sha256 begins with {prefix}: no journey read one "
                       f"and the document store at {root.resolve()} holds none{unread}")
    if len(found) > 1:
        raise BadInput(f"{prefix} begins the sha256 of {len(found)} stored documents: "
                       f"{', '.join(found)}; type more of it")
    [sha256] = found
    unheld = [u for u in unheld if u.ref.sha256 == sha256]
    names = [f"{u.ref.filename!r} of {u.workflow_id}" for u in unheld] + [
        f"{h.kind.value} {h.filename!r} of {h.workflow_id}" for h in read if h.sha256 == sha256]
    whose = f" ({', '.join(names)})" if names else ""
    try:
        data = _stored(store, sha256)
    except blob_cipher.BlobTampered as err:
        raise JourneyError(f"document {sha256}{whose}: {err}; nothing written") from None
    if data is Found.MISSING and (erasure := erased(settings.db_url, sha256)) is not None:
        raise Erased(f"document {sha256}{whose} was {erasure.said()}: the bank no longer "
                     "holds it; what its journeys read of it stays in their readings "
                     "(`status`, `subject`)")
    if data is Found.MISSING and unheld:
        raise JourneyError(f"document {sha256} ({', '.join(names)}, as its journey's history "
                           f"records it) is not in the document store at {root.resolve()}, "
                           f"and its reading {_DELETED}: restore both from a backup "
                           "(`loan-journey records verify` names every such document)")
    if data is Found.MISSING:
        raise JourneyError(f"document {sha256}{whose} is not in the document store at "
                           f"{root.resolve()}: a journey read it there, so restore it from a "
                           "backup (or point LOAN_JOURNEY_DOCUMENT_STORE at the right "
                           "directory)")
    if data is Found.CHANGED:
        raise JourneyError(f"document {sha256}{whose} in the document store at "
                           f"{root.resolve()} no longer hashes to its digest: the store was "
                           f"changed; nothing written; restore {blobs.path(root, sha256)} "
                           "from a backup")
    return Scan(sha256=sha256, data=data, held_by=[h for h in read if h.sha256 == sha256],
                unheld=unheld, unread=unread)


_DELETED = "(document_readings) was deleted outside the engine"


async def _in_histories(settings: Settings, prefix: str) -> tuple[list[Used], str]:
    """The documents whose sha256 begins with `prefix` that a journey's history says it
    read, its reading row gone; and why the server's histories were not read, if not."""
    try:
        client, unread = await connect(settings), ""
    except SetupError as err:
        client, unread = None, f" (only the archive's histories read: {err})"
    used = await documents_used.used(settings, client)
    named = {(u.workflow_id, u.ref.sha256): u for u in used if u.ref.sha256.startswith(prefix)}
    return list(named.values()), unread


def belongs_to(s: Scan) -> list[str]:
    """Whose the scan is: each journey that has it, as what, and what its reading found."""
    if s.unheld:
        return [f"{s.sha256} ({len(s.data):,} bytes) is {u.ref.filename!r} of "
                f"{u.workflow_id} as its history records it, but its reading {_DELETED}: "
                "restore it from a backup" for u in s.unheld]
    if not s.held_by:
        return [f"{s.sha256} ({len(s.data):,} bytes) is in the document store, but no "
                "journey's reading names it (an upload not read yet, or no document)"
                + s.unread]
    return [f"{s.sha256} ({len(s.data):,} bytes) is {h.kind.value} {h.filename!r} of "
            f"{h.workflow_id} (reading: {h.status.value})" for h in s.held_by]


def _stored(store: blobs.DocumentStore, sha256: str) -> bytes | Found:
    """The bytes stored under `sha256` (decrypted), or what is wrong with them
    (blob_cipher.BlobTampered raised)."""
    try:
        data = blobs.get(store, sha256)
    except blobs.BlobNotFoundError:
        return Found.MISSING
    return data if hashlib.sha256(data).hexdigest() == sha256 else Found.CHANGED
