"""The document store (store/blobs.py) checked at `records verify`: each stored blob's bytes
against the sha256 it is named by, and each document a journey refers to (its readings,
store/documents.py) against the store. A blob replaced with another page, or damaged, no
longer hashes to its name; one deleted leaves its journeys' references without it. The
archive's histories are blobs of the same store: a replaced one is named here too, a missing
one by `archive verify`. A document uploaded but not yet read is referred to only in its
journey's history, and not checked for presence here.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from store import blobs
from store.db import ready
from store.models import DocumentReadingRow
from store.seal_findings import Finding, Found, RecordsCheck

RECORDS = "stored documents"
_HEX = re.compile(r"^[0-9a-f]+$")
_CHUNK = 1 << 20


def check(url: str, root: Path) -> RecordsCheck:
    """Every blob under `root` hashed, and every document a journey's readings name looked
    for."""
    findings, counted = [], 0
    for sha256, path in _stored(root):
        counted += 1
        if _digest(path) != sha256:
            findings.append(Finding(
                record=f"document {sha256[:12]}…", found=Found.CHANGED,
                detail=f"{path} does not hold the bytes its name (their sha256) says: replaced "
                       "or damaged in the document store; restore it from a backup (every "
                       "journey and archived run that refers to it reads the wrong bytes "
                       "until then)"))
    with Session(ready(url)) as s:
        for sha256, workflow_id, filename in s.execute(select(
                DocumentReadingRow.sha256, DocumentReadingRow.workflow_id,
                DocumentReadingRow.filename).order_by(DocumentReadingRow.id)):
            if not blobs.exists(root, sha256):
                findings.append(Finding(
                    record=f"document {filename} of {workflow_id}", found=Found.DELETED,
                    detail=f"not in the document store ({blobs.path(root, sha256)}, sha256 "
                           f"{sha256}): deleted, or LOAN_JOURNEY_DOCUMENT_STORE does not point "
                           "at the store; restore the file from a backup"))
    return RecordsCheck(records=RECORDS, rows=counted, findings=findings)


def _stored(root: Path) -> Iterator[tuple[str, Path]]:
    """Each blob under `root` with the sha256 its path names (a write's temporary file, or
    anything else not named so, left out)."""
    if not root.is_dir():
        return
    for folder in sorted(root.iterdir()):
        if len(folder.name) != 2 or not _HEX.match(folder.name) or not folder.is_dir():
            continue
        for file in sorted(folder.iterdir()):
            if len(file.name) == 62 and _HEX.match(file.name) and file.is_file():
                yield folder.name + file.name, file


def _digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            sha.update(chunk)
    return sha.hexdigest()
