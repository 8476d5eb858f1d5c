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
chain's `also`, and the recorded policies by their texts' sha256 (store/policy_check.py): a row
`also` names CHANGED is not named again for its seal. The document store is not sealed:
store/document_check.py checks it.

`records verify` reads each chain whole (`chain_checked`): a sealed row deleted is seen only
there, by the position no seal holds. A row read to be taken on its seal (store/seal_vouching.py)
is checked alone (`rows_checked`), as the whole chain checks it, against its own seal and the
seal before it read by position: what it costs is that of the rows read, not of the chain.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select
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
    seal_at,
)


def check(url: str, key: bytes) -> list[RecordsCheck]:
    """Each chain of the bank's records checked against its seals, whole: the deletions of
    sealed rows are found here, and only here."""
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
    changed = {t.name: [r for r in whole[t.name] if not _as_sealed(key, t, r, seals)]
               for t in chain.tables}
    checked = sum(map(len, whole.values()))
    wrong_key = checked > 0 and checked == sum(map(len, changed.values())) and not baseline_ok
    also = chain.also(s)
    told = {f.record for f in also if f.found is Found.CHANGED}  # what changed, said already
    findings = _deleted(chain, seals, held) + also
    if baseline is not None and not baseline_ok:
        findings.append(Finding(
            record=f"the baseline of the {chain.records}", found=Found.CHANGED,
            detail="the list of the rows kept unsealed before sealing began changed in the "
                   "database: until it is restored from a backup (seal_baselines), no unsealed "
                   "row is taken for one of them"))
    for t in chain.tables:
        listed = baseline_listed(baseline, baseline_ok or wrong_key, t)  # a wrong key checks none
        before = before_sealing(listed, first_sealed(rows[t.name]))
        findings += (_unsealed(t, rows[t.name], before)
                     + [_changed(t, r) for r in changed[t.name] if t.label(r) not in told]
                     + [_found_changed(chain, t, named, r) for named, r
                        in t.found_changed(rows[t.name])])
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


def rows_checked(s: Session, key: bytes, chain: SealedRecords, rows: dict[str, list[Any]]
                 ) -> list[Finding]:
    """What `chain_checked` finds wrong with `rows` of `chain` (by table name) themselves, the
    rest of the chain unread: each sealed row against its seal over the seal before it, read
    by position (a row whose seal before it no row holds is left unchecked, as `chain_checked`
    leaves it to that row's deletion, which only the whole chain tells); each unsealed one
    against the chain's baseline. That the key is the chain's is the caller's to know
    (store/seal_key.py `key_wrong`)."""
    baseline = baseline_of(s, chain.columns)
    trusted = baseline is not None and baseline_matches(key, baseline)
    before = {p - 1 for t in chain.tables for r in rows.get(t.name, [])
              if (p := position_of(r.seal)) is not None and p > 1}
    seals = seals_at(s, chain, before, baseline)
    findings = []
    for t in chain.tables:
        mine = sorted(rows.get(t.name, []), key=lambda r: r.id)
        listed = baseline_listed(baseline, trusted, t)
        first = None if listed is not None else s.scalar(
            select(func.min(t.row.id)).where(t.row.seal.is_not(None)))
        findings += (_unsealed(t, mine, before_sealing(listed, first))
                     + [_changed(t, r) for r in mine if r.seal is not None
                        and _chain_whole(r.seal, seals) and not _as_sealed(key, t, r, seals)])
    return findings


def first_sealed(rows: list[Any]) -> int | None:
    """The id of the first sealed of `rows` (a table's, all of them)."""
    return min((r.id for r in rows if r.seal is not None), default=None)


def before_sealing(listed: set[int] | None, first: int | None) -> Callable[[Any], bool]:
    """Whether an unsealed row of a table was kept before its chain's sealing began: `listed`
    in its baseline; without one (sealed before baselines), a positive id below `first`, the
    first sealed of its table (any, before the first)."""
    if listed is not None:
        return lambda r: r.id in listed
    return lambda r: first is None or 0 < r.id < first


def _unsealed(table: SealedTable, rows: list[Any], before: Callable[[Any], bool]
              ) -> list[Finding]:
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
                       "`loan-journey records seal --as <supervisor>`"))
    return findings


def seals_at(s: Session, chain: SealedRecords, positions: set[int],
             baseline: SealBaselineRow | None) -> dict[int, str]:
    """The seals of `chain` at `positions` that a row holds (a seal replaced is kept by the
    change that sealed its row again), and at 0 its `baseline`'s ("" for none): what a row's
    seal is checked over, the one before it, reading no more of the chain."""
    holders = [*chain.columns, *chain.replaced]
    return {0: baseline.seal if baseline else ""} | {
        p: seal for p in sorted(positions - {0})
        if (seal := seal_at(s, holders, p)) is not None}


def _as_sealed(key: bytes, table: SealedTable, row: Any, seals: dict[int, str]) -> bool:
    """Whether the sealed `row` of `table` is as it was sealed: its facts, its position and the
    seal before it in `seals` (the chain's, or those of its positions around the rows read)."""
    return matches(key, table.facts(row), row.seal, seals)


def _changed(table: SealedTable, row: Any) -> Finding:
    """A sealed row that does not match its seal, its chain around it whole."""
    return Finding(record=table.label(row), found=Found.CHANGED,
                   detail=f"{table.covers} changed in the database since it was sealed (or its "
                          f"seal is not one the key made): restore it from a backup "
                          f"({table.kept_in})")


def _found_changed(chain: SealedRecords, table: SealedTable, named: str, change: Any
                   ) -> Finding:
    """A row that no longer matched its seal when the engine next wrote it (`change` of
    `table` sealed it again, keeping its seal marked: store/seals.py `replaced_seal`)."""
    replaced = table.replaces[1] if table.replaces else None
    of = next((t for t in chain.tables if t.name == replaced), None)
    when = next((v for c in ("changed_at", "withdrawn_at", "corrected_at")
                 if (v := getattr(change, c, None)) is not None), None)
    return Finding(record=named, found=Found.CHANGED,
                   detail=f"found changed in the database when the engine next wrote it "
                          f"({table.name} #{change.id}"
                          + (f", {when.isoformat(timespec='seconds')}" if when else "")
                          + f"): {of.covers if of else 'the row'} no longer matched its seal, "
                          f"and it was sealed again over what it held then with the engine's "
                          f"change: check it against a backup"
                          + (f" ({of.kept_in})" if of else ""))


def _chain_whole(seal: str, seals: dict[int, str]) -> bool:
    """Whether the seal before `seal` is held (else its row's deletion is what is said)."""
    position = position_of(seal)
    return position is None or position - 1 in seals
