"""The document store (store/blobs.py) checked at `records verify`: each stored blob's bytes
against the sha256 it is named by, and each document a journey used against the store and the
journey database. The authority is the journeys' histories (starter/documents_used.py): each
document a history says its journey read must have its reading row (`document_readings`) and,
read from the store, its file; a reading row's document must be there too. A blob replaced
with another page, or damaged, no longer hashes to its name, and is named by each journey and
file name that used it; one deleted, or a reading row deleted, is named so too. The archive's
histories are blobs of the same store: a replaced one is named here too, a missing one by
`archive verify`. A document uploaded but not yet read was used by no journey yet. A scan
erased of a journey once its retention passed (`scans erase`, store/scan_erasures.py) is not
missing for that journey: its erasure, sealed in a chain of its own, vouches for it. An
encrypted blob is hashed as it decrypts; one that fails its authentication is named tampered
with; one encrypted with a key not set here ends the check (`DocumentKeysMissing`), naming it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from journey.documents import DocumentRef, ReadStatus
from store import blob_cipher, blobs
from store.db import ready
from store.models import DocumentReadingRow
from store.scan_erasures import erased_of
from store.seal_findings import Finding, Found, RecordsCheck

RECORDS = "stored documents"


@dataclass(frozen=True)
class Used:
    """A document a journey read, as its history records it (or, `run_id` "", only as its
    reading row does)."""

    workflow_id: str
    ref: DocumentRef
    status: str  # the reading's (journey/documents.py ReadStatus)
    run_id: str = ""

    @property
    def stored(self) -> bool:
        """Whether the reading found its file in the store (a document named but never
        stored reads as missing: its absence is not the store's)."""
        return self.status != ReadStatus.MISSING.value

    def named(self) -> str:
        return f"document {self.ref.filename} of {self.workflow_id}"


def check(url: str, store: blobs.DocumentStore, used: Sequence[Used] = ()) -> RecordsCheck:
    """Every blob of `store` hashed (decrypted, if encrypted); every document the journeys'
    histories say they read (`used`) looked for among the readings and in the store, and every
    reading's document in the store."""
    root = store.root
    kept = readings(url)
    users: dict[str, dict[tuple[str, str], Used]] = {}
    for u in [*used, *kept.values()]:
        users.setdefault(u.ref.sha256, {}).setdefault((u.workflow_id, u.ref.sha256), u)
    findings, counted = [], 0
    for sha256, path in blobs.stored(root):
        counted += 1
        try:
            changed = hashlib.sha256(blobs.get(store, sha256)).hexdigest() != sha256
        except blob_cipher.BlobTampered as err:
            findings += _changed(sha256, path, list(users.get(sha256, {}).values()), str(err))
            continue
        if changed:
            findings += _changed(sha256, path, list(users.get(sha256, {}).values()))
    gone_by_rule = erased_of(url)
    for by_journey in users.values():
        for key, u in by_journey.items():
            row_gone = key not in kept
            file_gone = u.stored and not blobs.exists(root, u.ref.sha256) \
                and u.workflow_id not in gone_by_rule.get(u.ref.sha256, set())
            if row_gone or file_gone:
                findings.append(Finding(record=u.named(), found=Found.DELETED,
                                        detail=_missing(root, u, row_gone, file_gone)))
    return RecordsCheck(records=RECORDS, rows=counted, findings=findings)


def readings(url: str) -> dict[tuple[str, str], Used]:
    """Each reading row, by journey and sha256."""
    with Session(ready(url)) as s:
        return {(wf, sha256): Used(wf, DocumentRef(sha256=sha256, filename=name, size=size),
                                   status)
                for sha256, wf, name, size, status in s.execute(select(
                    DocumentReadingRow.sha256, DocumentReadingRow.workflow_id,
                    DocumentReadingRow.filename, DocumentReadingRow.size,
                    DocumentReadingRow.status).order_by(DocumentReadingRow.id))}


def _changed(sha256: str, path: Path, users: list[Used], tampered: str = "") -> list[Finding]:
    """A blob that no longer hashes to its name, or (`tampered`, why) fails its encryption's
    authentication: one finding per journey that used it, or one for the blob when none did
    (an archived history, an upload not read yet)."""
    detail = (f"{path} does not hold the bytes its name (their sha256) says: replaced or "
              "damaged in the document store; restore it from a backup (every journey and "
              "archived run that refers to it reads the wrong bytes until then)")
    if tampered:
        detail = (f"{tampered}; every journey and archived run that refers to it cannot read it "
                  "until then")
    if not users:
        return [Finding(record=f"document {sha256[:12]}…", found=Found.CHANGED, detail=detail)]
    return [Finding(record=u.named(), found=Found.CHANGED, detail=f"sha256 {sha256}: {detail}")
            for u in users]


def _missing(root: Path, u: Used, row_gone: bool, file_gone: bool) -> str:
    where = f"{blobs.path(root, u.ref.sha256)}, sha256 {u.ref.sha256}"
    row = (f"its reading (document_readings), which the journey's history records (run "
           f"{u.run_id}), was deleted outside the engine")
    store = (f"not in the document store ({where}): deleted, or LOAN_JOURNEY_DOCUMENT_STORE "
             "does not point at the store")
    if row_gone and file_gone:
        return f"{row}, and the file is {store}; restore both from a backup"
    if row_gone:
        return f"{row} ({where}); restore the row from a backup"
    return f"{store}; restore the file from a backup"
