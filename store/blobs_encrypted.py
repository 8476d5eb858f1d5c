"""The files already in the document store encrypted with its first key (`scans encrypt`): a
store of plain scans when the keys are first set, and the files encrypted with an older key
once a new one is put first (rotation). Each file is rewritten whole or not at all
(`blobs.write_whole`), so a run stopped halfway leaves every file readable, and a second run
rewrites nothing it finds done. A file is encrypted only when its bytes hash to its name: one
that does not, or fails its authentication, is left as it is and named, for `records verify`
and a backup to settle.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from store import blob_cipher, blobs


@dataclass
class Encrypted:
    """What a pass over the store did, in counts, and the files it left as they were."""

    key_id: str  # the key everything is now encrypted with
    encrypted: int = 0  # plain files encrypted
    rotated: int = 0  # files encrypted with an older key, encrypted again with key_id
    already: int = 0  # files encrypted with key_id before
    left: list[str] = field(default_factory=list)  # "<path>: why", each left as it was


def encrypt_all(store: blobs.DocumentStore) -> Encrypted:
    """Every blob of `store` encrypted with its first key (ValueError when it has none): the
    key ids still in use noted afterwards (`blob_cipher.keys_problem`)."""
    if not store.keys:
        raise ValueError(f"no document keys: set {blob_cipher.SETTING}")
    first = next(iter(store.keys))
    done = Encrypted(key_id=first)
    in_use = {first}
    blobs.note_keys(store.root, [*blob_cipher.noted(store.root), first])  # before any file
    for sha256, where in blobs.stored(store.root):
        stored = where.read_bytes()
        kid = _key_id_or_none(stored)
        if kid == first:
            done.already += 1
            continue
        try:
            plain = blob_cipher.opened(store.keys, stored, sha256, where)
        except (blob_cipher.BlobTampered, blob_cipher.DocumentKeysMissing) as err:
            plain, why = None, f"{err}; left as it is"
        else:
            why = (f"{where} does not hold the bytes its name (their sha256) says: replaced or "
                   "damaged; left as it is: restore it from a backup")
        if plain is None or hashlib.sha256(plain).hexdigest() != sha256:
            done.left.append(why)
            if kid is not None:  # still needed to read it
                in_use.add(kid)
            continue
        blobs.write_whole(where, blob_cipher.encrypted(store.keys, plain, sha256))
        if kid is None:
            done.encrypted += 1
        else:
            done.rotated += 1
    blobs.note_keys(store.root, sorted(in_use))
    return done


def _key_id_or_none(stored: bytes) -> str | None:
    """The key id a file names, None for a plain one or a header cut short (`opened` says
    which)."""
    try:
        return blob_cipher.key_id(stored)
    except blob_cipher.BlobTampered:
        return None
