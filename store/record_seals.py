"""The bank's own records checked against their seals (store/seals.py): the LPR fixings with
their corrections and first reads (store/lpr.py), where a fixing whose first reader is not its
first read's is named too (marked unread, it could be corrected), the refused attempts
(store/refusals.py), the pending instructions, as typed (store/pending.py), and the money
returned to its payers, or refunded where it was owed back (store/payer_returns.py), where an
instruction marked returned without its return is named too (the newest return's deletion,
which its chain alone does not tell); and the money and authority records the workers write:
the ledger's bookings (store/ledger.py), each journey's line in its borrower's credit exposure
with each change of its principal (store/exposure.py), and the outbox's notices
(store/outbox.py). The stage events and the document store are not sealed: they are checked
by store/stage_event_check.py and store/document_check.py.

Each sealed row must match its seal, and every position of a chain up to its newest must be
held by a seal: a row changed is named by its id and what its seal covers, a sealed row
deleted by the position it held between the rows sealed around it. A row without a seal is
*unsealed* when its chain's baseline (store/seals.py) lists it (kept before the key, or
before this version), and *inserted* when not (written into the database, or kept by a
command line without the key); a chain sealed before baselines were kept takes a row with a
positive id below the first sealed in its table for one kept before. A supervisor who
checked unsealed rows against a backup seals them (`seal_unsealed`), never inserted ones.
When no seal of a chain matches the key, the key is not the one it was sealed with
(`RecordsCheck.wrong_key`), and nothing is sealed with it (`confirm_key`: `WrongKey`). A
fixing is checked too as a loan reads it (`fixing_failing`), and a pending instruction as it
is delivered (`instructions_failing`): with a wrong key, neither is taken for changed, but
refused as sealed under another key (`WrongKey`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from store.db import ready
from store.exposure import CHAIN as EXPOSURE_CHAIN
from store.exposure import CreditExposureChangeRow, CreditExposureRow
from store.exposure import change_facts as exposure_change_facts
from store.exposure import facts as exposure_facts
from store.ledger import facts as booking_facts
from store.lpr import (
    CHAIN,
    LprCorrectionRow,
    LprFixingRow,
    LprReadRow,
    correction_facts,
    fixing_facts,
    read_facts,
)
from store.models import BookingRow, OutboxRow
from store.outbox import facts as notice_facts
from store.payer_returns import CHAIN as RETURNS_CHAIN
from store.payer_returns import PayerRefundRow, PayerReturnRow, refund_facts
from store.payer_returns import facts as return_facts
from store.pending import Delivery, PendingRow
from store.pending import facts as pending_facts
from store.refusals import RefusalRow
from store.refusals import facts as refusal_facts
from store.seals import (
    Column,
    SealBaselineRow,
    WrongKey,
    another_key,
    baseline_facts,
    baseline_ids,
    baseline_of,
    chain_end,
    chain_of,
    chained,
    matches,
    position_of,
    seal_at,
    seal_next,
    sealing,
)


class Found(StrEnum):
    CHANGED = "CHANGED"
    DELETED = "DELETED"
    INSERTED = "INSERTED"
    UNSEALED = "unsealed"


class Finding(BaseModel):
    """What a check found wrong with one row, or with the place one held in its chain."""

    record: str  # "refusal #12", "LPR fixing #3 (2026-11-20)", "seal #7 of the refusals"
    found: Found
    detail: str

    @property
    def tampered(self) -> bool:
        return self.found is not Found.UNSEALED


class RecordsCheck(BaseModel):
    """One chain checked: how many rows, and what was found."""

    records: str  # "LPR fixings and corrections", "refused attempts"
    rows: int
    findings: list[Finding]
    wrong_key: bool = False  # no seal matches the key: CHANGED findings say nothing then

    @property
    def shown(self) -> list[Finding]:
        """What to tell: with a wrong key, what the seals' positions and the baseline tell
        (deleted, inserted, unsealed), not every row as changed."""
        return [f for f in self.findings
                if not (self.wrong_key and f.found is Found.CHANGED)]


@dataclass(frozen=True)
class _Table:
    name: str  # as a row is named: "refusal", "LPR fixing"
    row: Any  # the mapped class
    facts: Callable[[Any], list[object]]
    covers: str  # what changed when its seal no longer matches
    kept_in: str  # the tables to restore it in
    of: tuple[str, str] | None = None  # the column naming the row it is of, and that row's name
    # the column naming the row it sealed again, and that row's name: it keeps the seal that
    # row had before (`replaced_seal`), which the chain holds
    replaces: tuple[str, str] | None = None

    def label(self, row: Any) -> str:
        day = getattr(row, "fixed_on", None)
        of = f" (of {self.of[1]} {getattr(row, self.of[0])})" if self.of else ""
        return f"{self.name} #{row.id}" + (f" ({day})" if day else "") + of

    def replaced(self, rows: list[Any]) -> dict[str, str]:
        """The seals `rows` (of this table) keep of the rows they sealed again, each with what
        held it."""
        if self.replaces is None:
            return {}
        column, name = self.replaces
        return {r.replaced_seal: f"{name} #{getattr(r, column)} before {self.name} #{r.id}"
                for r in rows if r.replaced_seal is not None}


FIXINGS = _Table("LPR fixing", LprFixingRow, fixing_facts,
                 "the fixing (its date, rates, who recorded it and when)", "lpr_fixings")
CORRECTIONS = _Table("LPR correction", LprCorrectionRow, correction_facts,
                     "the correction (the rates it replaced, who, why and when)",
                     "lpr_fixing_corrections", replaces=("fixing_id", "LPR fixing"))
REFUSALS = _Table("refusal", RefusalRow, refusal_facts,
                  "the refused attempt (who, what, on which loan, from where, why and when)",
                  "refusals")
READS = _Table("LPR first read", LprReadRow, read_facts,
               "the first read of a fixing (which fixing, by which loan, when)",
               "lpr_fixing_reads", ("fixing_id", "LPR fixing"))
RETURNS = _Table("return to payer", PayerReturnRow, return_facts,
                 "the return or the money received it settles",
                 "payer_returns, and its instruction in pending_instructions",
                 ("instruction_id", "pending instruction"))
REFUNDS = _Table("refund to payer", PayerRefundRow, refund_facts,
                 "the refund (which loan and payment, how much, to which account, who, why and "
                 "when)", "payer_refunds")
BOOKINGS = _Table("ledger booking", BookingRow, booking_facts,
                  "the booking (its journey, amount, payee, purpose, key and when)",
                  "ledger_bookings", ("workflow_id", "journey"))
EXPOSURES = _Table("credit exposure line", CreditExposureRow, exposure_facts,
                   "the line (its journey, borrower, amount applied for, principal owed and "
                   "when)", "credit_exposures", ("workflow_id", "journey"))
EXPOSURE_CHANGES = _Table("credit exposure change", CreditExposureChangeRow,
                          exposure_change_facts,
                          "the change of a line's principal (from, to, when, the seal replaced)",
                          "credit_exposure_changes", ("workflow_id", "journey"),
                          ("exposure_id", EXPOSURES.name))
NOTICES = _Table("outbox notice", OutboxRow, notice_facts,
                 "the notice (its journey, channel, recipient, template, text and when queued)",
                 "outbox", ("workflow_id", "journey"))
PENDING = _Table("pending instruction", PendingRow, pending_facts,
                 "what was typed (the update, its request, who, from where and when)",
                 "pending_instructions")


def _first_reads_differ(s: Session) -> list[Finding]:
    """Each fixing whose first reader (`used_by`, `used_at`) is not its first read's: changed
    (a fixing marked unread could be corrected), or its first read deleted."""
    found = []
    for fixing, read in s.execute(select(LprFixingRow, LprReadRow).outerjoin(
            LprReadRow, LprReadRow.fixing_id == LprFixingRow.id).order_by(LprFixingRow.id)):
        if read is None and fixing.used_by is not None:
            found.append(Finding(
                record=_first_reader(fixing), found=Found.DELETED,
                detail=f"it says {fixing.used_by} read it first, but its first read is not "
                       "kept: deleted in the database; restore it from a backup "
                       "(lpr_fixing_reads); until then `lpr correct` refuses it"))
        elif read is not None and (fixing.used_by, fixing.used_at) != (read.read_by,
                                                                      read.read_at):
            found.append(Finding(
                record=_first_reader(fixing), found=Found.CHANGED,
                detail=f"it says {fixing.used_by or 'no loan'} read it first, but its first "
                       f"read (LPR first read #{read.id}) says {read.read_by} did, at "
                       f"{read.read_at:%Y-%m-%d %H:%M:%S} UTC: changed in the database; "
                       "restore it from a backup (lpr_fixings); until then `lpr correct` "
                       "refuses it"))
    return found


def _first_reader(fixing: LprFixingRow) -> str:
    return f"first reader of LPR fixing #{fixing.id} ({fixing.fixed_on})"


def _returns_missing(s: Session) -> list[Finding]:
    """Each instruction marked returned whose return is not recorded: deleted (a chain does
    not tell its newest row's deletion)."""
    missing = s.scalars(select(PendingRow.id).where(
        PendingRow.state == Delivery.RETURNED,
        PendingRow.id.not_in(select(PayerReturnRow.instruction_id))).order_by(PendingRow.id))
    return [Finding(record=f"pending instruction #{n}", found=Found.DELETED,
                    detail=f"pending instruction {n} is marked returned but no return is "
                           "recorded: its return was deleted in the database; restore it from "
                           "a backup")
            for n in missing]


@dataclass(frozen=True)
class SealedRecords:
    records: str
    lock: str  # the chain's sealing lock
    tables: list[_Table]
    columns: list[Column]
    # what else is wrong with the chain's rows, beside their seals
    also: Callable[[Session], list[Finding]] = lambda s: []
    replaced: tuple[Column, ...] = ()  # the seals a row kept when it was sealed again


LPR = SealedRecords("LPR fixings and corrections", LprFixingRow.__tablename__,
                    [FIXINGS, CORRECTIONS, READS], CHAIN, _first_reads_differ,
                    replaced=(LprCorrectionRow.replaced_seal,))
REFUSED = SealedRecords("refused attempts", RefusalRow.__tablename__, [REFUSALS],
                        [RefusalRow.seal])
KEPT = SealedRecords("pending instructions", PendingRow.__tablename__, [PENDING],
                     [PendingRow.seal])
RETURNED = SealedRecords("money returned to payers", PayerReturnRow.__tablename__,
                         [RETURNS, REFUNDS], RETURNS_CHAIN, _returns_missing)
BOOKED = SealedRecords("ledger bookings", BookingRow.__tablename__, [BOOKINGS],
                       [BookingRow.seal])
EXPOSED = SealedRecords("credit exposures", CreditExposureRow.__tablename__,
                        [EXPOSURES, EXPOSURE_CHANGES], EXPOSURE_CHAIN,
                        replaced=(CreditExposureChangeRow.replaced_seal,))
NOTIFIED = SealedRecords("outbox notices", OutboxRow.__tablename__, [NOTICES], [OutboxRow.seal])
CHAINS = [LPR, REFUSED, KEPT, RETURNED, BOOKED, EXPOSED, NOTIFIED]


def check(url: str, key: bytes) -> list[RecordsCheck]:
    """Each chain of the bank's records checked against its seals."""
    with Session(ready(url)) as s:
        return [_checked(s, key, chain) for chain in CHAINS]


def _checked(s: Session, key: bytes, chain: SealedRecords) -> RecordsCheck:
    rows = {t.name: list(s.scalars(select(t.row).order_by(t.row.id))) for t in chain.tables}
    replaced = {seal: by for t in chain.tables for seal, by in t.replaced(rows[t.name]).items()}
    held = {position_of(r.seal): t.label(r) for t in chain.tables for r in rows[t.name]}
    held |= {position_of(seal): by for seal, by in replaced.items()}
    baseline = baseline_of(s, chain.columns)
    baseline_ok = baseline is not None and _baseline_matches(key, baseline)
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
        listed = _listed(baseline, baseline_ok or wrong_key, t)  # a wrong key checks none
        findings += (_unsealed(t, rows[t.name], listed)
                     + [_changed(t, r) for r in changed[t.name]])
    return RecordsCheck(records=chain.records, rows=sum(map(len, rows.values())),
                        findings=findings, wrong_key=wrong_key)


def _listed(baseline: SealBaselineRow | None, trusted: bool, table: _Table) -> set[int] | None:
    """The rows of `table` its chain's baseline lists (none when it fails its seal); None when
    the chain has no baseline, or `table` joined the chain after it was kept (its rows told
    as a chain sealed before baselines tells them)."""
    if baseline is None:
        return None
    return baseline_ids(baseline, table.row.__tablename__) if trusted else set()


def _baseline_matches(key: bytes, baseline: SealBaselineRow) -> bool:
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


def _before_sealing(rows: list[Any], listed: set[int] | None) -> Callable[[Any], bool]:
    """Whether an unsealed row of `rows` was kept before its chain's sealing began: `listed`
    in its baseline; without one (sealed before baselines), a positive id below the first
    sealed (any, before the first)."""
    if listed is not None:
        return lambda r: r.id in listed
    first = min((r.id for r in rows if r.seal is not None), default=None)
    return lambda r: first is None or 0 < r.id < first


def _unsealed(table: _Table, rows: list[Any], listed: set[int] | None) -> list[Finding]:
    before = _before_sealing(rows, listed)
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


def _changed(table: _Table, row: Any) -> Finding:
    """A sealed row that does not match its seal, its chain around it whole."""
    return Finding(record=table.label(row), found=Found.CHANGED,
                   detail=f"{table.covers} changed in the database since it was sealed (or its "
                          f"seal is not one the key made): restore it from a backup "
                          f"({table.kept_in})")


def _chain_whole(seal: str, seals: dict[int, str]) -> bool:
    """Whether the seal before `seal` is held (else its row's deletion is what is said)."""
    position = position_of(seal)
    return position is None or position - 1 in seals


def fixing_failing(s: Session, key: bytes, row: LprFixingRow) -> Finding | None:
    """What `records verify` finds wrong with the fixing `row` itself: changed since it was
    sealed, or inserted after sealing began; None when nothing (an unsealed fixing, kept
    before sealing began, is vouched for by no seal and refused by none). WrongKey when the
    fixings were sealed with another key: no fixing can be vouched for with this one."""
    return _failing(s, key, LPR, FIXINGS, row)


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
        own = _first_reader(fixing)
        findings = (_first_reads_differ(s) if key is None
                    else [f for f in _checked(s, key, LPR).findings if f.tampered])
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


def _rows_failing(s: Session, key: bytes, chain: SealedRecords, table: _Table
                  ) -> list[tuple[Any, Finding]]:
    """Each row of `table` that fails its seal, with what was found."""
    tampered = {f.record: f for f in _vouching(s, key, chain).findings if f.tampered}
    return [(row, tampered[table.label(row)]) for row in s.scalars(select(table.row))
            if table.label(row) in tampered]


def _failing(s: Session, key: bytes, chain: SealedRecords, table: _Table, row: Any
             ) -> Finding | None:
    return next((f for f in _vouching(s, key, chain).findings
                 if f.record == table.label(row) and f.tampered), None)


def _vouching(s: Session, key: bytes, chain: SealedRecords) -> RecordsCheck:
    """`chain` checked for a row to be taken on its seal: WrongKey, as `records verify` tells
    a wrong key (no seal matches it), rather than every sealed row changed."""
    checked = _checked(s, key, chain)
    if checked.wrong_key:
        raise another_key(
            chain.records, "none of their seals matches it, so none is checked here (sealed "
            "under another archive key, not changed as far as this key can tell)",
            "set it, where this runs, to the key they were sealed with, as the command line "
            "that writes them has it")
    return checked


class Sealed(BaseModel):
    """One chain's rows sealed by `records seal`, and those it refused to seal."""

    records: str
    sealed: list[str]  # as `records verify` names them
    inserted: list[str]  # unsealed, though newer than the first sealed: not sealed


def confirm_key(s: Session, key: bytes, chain: SealedRecords) -> None:
    """WrongKey when `key` is not the one `chain` was sealed with: its newest seal does not
    match, nor does any other (the newest row changed, the others matching, is a row to
    restore, not a wrong key)."""
    position, newest = chain_end(s, chain.columns)
    if position == 0 or _newest_matches(s, key, chain, position, newest):
        return
    if _checked(s, key, chain).wrong_key:
        raise another_key(chain.records,
                          "nothing written (a row sealed with it would never pass its check)")


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


def _newest_matches(s: Session, key: bytes, chain: SealedRecords, position: int, newest: str
                    ) -> bool:
    baseline = baseline_of(s, chain.columns)
    previous = ((baseline.seal if baseline else "") if position == 1
                else seal_at(s, chain.columns, position - 1))
    return previous is not None and any(
        matches(key, t.facts(r), newest, {position - 1: previous})
        for t in chain.tables for r in s.scalars(select(t.row).where(t.row.seal == newest)))


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
            trusted = baseline is not None and _baseline_matches(key, baseline)
            found = [_sealed(s, key, t, chain.columns, _listed(baseline, trusted, t))
                     for t in chain.tables]
        done.append(Sealed(records=chain.records, sealed=[n for f in found for n in f[0]],
                           inserted=[n for f in found for n in f[1]]))
    return done


def _sealed(s: Session, key: bytes, table: _Table, columns: Iterable[Column],
            listed: set[int] | None) -> tuple[list[str], list[str]]:
    """The rows of `table` sealed, and those refused as inserted, by name."""
    rows = list(s.scalars(select(table.row).order_by(table.row.id)))
    before = _before_sealing(rows, listed)
    rows = [r for r in rows if r.seal is None]
    inserted = [r for r in rows if not before(r)]
    for r in rows:
        if r not in inserted:
            seal_next(s, key, r, table.facts, columns)
    return ([table.label(r) for r in rows if r not in inserted],
            [table.label(r) for r in inserted])
