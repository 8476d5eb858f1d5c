"""What a chain's seals alone do not tell: a fixing whose first reader is not its first read's,
and a pending instruction marked returned without its return."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.lpr import LprFixingRow, LprReadRow
from store.payer_returns import PayerReturnRow
from store.pending import Delivery, PendingRow
from store.seal_findings import Finding, Found


def first_reads_differ(s: Session) -> list[Finding]:
    """Each fixing whose first reader (`used_by`, `used_at`) is not its first read's: changed
    (a fixing marked unread could be corrected), or its first read deleted."""
    found = []
    for fixing, read in s.execute(select(LprFixingRow, LprReadRow).outerjoin(
            LprReadRow, LprReadRow.fixing_id == LprFixingRow.id).order_by(LprFixingRow.id)):
        if read is None and fixing.used_by is not None:
            found.append(Finding(
                record=first_reader(fixing), found=Found.DELETED,
                detail=f"it says {fixing.used_by} read it first, but its first read is not "
                       "kept: deleted in the database; restore it from a backup "
                       "(lpr_fixing_reads); until then `lpr correct` refuses it"))
        elif read is not None and (fixing.used_by, fixing.used_at) != (read.read_by,
                                                                      read.read_at):
            found.append(Finding(
                record=first_reader(fixing), found=Found.CHANGED,
                detail=f"it says {fixing.used_by or 'no loan'} read it first, but its first "
                       f"read (LPR first read #{read.id}) says {read.read_by} did, at "
                       f"{read.read_at:%Y-%m-%d %H:%M:%S} UTC: changed in the database; "
                       "restore it from a backup (lpr_fixings); until then `lpr correct` "
                       "refuses it"))
    return found


def first_reader(fixing: LprFixingRow) -> str:
    return f"first reader of LPR fixing #{fixing.id} ({fixing.fixed_on})"


def returns_missing(s: Session) -> list[Finding]:
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
