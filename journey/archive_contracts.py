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
SCHEDULE_ID = "history-archivist"
EVERY = timedelta(hours=1)
# Visibility lists a run a moment after it closes: each pass looks this far behind the start
# of the last complete pass, and skips what the archive holds.
OVERLAP = timedelta(hours=1)


class ArchivePassInput(BaseModel):
    overlap_seconds: int = Field(default=int(OVERLAP.total_seconds()), ge=0)


class ArchivePassResult(BaseModel):
    archived: int  # runs whose history this pass stored
    held: int  # closed runs listed that the archive held already
    gone: int  # listed, but deleted by the retention before this pass read them
    closed_since: datetime | None  # the close time it listed from; None: every closed run
