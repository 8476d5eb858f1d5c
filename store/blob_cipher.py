"""The document store's files encrypted at rest (AES-256-GCM), with the operator's keys
(LOAN_JOURNEY_DOCUMENT_KEYS, journey/key_list.py's format: the first key encrypts, every one
decrypts).

A file is self-describing: MAGIC, a version byte, the key id's length (one byte) and the key
id, a 12-byte nonce, then the ciphertext with GCM's tag. The header and the blob's sha256 (its
name, the digest of the plain bytes) are authenticated with it: a file changed, or moved under
another blob's name, fails its tag and is told tampered, never read as other bytes. A file
that does not begin with MAGIC is plain (written before the keys were set) and reads as it is.

The acts kept pending beside the blobs (store/pending_aside.py: a comment, a signatory's name)
are encrypted the same way, under their file's name.

The key ids the store's files were encrypted with are noted beside them (KEYS_NOTE, ids only),
so that a worker can tell at its start, without reading every file, that it lacks a key the
store needs (`keys_problem`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

SETTING = "LOAN_JOURNEY_DOCUMENT_KEYS"
MAGIC = b"LJDOC\x00"
VERSION = 1
KEYS_NOTE = "encrypted-with"  # in the store's root: one key id a line
_NONCE = 12


class DocumentKeysMissing(Exception):
    """A stored file is encrypted with a key this process does not have (none set, or not its
    id): the message names the setting and the key id."""


class BlobTampered(Exception):
    """An encrypted file fails its authentication: changed since it was written, or the key
    given under its id is not the one it was encrypted with."""


def encrypted(keys: Mapping[str, bytes], data: bytes, name: str) -> bytes:
    """`data`, to be stored under `name` (a blob's sha256), encrypted with the first of
    `keys`."""
    kid = next(iter(keys))
    header = _header(kid)
    nonce = os.urandom(_NONCE)
    return header + nonce + AESGCM(keys[kid]).encrypt(nonce, data, header + name.encode())


def key_id(stored: bytes) -> str | None:
    """The id of the key a stored file is encrypted with; None for a plain one.
    BlobTampered for a header cut short."""
    if not stored.startswith(MAGIC):
        return None
    at = len(MAGIC)
    if len(stored) < at + 2 or stored[at] != VERSION or len(stored) < at + 2 + stored[at + 1]:
        raise BlobTampered("its header is not one this version writes, or is cut short")
    try:
        return stored[at + 2:at + 2 + stored[at + 1]].decode("utf-8")
    except UnicodeDecodeError:
        raise BlobTampered("its key id is not text") from None


def opened(keys: Mapping[str, bytes], stored: bytes, name: str, where: Path) -> bytes:
    """The plain bytes of the file at `where` stored under `name` (a blob's sha256), as
    `stored`: a plain file as it is. DocumentKeysMissing when its key is not among `keys`;
    BlobTampered when it fails its tag."""
    try:
        kid = key_id(stored)
    except BlobTampered as err:
        raise BlobTampered(f"{where} is tampered with: {err}; restore it from a backup"
                           ) from None
    if kid is None:
        return stored
    if kid not in keys:
        raise DocumentKeysMissing(_missing(where, kid, keys))
    header = _header(kid)
    body = stored[len(header):]
    try:
        return AESGCM(keys[kid]).decrypt(body[:_NONCE], body[_NONCE:], header + name.encode())
    except (InvalidTag, ValueError):
        raise BlobTampered(
            f"{where} is tampered with: it fails its authentication under key {kid!r} "
            "(changed since it was written, or put under another document's name); restore "
            f"it from a backup (or, if it is not, the key given for {kid!r} in {SETTING} is "
            "not the one it was encrypted with)") from None


def keys_problem(root: Path, keys: Mapping[str, bytes]) -> str | None:
    """What keeps a process with `keys` from reading the store at `root`, by the key ids
    its files were noted encrypted with, said for the operator; None when it can."""
    wanted = [kid for kid in noted(root) if kid not in keys]
    if not wanted:
        return None
    return _missing(root, wanted[0], keys)


def noted(root: Path) -> list[str]:
    """The key ids the store's files were noted encrypted with."""
    try:
        text = (Path(root) / KEYS_NOTE).read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    return [line for line in text.splitlines() if line]


def note_text(kids: Iterable[str]) -> bytes:
    """KEYS_NOTE's content for these key ids."""
    return "".join(f"{kid}\n" for kid in sorted(set(kids))).encode("utf-8")


def _missing(where: Path, kid: str, keys: Mapping[str, bytes]) -> str:
    if not keys:
        return (f"the document store's files ({where}) are encrypted and {SETTING} is not set "
                f"here: set it (or {SETTING}_FILE) as the workers have it")
    return (f"the document store's files ({where}) are encrypted with key id {kid!r}, which "
            f"{SETTING} does not hold (it holds {', '.join(keys)}): add '{kid}:<base64key>' "
            "to it, after the first key, so that it only decrypts")


def _header(kid: str) -> bytes:
    encoded = kid.encode("utf-8")  # at most 255 bytes (journey/settings.py)
    return MAGIC + bytes((VERSION, len(encoded))) + encoded
