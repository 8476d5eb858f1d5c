"""The sealed records' chains against their anchor: each chain's head (its newest sealed row)
as the archivist's last pass recorded it in its history (journey/archive_contracts.py),
outside the database.

A chain alone does not show its newest rows deleted: the shorter chain still verifies. Its
anchor does, for the rows sealed up to the pass that recorded it: a chain that no longer
holds its anchored seal lost that row (and, when it ends before it, the rows sealed between).
Rows sealed after the last anchor are vouched for by the chain alone until the next pass.
Each pass compares the chains with the previous pass's anchor too, and carries on in its own
every head found lost, with the losses the previous one carried: a pass after a deletion
anchors the shortened chain, and the deletion stays named by the losses it carries.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from journey.archive_contracts import ChainAnchor, ChainHead, ChainLoss
from store.db import ready
from store.record_seals import CHAINS, Finding, Found, RecordsCheck, SealedRecords
from store.seals import chain_end, position_of

_AT = "%Y-%m-%d %H:%M:%S %Z"


class Anchored(BaseModel):
    """The latest anchor, and the archivist run whose history holds it."""

    run: str  # the archivist run's workflow id
    anchor: ChainAnchor

    @property
    def at(self) -> datetime:
        return self.anchor.taken_at


def heads(url: str) -> list[ChainHead]:
    """Each chain's newest sealed row; chains holding none are left out."""
    with Session(ready(url)) as s:
        return [head for chain in CHAINS if (head := _head(s, chain)) is not None]


def _head(s: Session, chain: SealedRecords) -> ChainHead | None:
    position, newest = chain_end(s, chain.columns)
    for table in chain.tables if position else []:
        row = s.scalars(select(table.row).where(table.row.seal == newest)).first()
        if row is not None:
            return ChainHead(records=chain.records, table=table.row.__tablename__,
                             row_id=row.id, rows=position, seal=newest)
    return None


def lost_since(url: str, anchored: Anchored, run: str, at: datetime) -> list[ChainLoss]:
    """The losses `anchored` carried, then each of its heads the chains no longer hold, found
    so by archivist run `run` at `at`: what that run's anchor carries on (a head carried
    already is not added again)."""
    carried = {(loss.head.records, loss.head.seal) for loss in anchored.anchor.lost}
    with Session(ready(url)) as s:
        held = {chain.records: chain.held(s) for chain in CHAINS}
    return [*anchored.anchor.lost, *(
        ChainLoss(head=head, anchored_by=anchored.run, anchored_at=anchored.at, found_by=run,
                  found_at=at)
        for head in anchored.anchor.heads
        if head.records in held and (head.records, head.seal) not in carried
        and _gone(held[head.records], head) is not None)]


def compared(url: str, checks: list[RecordsCheck], anchored: Anchored) -> None:
    """Add to each of `checks` the heads an earlier pass found lost, and its anchored row,
    that its chain still does not hold and whose absence the chain's own check does not
    say already (a place left empty before its newest)."""
    by_chain = {h.records: h for h in anchored.anchor.heads}
    with Session(ready(url)) as s:
        for check, chain in zip(checks, CHAINS, strict=True):
            held = chain.held(s)
            lost = [loss for loss in anchored.anchor.lost if loss.head.records == chain.records]
            for loss in lost:
                if (since := _gone(held, loss.head)) is not None:
                    check.findings.append(_deleted(
                        loss.head, loss.anchored_by, loss.anchored_at, since,
                        f"; found lost at {loss.found_at:{_AT}} by archivist run "
                        f"{loss.found_by}, the anchors since taken without it"))
            head = by_chain.get(chain.records)
            if (head is not None and head.seal not in {loss.head.seal for loss in lost}
                    and (since := _gone(held, head)) is not None):
                check.findings.append(_deleted(head, anchored.run, anchored.at, since))


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
        detail=f"row {head.row_id} of {head.table}, sealed and anchored at {at:{_AT}} by "
               f"archivist run {run}, is missing ({since}){found}: restore it from a backup")
