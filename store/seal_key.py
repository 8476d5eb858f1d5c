"""The archive key confirmed as the one a chain was sealed with, before a row is sealed with
it: nothing is sealed with another key (`WrongKey`)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.db import ready
from store.seal_check import chain_checked
from store.sealed_records import SealedRecords
from store.seals import WrongKey, another_key, baseline_of, chain_end, matches, seal_at


def confirm_key(s: Session, key: bytes, chain: SealedRecords) -> None:
    """WrongKey when `key` is not the one `chain` was sealed with (`key_wrong`)."""
    if key_wrong(s, key, chain):
        raise another_key(chain.records,
                          "nothing written (a row sealed with it would never pass its check)")


def key_wrong(s: Session, key: bytes, chain: SealedRecords) -> bool:
    """Whether `key` is not the one `chain` was sealed with: its newest seal does not match,
    nor does any other (the newest row changed, the others matching, is a row to restore, not
    a wrong key). The newest seal decides it alone but when it fails: only then is the whole
    chain read."""
    position, newest = chain_end(s, chain.columns)
    if position == 0 or _newest_matches(s, key, chain, position, newest):
        return False
    return chain_checked(s, key, chain).wrong_key


def key_confirmed(url: str, key: bytes, chain: SealedRecords) -> None:
    """`confirm_key` on the database at `url`: before a command writes a row of `chain`."""
    with Session(ready(url)) as s:
        confirm_key(s, key, chain)


def sealing_key(url: str, key: bytes | None, chain: SealedRecords) -> bytes | None:
    """`key`, when `chain` was sealed with it (or nothing yet); else None: what must be kept
    whatever the key (a refused attempt, a pending instruction) is kept unsealed, not sealed
    with a key that would never pass its check."""
    try:
        if key is not None:
            key_confirmed(url, key, chain)
        return key
    except WrongKey:
        return None


class SealingOnce:
    """A worker's `sealing_key` for `chain`, confirmed on its first use, not on every row of
    a hot path (a wrong key's check reads the whole chain)."""

    def __init__(self, url: str, key: bytes | None, chain: SealedRecords) -> None:
        self._url, self._key, self._chain = url, key, chain
        self._sealing: tuple[bytes | None] | None = None

    def __call__(self) -> bytes | None:
        if self._sealing is None:
            self._sealing = (sealing_key(self._url, self._key, self._chain),)
        return self._sealing[0]


def _newest_matches(s: Session, key: bytes, chain: SealedRecords, position: int, newest: str
                    ) -> bool:
    baseline = baseline_of(s, chain.columns)
    previous = ((baseline.seal if baseline else "") if position == 1
                else seal_at(s, chain.columns, position - 1))
    return previous is not None and any(
        matches(key, t.facts(r), newest, {position - 1: previous})
        for t in chain.tables for r in s.scalars(select(t.row).where(t.row.seal == newest)))
