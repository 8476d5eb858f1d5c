"""Each chain of the bank's sealed records checked against its seals (`records verify`).

Each sealed row must match its seal, and every position of a chain up to its newest must be
held by a seal: a row changed is named by its id and what its seal covers, a sealed row
deleted by the position it held between the rows sealed around it. A row without a seal is
*unsealed* when its chain's baseline (store/seals.py) lists it (kept before the key, or
before this version), and *inserted* when not (written into the database, or kept by a
command line without the key); a chain sealed before baselines were kept takes a row with a
positive id below the first sealed in its table for one kept before. When no seal of a chain
matches the key, the key is not the one it was sealed with (`RecordsCheck.wrong_key`).
The stage events are checked by their numbering too (store/stage_event_check.py), as their
chain's `also`; the document store is not sealed: store/document_check.py checks it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.db import ready
from store.seal_findings import Finding, Found, RecordsCheck
from store.sealed_records import CHAINS, SealedRecords, SealedTable
from store.seals import (
    SealBaselineRow,
    baseline_facts,
    baseline_ids,
    baseline_of,
    chain_of,
    chained,
    matches,
    position_of,
)


def check(url: str, key: bytes) -> list[RecordsCheck]:
    """Each chain of the bank's records checked against its seals."""
    with Session(ready(url)) as s:
        return [chain_checked(s, key, chain) for chain in CHAINS]


def chain_checked(s: Session, key: bytes, chain: SealedRecords) -> RecordsCheck:
    rows = {t.name: list(s.scalars(select(t.row).order_by(t.row.id))) for t in chain.tables}
    replaced = {seal: by for t in chain.tables for seal, by in t.replaced(rows[t.name]).items()}
    held = {position_of(r.seal): t.label(r) for t in chain.tables for r in rows[t.name]}
    held |= {position_of(seal): by for seal, by in replaced.items()}
    baseline = baseline_of(s, chain.columns)
    baseline_ok = baseline is not None and baseline_matches(key, baseline)
    seals = chain_of([r.seal for t in chain.tables for r in rows[t.name]]
                     + list(replaced), baseline.seal if baseline else "")
    whole = {t.name: [r for r in rows[t.name]
                      if r.seal is not None and _chain_whole(r.seal, seals)]
             for t in chain.tables}
    changed = {t.name: [r for r in whole[t.name] if not matches(key, t.facts(r), r.seal, seals)]
               for t in chain.tables}
    checked = sum(map(len, whole.values()))
    wrong_key = checked > 0 and checked == sum(map(len, changed.values())) and not baseline_ok
    findings = _deleted(chain, seals, held) + chain.also(s)
    if baseline is not None and not baseline_ok:
        findings.append(Finding(
            record=f"the baseline of the {chain.records}", found=Found.CHANGED,
            detail="the list of the rows kept unsealed before sealing began changed in the "
                   "database: until it is restored from a backup (seal_baselines), no unsealed "
                   "row is taken for one of them"))
    for t in chain.tables:
        listed = baseline_listed(baseline, baseline_ok or wrong_key, t)  # a wrong key checks none
        findings += (_unsealed(t, rows[t.name], listed)
                     + [_changed(t, r) for r in changed[t.name]])
    return RecordsCheck(records=chain.records, rows=sum(map(len, rows.values())),
                        findings=findings, wrong_key=wrong_key)


def baseline_listed(baseline: SealBaselineRow | None, trusted: bool, table: SealedTable
                    ) -> set[int] | None:
    """The rows of `table` its chain's baseline lists (none when it fails its seal); None when
    the chain has no baseline, or `table` joined the chain after it was kept (its rows told
    as a chain sealed before baselines tells them)."""
    if baseline is None:
        return None
    return baseline_ids(baseline, table.row.__tablename__) if trusted else set()


def baseline_matches(key: bytes, baseline: SealBaselineRow) -> bool:
    return baseline.seal == chained(key, baseline_facts(baseline), 0, "")


def _deleted(chain: SealedRecords, seals: dict[int, str], held: dict[int | None, str]
             ) -> list[Finding]:
    """Each position up to the newest that no seal holds: its row was deleted."""
    missing = [p for p in range(1, max(seals) + 1) if p not in seals]
    return [Finding(record=f"seal #{p} of the {chain.records}", found=Found.DELETED,
                    detail=f"the row sealed #{p}, between {_near(held, p, -1)} and "
                           f"{_near(held, p, 1)}, is missing: it was deleted; restore it from "
                           "a backup (until then, the row sealed after it cannot be checked)")
            for p in missing]


def _near(held: dict[int | None, str], position: int, step: int) -> str:
    """The row sealed nearest before (`step` -1) or after (1) `position`."""
    p, newest = position + step, max((k for k in held if k is not None), default=0)
    while 0 < p <= newest:
        if p in held:
            return held[p]
        p += step
    return "the first" if step < 0 else "the newest"


def before_sealing(rows: list[Any], listed: set[int] | None) -> Callable[[Any], bool]:
    """Whether an unsealed row of `rows` was kept before its chain's sealing began: `listed`
    in its baseline; without one (sealed before baselines), a positive id below the first
    sealed (any, before the first)."""
    if listed is not None:
        return lambda r: r.id in listed
    first = min((r.id for r in rows if r.seal is not None), default=None)
    return lambda r: first is None or 0 < r.id < first


def _unsealed(table: SealedTable, rows: list[Any], listed: set[int] | None) -> list[Finding]:
    before = before_sealing(rows, listed)
    findings = []
    for r in rows:
        if r.seal is not None:
            continue
        if not before(r):
            findings.append(Finding(
                record=table.label(r), found=Found.INSERTED,
                detail="no seal, though not kept before sealing began: inserted in the "
                       "database, or kept without the key: no seal vouches for it, nor will "
                       "`records seal`; delete it, or restore the table from a backup"))
        else:
            findings.append(Finding(
                record=table.label(r), found=Found.UNSEALED,
                detail="kept before the records were sealed: check it against a backup, then "
                       "`loan-journey records seal`"))
    return findings


def _changed(table: SealedTable, row: Any) -> Finding:
    """A sealed row that does not match its seal, its chain around it whole."""
    return Finding(record=table.label(row), found=Found.CHANGED,
                   detail=f"{table.covers} changed in the database since it was sealed (or its "
                          f"seal is not one the key made): restore it from a backup "
                          f"({table.kept_in})")


def _chain_whole(seal: str, seals: dict[int, str]) -> bool:
    """Whether the seal before `seal` is held (else its row's deletion is what is said)."""
    position = position_of(seal)
    return position is None or position - 1 in seals
