"""The sealed chains against their anchor: each chain's head (its newest sealed row) as the
archivist's last pass recorded it in its history (journey/archive_contracts.py), outside the
database. The chains are the bank's records' (store/sealed_records.py, `records verify`) and
the archive's own, of the histories it keeps (store/archive.py, `archive verify`).

A chain alone does not show its newest rows deleted: the shorter chain still verifies. Its
anchor does, for the rows sealed up to the pass that recorded it: a chain that no longer
holds its anchored seal lost that row (and, when it ends before it, the rows sealed between).
Rows sealed after the last anchor are vouched for by the chain alone until the next pass.
Each pass compares the chains with the previous pass's anchor too, and carries on in its own
every head found lost, with the losses the previous one carried: a pass after a deletion
anchors the shortened chain, and the deletion stays named by the losses it carries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from journey.archive_contracts import ChainAnchor, ChainHead, ChainLoss
from store.archive import ArchivedRunRow
from store.db import ready
from store.seal_findings import Finding, Found, RecordsCheck
from store.sealed_records import CHAINS
from store.seals import Column, chain_end, kept_seal, position_of

_AT = "%Y-%m-%d %H:%M:%S %Z"


class Anchored(BaseModel):
    """The latest anchor, and the archivist run whose history holds it."""

    run: str  # the archivist run's workflow id
    anchor: ChainAnchor

    @property
    def at(self) -> datetime:
        return self.anchor.taken_at


@dataclass(frozen=True)
class AnchoredChain:
    """A chain whose head each pass anchors."""

    records: str  # as its check names it
    columns: list[Column]  # its seals, a column per table, in the order its check lists them
    replaced: tuple[Column, ...] = ()  # the seals a row kept when it was sealed again
    named: Callable[[Any], str] | None = None  # a row of a table without a numeric id

    def held(self, s: Session) -> set[str]:
        """Every seal the chain's rows hold, or held before they were sealed again."""
        return {kept_seal(seal) for c in (*self.columns, *self.replaced)
                for seal in s.scalars(select(c).where(c.is_not(None)))}

    def head(self, s: Session) -> ChainHead | None:
        """The chain's newest sealed row; None before its first."""
        position, newest = chain_end(s, self.columns)
        for column in self.columns if position else []:
            row = s.scalars(select(column.class_).where(column == newest)).first()
            if row is not None:
                return ChainHead(records=self.records, table=column.class_.__tablename__,
                                 row_id=0 if self.named else row.id,
                                 row=self.named(row) if self.named else "", rows=position,
                                 seal=newest)
        return None


RECORDS = [AnchoredChain(c.records, c.columns, c.replaced) for c in CHAINS]
ARCHIVED = AnchoredChain(
    "archived histories", [ArchivedRunRow.seal],
    named=lambda row: f"the archived history of {row.workflow_id} run {row.run_id}")
ANCHORED = [*RECORDS, ARCHIVED]


def heads(url: str) -> list[ChainHead]:
    """Each chain's newest sealed row; chains holding none are left out."""
    with Session(ready(url)) as s:
        return [head for chain in ANCHORED if (head := chain.head(s)) is not None]


def lost_since(url: str, anchored: Anchored, run: str, at: datetime) -> list[ChainLoss]:
    """The losses `anchored` carried, then each of its heads the chains no longer hold, found
    so by archivist run `run` at `at`: what that run's anchor carries on (a head carried
    already is not added again)."""
    carried = {(loss.head.records, loss.head.seal) for loss in anchored.anchor.lost}
    with Session(ready(url)) as s:
        held = {chain.records: chain.held(s) for chain in ANCHORED}
    return [*anchored.anchor.lost, *(
        ChainLoss(head=head, anchored_by=anchored.run, anchored_at=anchored.at, found_by=run,
                  found_at=at)
        for head in anchored.anchor.heads
        if head.records in held and (head.records, head.seal) not in carried
        and _gone(held[head.records], head) is not None)]


def compared(url: str, checks: list[RecordsCheck], anchored: Anchored) -> None:
    """Add to each of `checks` (of the bank's records) what `_missing` finds of its chain."""
    with Session(ready(url)) as s:
        for check, chain in zip(checks, RECORDS, strict=True):
            check.findings += _missing(s, chain, anchored)


def archive_missing(url: str, anchored: Anchored) -> list[Finding]:
    """What `_missing` finds of the archive's own chain (`archive verify`)."""
    with Session(ready(url)) as s:
        return _missing(s, ARCHIVED, anchored)


def _missing(s: Session, chain: AnchoredChain, anchored: Anchored) -> list[Finding]:
    """The heads an earlier pass found lost of `chain`, and its head `anchored`, that it still
    does not hold and whose absence the chain's own check does not say already (a place left
    empty before its newest)."""
    held = chain.held(s)
    lost = [loss for loss in anchored.anchor.lost if loss.head.records == chain.records]
    found = [_deleted(loss.head, loss.anchored_by, loss.anchored_at, since,
                      f"; found lost at {loss.found_at:{_AT}} by archivist run "
                      f"{loss.found_by}, the anchors since taken without it")
             for loss in lost if (since := _gone(held, loss.head)) is not None]
    head = next((h for h in anchored.anchor.heads if h.records == chain.records), None)
    if (head is not None and head.seal not in {loss.head.seal for loss in lost}
            and (since := _gone(held, head)) is not None):
        found.append(_deleted(head, anchored.run, anchored.at, since))
    return found


def _gone(held: set[str], head: ChainHead) -> str | None:
    """How `head` is missing from the chain holding the seals `held`; None when it is not, or
    when the chain's own check names the place it left empty."""
    if head.seal in held:
        return None
    positions = {position_of(seal) for seal in held} - {None}
    newest = max((p for p in positions if p is not None), default=0)
    if head.rows < newest and head.rows not in positions:
        return None  # a gap the chain's own check names
    return (f"the chain ends at seal #{newest}: the {head.rows - newest} row(s) sealed after "
            "it, up to this one, were deleted" if newest < head.rows
            else f"another row holds seal #{head.rows}")


def _deleted(head: ChainHead, run: str, at: datetime, since: str, found: str = "") -> Finding:
    return Finding(
        record=f"seal #{head.rows} of the {head.records}", found=Found.DELETED,
        detail=f"{_row(head)}, sealed and anchored at {at:{_AT}} by "
               f"archivist run {run}, is missing ({since}){found}: restore it from a backup")


def _row(head: ChainHead) -> str:
    return f"{head.row} ({head.table})" if head.row else f"row {head.row_id} of {head.table}"
