"""The sealed records' chains against their anchor: each chain's head (its newest sealed row)
as the archivist's last pass recorded it in its history (journey/archive_contracts.py),
outside the database.

A chain alone does not show its newest rows deleted: the shorter chain still verifies. Its
anchor does, for the rows sealed up to the pass that recorded it: a chain that no longer
holds its anchored seal lost that row (and, when it ends before it, the rows sealed between).
Rows sealed after the last anchor are vouched for by the chain alone until the next pass.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from journey.archive_contracts import ChainAnchor, ChainHead
from store.db import ready
from store.record_seals import CHAINS, Finding, Found, RecordsCheck, SealedRecords
from store.seals import chain_end, position_of


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


def compared(url: str, checks: list[RecordsCheck], anchored: Anchored) -> None:
    """Add to each of `checks` its anchored row, when its chain no longer holds its seal and
    the chain's own check does not say so already (a place left empty before its newest)."""
    by_chain = {h.records: h for h in anchored.anchor.heads}
    with Session(ready(url)) as s:
        for check, chain in zip(checks, CHAINS, strict=True):
            head = by_chain.get(chain.records)
            if head is not None:
                check.findings += _missing(chain.held(s), head, anchored)


def _missing(held: set[str], head: ChainHead, anchored: Anchored) -> list[Finding]:
    if head.seal in held:
        return []
    positions = {position_of(seal) for seal in held} - {None}
    newest = max((p for p in positions if p is not None), default=0)
    if head.rows < newest and head.rows not in positions:
        return []  # a gap the chain's own check names
    since = (f"the chain ends at seal #{newest}: the {head.rows - newest} row(s) sealed after "
             "it, up to this one, were deleted" if newest < head.rows
             else f"another row holds seal #{head.rows}")
    return [Finding(
        record=f"seal #{head.rows} of the {head.records}", found=Found.DELETED,
        detail=f"row {head.row_id} of {head.table}, sealed and anchored at "
               f"{anchored.at:%Y-%m-%d %H:%M:%S %Z} by archivist run {anchored.run}, is "
               f"missing ({since}): restore it from a backup")]
