"""What a pending instruction holds that must not reach SQL, set aside until it is delivered.

A feedback's comment may hold personal data, and a signature's signatory is a person's name:
the journey keeps them in its history only (encrypted there where codec keys are set), never
in the journey database. One typed while no worker answered is kept beside the document store
instead, in `pending/<update id>.json`, for its owner only (as the store's documents are),
encrypted as they are where the store has document keys (store/blob_cipher.py), and dropped
once the instruction is settled. The file is named by the update id, not by its
content: a digest of a short comment or a name in the database would let anyone who reads it
guess it back.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from store import blob_cipher
from store.blobs import DocumentStore, as_written, write_whole

FOLDER = "pending"


class AsideMissing(FileNotFoundError):
    """A pending instruction's fields set aside are not where they were kept."""


def _file(root: Path, update_id: str) -> Path:
    return Path(root) / FOLDER / f"{Path(update_id).name}.json"


def put_aside(store: DocumentStore, update_id: str, fields: dict[str, Any]) -> None:
    """Keep `fields` of the instruction sent under `update_id`, atomically, owner-only (and
    encrypted, with the store's keys)."""
    target = _file(store.root, update_id)
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    data = json.dumps(fields, ensure_ascii=False).encode("utf-8")
    write_whole(target, as_written(store, data, target.name))


def taken_back(store: DocumentStore, update_id: str) -> dict[str, Any]:
    """The fields set aside for `update_id`; AsideMissing, saying what to do, if gone or
    changed (its encryption's authentication failing); blob_cipher.DocumentKeysMissing when
    encrypted with a key the store lacks."""
    target = _file(store.root, update_id)
    try:
        stored = blob_cipher.opened(store.keys, target.read_bytes(), target.name, target)
        fields: dict[str, Any] = json.loads(stored.decode("utf-8"))
    except blob_cipher.BlobTampered as err:
        raise AsideMissing(str(err)) from None
    except FileNotFoundError:
        raise AsideMissing(
            f"{target} is gone: the instruction's fields kept out of the database are not "
            "there: point LOAN_JOURNEY_DOCUMENT_STORE (or LOAN_JOURNEY_DATA_DIR) at the store "
            "of the command line that kept it") from None
    return fields


def drop(root: Path, update_id: str) -> None:
    """Forget what was set aside for `update_id` (delivered or refused: it is settled)."""
    _file(root, update_id).unlink(missing_ok=True)
