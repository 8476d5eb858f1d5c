"""The history archivist: its workflow, activity and schedule, by name.

Temporal deletes a closed run once the namespace's retention has passed; the archivist keeps
every closed run's history in the journey's own store first (store/archive.py), on a
schedule that runs well inside the retention.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel, Field

ARCHIVIST_WORKFLOW = "HistoryArchivist"
ARCHIVE_CLOSED_RUNS = "archive_closed_runs"
ANCHOR_CHAINS = "anchor_record_chains"
# The workflow's marker: from it on, each pass records the heads of the sealed records' chains
ANCHOR_PATCH = "chain-anchor"
SCHEDULE_ID = "history-archivist"
EVERY = timedelta(hours=1)
# Visibility lists a run a moment after it closes: each pass looks this far behind the start
# of the last complete pass, and skips what the archive holds.
OVERLAP = timedelta(hours=1)


class ArchivePassInput(BaseModel):
    overlap_seconds: int = Field(default=int(OVERLAP.total_seconds()), ge=0)


class ChainHead(BaseModel):
    """The newest sealed row of one chain: of the bank's records (store/sealed_records.py), or
    of the archive's histories (store/archive.py)."""

    records: str  # the chain, as `records verify` names it: "refused attempts"
    table: str  # the newest sealed row's table
    row_id: int  # 0 for a row of a table without a numeric id, named by `row`
    # such a row's name: "the archived history of <workflow id> run <run id>"; a field of its
    # own, so that a worker from before it still reads an anchor holding one
    row: str = ""
    rows: int  # rows sealed in the chain so far: the newest seal's position
    seal: str


class ChainAnchorInput(BaseModel):
    pass


class ChainLoss(BaseModel):
    """An anchored head a later pass found its chain no longer holding: the row deleted (or
    its seal removed), which pass anchored it, and which found it lost."""

    head: ChainHead
    anchored_by: str  # the archivist run (workflow id) whose anchor held it
    anchored_at: datetime
    found_by: str  # the archivist run that found its chain without it
    found_at: datetime


class ChainAnchor(BaseModel):
    """Each sealed chain's head as a pass found it, kept in the archivist's history, where
    whoever can write the database cannot rewrite it: `records verify` names a chain shorter
    than its anchor (its newest rows deleted, which the chain alone does not show), and the
    heads earlier passes found lost, which a later anchor, taken on the shortened chain,
    no longer holds."""

    taken_at: datetime
    heads: list[ChainHead]  # chains holding no sealed row are left out
    # every head found lost since anchors began, each pass carrying the previous pass's on;
    # empty in a pass recorded before losses were carried
    lost: list[ChainLoss] = Field(default_factory=list)


class ArchivePassResult(BaseModel):
    archived: int  # runs whose history this pass stored
    held: int  # closed runs listed that the archive held already
    gone: int  # listed, but deleted by the retention before this pass read them
    closed_since: datetime | None  # the close time it listed from; None: every closed run
    anchor: ChainAnchor | None = None  # None: a pass before marker `chain-anchor`, or `archive run`
    # spans closed of journeys the server ended (terminated, ...) that recorded no end of their own
    ended_outside: int = 0
    # runs not archived (nor sealed) because their history disagrees with the bank's sealed
    # records (starter/history_cross_check.py): each "<id> run <run>: <what differs>"
    kept_out: list[str] = []
