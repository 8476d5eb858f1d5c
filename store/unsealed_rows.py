"""Rows kept unsealed before sealing began, sealed next in their chains by a supervisor who
checked them against a backup (`records seal`); inserted ones never."""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from store.seal_check import baseline_listed, baseline_matches, before_sealing, first_sealed
from store.seal_key import confirm_key
from store.sealed_records import CHAINS, SealedTable
from store.seals import Column, baseline_of, seal_rows, sealing


class Sealed(BaseModel):
    """One chain's rows sealed by `records seal`, and those it refused to seal."""

    records: str
    sealed: list[str]  # as `records verify` names them
    inserted: list[str]  # unsealed, though newer than the first sealed: not sealed


def seal_unsealed(url: str, key: bytes) -> list[Sealed]:
    """Seal every row of the bank's records kept unsealed before sealing began, oldest first,
    next in its chain. Vouch only for rows checked against a backup. A row without a seal
    newer than the first sealed of its table (inserted, as `check` says) is left unsealed and
    named: no supervisor vouches for a row written around the key."""
    done = []
    for chain in CHAINS:
        with sealing(url, chain.lock) as s:
            confirm_key(s, key, chain)
            baseline = baseline_of(s, chain.columns)
            trusted = baseline is not None and baseline_matches(key, baseline)
            found = [_sealed(s, key, t, chain.columns, baseline_listed(baseline, trusted, t))
                     for t in chain.tables]
        done.append(Sealed(records=chain.records, sealed=[n for f in found for n in f[0]],
                           inserted=[n for f in found for n in f[1]]))
    return done


def _sealed(s: Session, key: bytes, table: SealedTable, columns: Iterable[Column],
            listed: set[int] | None) -> tuple[list[str], list[str]]:
    """The rows of `table` sealed, and those refused as inserted, by name."""
    rows = list(s.scalars(select(table.row).order_by(table.row.id)))
    before = before_sealing(listed, first_sealed(rows))
    rows = [r for r in rows if r.seal is None]
    inserted = [r for r in rows if not before(r)]
    sealed = [r for r in rows if r not in inserted]
    seal_rows(s, key, sealed, table.facts, columns)  # as read: the chain's end read once
    return [table.label(r) for r in sealed], [table.label(r) for r in inserted]
