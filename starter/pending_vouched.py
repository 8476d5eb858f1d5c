"""Pending instructions checked against their seals before they are delivered."""

from __future__ import annotations

import asyncio

from starter.errors import KeysNeeded, Refused
from store.seal_findings import Finding
from store.seal_vouching import instructions_failing
from store.seals import KEY_SETTING, WrongKey


async def failing_seals(url: str, key: bytes) -> dict[int, Finding]:
    """Each pending instruction that fails its seal (`instructions_failing`); KeysNeeded,
    none delivered and none refused, when the key is not the one they were sealed with: a
    wrong key, not a forgery, and each stays pending for a delivery with the right one."""
    try:
        return await asyncio.to_thread(instructions_failing, url, key)
    except WrongKey as err:
        raise KeysNeeded(f"no pending instruction delivered, each stays pending: {err}"
                         ) from None


class Unvouched(Refused):
    """A kept instruction that fails its seal: it is not delivered."""


def vouched_for(broken: Finding | None) -> None:
    """`Unvouched` when a kept instruction fails its seal as `records verify` checks it
    (`broken`, with the archive key): changed since it was kept, or kept unsealed after
    sealing began (written into the database, or by a command line without the key).
    Without the key, or kept before sealing began, there is nothing to check it against."""
    if broken is not None:
        raise Unvouched(
            f"not delivered: it fails its seal ({broken.found.value}: {broken.detail}); if it "
            f"was typed, type it again where {KEY_SETTING} is set, and see `loan-journey "
            "records verify`")
