"""A list of AES keys as a setting gives them: "kid1:base64key,kid2:base64key", the first the
one that encrypts, every one decrypting, so that a key is rotated by putting the new one first
and keeping the old ones until nothing needs them. One parser for every such setting
(LOAN_JOURNEY_CODEC_KEYS, LOAN_JOURNEY_DOCUMENT_KEYS); pure, so the settings check it too."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Collection

AES_SIZES = (16, 24, 32)
NEW_KEY = "python3 -c 'import base64,os; print(base64.b64encode(os.urandom(32)).decode())'"


def parse_keys(text: str, setting: str, sizes: Collection[int] = AES_SIZES) -> dict[str, bytes]:
    """{kid: key} in the order given (the first encrypts); ValueError naming `setting` and the
    entry, never the key, when one is not 'kid:base64key' of one of `sizes` bytes, or a key id
    is listed twice."""
    keys: dict[str, bytes] = {}
    for number, entry in enumerate((part.strip() for part in text.split(",")), 1):
        if not entry:
            continue
        kid, sep, encoded = entry.partition(":")
        kid = kid.strip()
        if not sep or not kid or not encoded.strip():
            raise ValueError(  # by its place, not its text: without its ":", it is a key
                f"{setting}: entry {number} is not 'key-id:base64key'; "
                "write entries as kid1:base64key,kid2:base64key"
            )
        try:
            key = base64.b64decode(encoded.strip(), validate=True)
        except binascii.Error as err:
            raise ValueError(f"{setting}: key {kid!r} is not valid base64 ({err})") from None
        if len(key) not in sizes:
            *some, last = sorted(sizes)
            wanted = f"{', '.join(map(str, some))} or {last}" if some else str(last)
            raise ValueError(f"{setting}: key {kid!r} is {len(key)} bytes; AES-GCM needs "
                             f"{wanted} (generate one with {NEW_KEY})")
        if kid in keys:
            raise ValueError(f"{setting}: key id {kid!r} is listed twice; key ids must be unique")
        keys[kid] = key
    if not keys:
        raise ValueError(f"{setting} is empty; set it to kid1:base64key[,kid0:base64key...]")
    return keys
