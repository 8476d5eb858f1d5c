"""Content-addressed document store on disk: root/ab/cdef... named by the sha256 of the bytes.

Writes are atomic (temp file + rename) and idempotent: the same bytes land at the same path.
With document keys (`DocumentStore.keys`) a file is written encrypted (store/blob_cipher.py),
still named by the sha256 of its plain bytes, and read back plain: every read and write of a
blob's bytes goes through `put` and `get`, which take the store with its keys.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from journey.documents import DocumentRef
from journey.settings import Settings
from store import blob_cipher

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_HEX = re.compile(r"^[0-9a-f]+$")


@dataclass(frozen=True)
class DocumentStore:
    """The store at `root`, with the keys its files are encrypted with (LOAN_JOURNEY_DOCUMENT_KEYS
    by id, the first the one that encrypts; none: files are written plain)."""

    root: Path
    keys: Mapping[str, bytes] = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, settings: Settings) -> DocumentStore:
        return cls(settings.documents_dir, settings.document_key_list)


class BlobNotFoundError(FileNotFoundError):
    """No blob with this sha256 in the store."""


def store_problem(root: Path, *, writing: bool = True) -> str | None:
    """What keeps `root` from serving as the document store, said for the operator (the
    reader's activity, a worker as it starts and `start` say the same); None when it serves:
    a directory there, and (`writing`) one this user can write."""
    if not root.exists():
        return (f"the document store {root} is not there: mount it, or point "
                "LOAN_JOURNEY_DOCUMENT_STORE at it")
    if not root.is_dir():
        return (f"the document store {root} is not a directory: point "
                "LOAN_JOURNEY_DOCUMENT_STORE at the directory that holds the documents")
    if writing:
        try:  # a file written and gone: access() passes root where a write still fails
            tempfile.TemporaryFile(dir=root).close()
        except OSError as err:
            return (f"the document store {root} is not writable: {err.strerror or err}; give "
                    "it to the user the worker runs as, or point LOAN_JOURNEY_DOCUMENT_STORE "
                    "at one it can write")
    return None


def path(root: Path, sha256: str) -> Path:
    """Where the blob with this sha256 lives (whether or not it exists)."""
    if not _SHA256.match(sha256):
        raise ValueError(f"not a sha256 hex digest: {sha256!r}")
    return Path(root) / sha256[:2] / sha256[2:]


def put(store: DocumentStore, data: bytes, filename: str) -> DocumentRef:
    """Store `data` under its sha256 (encrypted with the store's first key, if it has keys)
    and return the reference a journey carries. A file there already is touched: sent again
    now, it is not erased before a journey reads it (store/scan_retention.py)."""
    sha = hashlib.sha256(data).hexdigest()
    target = path(store.root, sha)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        write_whole(target, as_written(store, data, sha))
    else:
        with contextlib.suppress(OSError):  # one this user may not touch: left as it is
            os.utime(target)
    return DocumentRef(sha256=sha, filename=Path(filename).name or sha, size=len(data))


def as_written(store: DocumentStore, data: bytes, name: str) -> bytes:
    """The bytes to write for `data` under `name` (a blob's sha256): encrypted with the
    store's first key, whose id is noted in the store first (`blob_cipher.keys_problem`);
    plain without keys."""
    if not store.keys:
        return data
    note_keys(store.root, [*blob_cipher.noted(store.root), next(iter(store.keys))])
    return blob_cipher.encrypted(store.keys, data, name)


def note_keys(root: Path, kids: list[str]) -> None:
    """Note these key ids as the ones the store's files are encrypted with (when they are
    not what is noted already)."""
    if set(kids) != set(blob_cipher.noted(root)):
        write_whole(Path(root) / blob_cipher.KEYS_NOTE, blob_cipher.note_text(kids))


def write_whole(target: Path, data: bytes) -> None:
    """Write `data` to `target` whole or not at all: into a temporary file beside it (created
    for its owner only), on disk, then renamed over it."""
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    except OSError as err:  # no such folder, none writable: said of the file asked for
        raise type(err)(err.errno, err.strerror, str(target)) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def get(store: DocumentStore, sha256: str) -> bytes:
    """The (plain) bytes of a stored blob; BlobNotFoundError if the store does not hold it,
    blob_cipher.DocumentKeysMissing if it is encrypted with a key the store lacks,
    blob_cipher.BlobTampered if it fails its authentication."""
    p = path(store.root, sha256)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise BlobNotFoundError(
            f"document {sha256} is not in the document store at {Path(store.root).resolve()}: "
            "upload it again, or point LOAN_JOURNEY_DOCUMENT_STORE at the right directory"
        ) from None
    return blob_cipher.opened(store.keys, data, sha256, p)


def exists(root: Path, sha256: str) -> bool:
    return path(root, sha256).is_file()


def starting_with(root: Path, prefix: str) -> list[str]:
    """The sha256 of every blob stored whose digest begins with `prefix` (2 hex digits or
    more, lower case), sorted."""
    if len(prefix) < 2 or not _SHA256.match(prefix.ljust(64, "0")):
        raise ValueError(f"not the start of a sha256 hex digest: {prefix!r}")
    folder = Path(root) / prefix[:2]
    return sorted(folder.name + p.name for p in folder.glob(f"{prefix[2:]}*")
                  if p.is_file() and _SHA256.match(folder.name + p.name))


def stored(root: Path) -> Iterator[tuple[str, Path]]:
    """Each blob under `root` with the sha256 its path names (a write's temporary file, the
    key ids' note, anything else not named so, left out)."""
    if not Path(root).is_dir():
        return
    for folder in sorted(Path(root).iterdir()):
        if len(folder.name) != 2 or not _HEX.match(folder.name) or not folder.is_dir():
            continue
        for file in sorted(folder.iterdir()):
            if len(file.name) == 62 and _HEX.match(file.name) and file.is_file():
                yield folder.name + file.name, file
