"""A row taken on its seal as it is used: an LPR fixing as a loan or a quote reads it, and its
first read before it is corrected; a pending instruction as it is delivered; a borrower's
credit exposure lines, and the changes of their principal, as routing reads them; a refund or
a return entered as its checker confirms it. With a wrong key, none is taken for changed, but
refused as sealed under another key (`WrongKey`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.beside_seals import first_reader, first_reads_differ
from store.db import ready
from store.exposure import CreditExposureChangeRow, CreditExposureRow
from store.lpr import LprFixingRow
from store.payer_outflows import PayerOutflow, PayerOutflowRow
from store.seal_check import chain_checked, rows_checked
from store.seal_findings import Finding, Found, RecordsCheck
from store.seal_key import key_wrong
from store.sealed_records import (
    ENTERED,
    ENTRIES,
    EXPOSED,
    EXPOSURE_CHANGES,
    EXPOSURES,
    FIXINGS,
    KEPT,
    LPR,
    PENDING,
    READS,
    SealedRecords,
    SealedTable,
)
from store.seals import WrongKey, another_key


def fixing_failing(s: Session, key: bytes, row: LprFixingRow) -> Finding | None:
    """What `records verify` finds wrong with the fixing `row` itself: changed since it was
    sealed, or inserted after sealing began; None when nothing (an unsealed fixing, kept
    before sealing began, is vouched for by no seal and refused by none). WrongKey when the
    fixings were sealed with another key: no fixing can be vouched for with this one."""
    return _failing(s, key, LPR, FIXINGS, row)


def lines_failing(s: Session, key: bytes, lines: list[CreditExposureRow]) -> list[Finding]:
    """What `records verify` finds wrong with each of the exposure `lines` and each change of
    their principal kept, as `fixing_failing` says of a fixing: those rows checked alone
    (store/seal_check.py `rows_checked`), not the whole chain, which grows with the loan book;
    a row of the chain deleted is `records verify`'s to find, as when the whole chain was read
    here. WrongKey when the exposures were sealed with another key: told by the newest seal
    (store/seal_key.py `key_wrong`)."""
    if not lines:
        return []
    changes = list(s.scalars(select(CreditExposureChangeRow).where(
        CreditExposureChangeRow.exposure_id.in_([line.id for line in lines]))))
    if key_wrong(s, key, EXPOSED):
        raise _keyed_otherwise(EXPOSED)
    return [f for f in rows_checked(s, key, EXPOSED, {EXPOSURES.name: lines,
                                                      EXPOSURE_CHANGES.name: changes})
            if f.tampered]


def entry_read_failing(url: str, key: bytes, number: int
                       ) -> tuple[PayerOutflow, Finding | None] | None:
    """Entry `number` (store/payer_outflows.py) as the database holds it, with what `records
    verify` finds wrong with it itself, read together, so that what its checker pays is what
    was checked: changed since its maker entered it, or inserted after sealing began (None:
    nothing, or entered unsealed before sealing began, which no seal vouches for and none
    refuses); that row checked alone (store/seal_check.py `rows_checked`), not the whole
    chain. None when there is no such entry; WrongKey when the entries were sealed with
    another key."""
    with Session(ready(url)) as s:
        row = s.get(PayerOutflowRow, number)
        if row is None:
            return None
        if key_wrong(s, key, ENTERED):
            raise _keyed_otherwise(ENTERED)
        failing = next((f for f in rows_checked(s, key, ENTERED, {ENTRIES.name: [row]})
                        if f.tampered), None)
        return PayerOutflow.model_validate(row, from_attributes=True), failing


def first_read_failing(url: str, key: bytes | None, fixed_on: date) -> Finding | None:
    """Why the first read of the fixing of `fixed_on` cannot be vouched for, so that it is
    not corrected: its fixing's first reader differs from its first read, or that is missing;
    with `key`, too, any first read that fails its seal (changed, it may have been this
    fixing's) or any sealed row of the chain deleted (it may have been this one's). None when
    nothing is wrong."""
    with Session(ready(url)) as s:
        fixing = s.scalars(select(LprFixingRow).where(LprFixingRow.fixed_on == fixed_on)).first()
        if fixing is None:
            return None
        own = first_reader(fixing)
        findings = (first_reads_differ(s) if key is None
                    else [f for f in chain_checked(s, key, LPR).findings if f.tampered])
        return next((f for f in findings if f.record == own or f.record.startswith(READS.name)
                     or f.found is Found.DELETED), None)


def fixings_failing(url: str, key: bytes) -> dict[date, Finding]:
    """What `records verify` finds wrong with each fixing itself, as `fixing_failing` says of
    one, by its date: the chain checked once for all of them (for a quote)."""
    with Session(ready(url)) as s:
        return {row.fixed_on: f for row, f in _rows_failing(s, key, LPR, FIXINGS)}


def instructions_failing(url: str, key: bytes) -> dict[int, Finding]:
    """What `records verify` finds wrong with each pending instruction itself, as
    `fixing_failing` says of a fixing, by number: the chain checked once for all of them.
    WrongKey when they were sealed with another key."""
    with Session(ready(url)) as s:
        return {row.id: f for row, f in _rows_failing(s, key, KEPT, PENDING)}


def _rows_failing(s: Session, key: bytes, chain: SealedRecords, table: SealedTable
                  ) -> list[tuple[Any, Finding]]:
    """Each row of `table` that fails its seal, with what was found."""
    tampered = {f.record: f for f in _vouching(s, key, chain).findings if f.tampered}
    return [(row, tampered[table.label(row)]) for row in s.scalars(select(table.row))
            if table.label(row) in tampered]


def _failing(s: Session, key: bytes, chain: SealedRecords, table: SealedTable, row: Any
             ) -> Finding | None:
    return next((f for f in _vouching(s, key, chain).findings
                 if f.record == table.label(row) and f.tampered), None)


def _vouching(s: Session, key: bytes, chain: SealedRecords) -> RecordsCheck:
    """`chain` checked for a row to be taken on its seal: WrongKey, as `records verify` tells
    a wrong key (no seal matches it), rather than every sealed row changed."""
    checked = chain_checked(s, key, chain)
    if checked.wrong_key:
        raise _keyed_otherwise(chain)
    return checked


def _keyed_otherwise(chain: SealedRecords) -> WrongKey:
    return another_key(
        chain.records, "none of their seals matches it, so none is checked here (sealed "
        "under another archive key, not changed as far as this key can tell)",
        "set it, where this runs, to the key they were sealed with, as the command line "
        "that writes them has it")
