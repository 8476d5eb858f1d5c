"""Which scans have passed their retention (journey/policy/retention.py), and their erasure.

A scan is a file of the document store (store/blobs.py) that a journey's reading names
(`document_readings`). It has passed its retention once every journey whose reading names it
ended (store/journey_ends.py) longer ago than the rule keeps them: the same bytes sent to two
journeys are one file, kept while either still needs it. A file written, or sent again
(`blobs.put` touches it), in the last `RECENT` is kept too: a journey may have it without
having read it yet. An archived history (store/archive.py) is no scan, whatever names it:
never erased. Only the file is erased; the readings, the stage events and the histories are
sealed records, kept as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from journey.policy.calendar import WorkingCalendar
from journey.policy.retention import ScanRetention
from store import blobs, journey_ends
from store.archive import ArchivedRunRow
from store.db import session
from store.models import DocumentReadingRow
from store.scan_erasures import Erasure, record_erasure

RECENT = timedelta(days=30)


@dataclass(frozen=True)
class Due:
    """A scan past its retention: every journey that has it, and the last of their ends."""

    sha256: str
    journeys: list[str]
    ended_at: datetime
    kept_until: date
    path: Path


@dataclass(frozen=True)
class Kept:
    """A scan of journeys past retention kept all the same, and why."""

    sha256: str
    journeys: list[str]  # those past retention
    why: str


@dataclass
class Reviewed:
    due: list[Due] = field(default_factory=list)
    kept: list[Kept] = field(default_factory=list)


def reviewed(url: str, root: Path, retention: ScanRetention) -> Reviewed:
    """The scans in the store at `root` whose journeys have all passed `retention` today,
    and those kept though some have (shared with a journey that has not, an archived
    history's file, or written lately)."""
    now = datetime.now(UTC)
    day = WorkingCalendar().day_of
    ends = journey_ends.ended(url)
    until = {wf: retention.kept_until(day(at)) for wf, at in ends.items()}
    done = Reviewed()
    scans, histories = _scans(url)
    for sha256, journeys in sorted(scans.items()):
        where = blobs.path(root, sha256)
        past = sorted(wf for wf in journeys if wf in until and until[wf] < day(now))
        if not past or not where.is_file():
            continue
        others = sorted(journeys - set(past))
        written = datetime.fromtimestamp(where.stat().st_mtime, UTC)
        if others:
            done.kept.append(Kept(sha256, past, "also " + ", ".join(
                f"{wf}'s ({f'kept until {until[wf]}' if wf in until else 'not ended'})"
                for wf in others)))
        elif sha256 in histories:
            done.kept.append(Kept(sha256, past, "an archived history's file too: never erased"))
        elif now - written < RECENT:
            done.kept.append(Kept(sha256, past, f"written on {day(written)}, less than "
                                  f"{RECENT.days} days ago: a journey may not have read it yet"))
        else:
            last = max(past, key=lambda wf: ends[wf])
            done.due.append(Due(sha256, past, ends[last], until[last], where))
    return done


def erase(url: str, due: Due, erasure: Erasure, key: bytes) -> None:
    """Keep `erasure` of the scan `due` (sealed with `key`), then erase its file: a run
    stopped between the two erases it next time, its erasure kept once."""
    record_erasure(url, erasure, key)
    due.path.unlink(missing_ok=True)


def _scans(url: str) -> tuple[dict[str, set[str]], set[str]]:
    """Each digest a journey's reading names, with the journeys whose readings name it; and
    the digests of the archive's histories."""
    with session(url) as s:
        named: dict[str, set[str]] = {}
        for sha256, wf in s.execute(select(DocumentReadingRow.sha256,
                                           DocumentReadingRow.workflow_id)):
            named.setdefault(sha256, set()).add(wf)
        return named, set(s.scalars(select(ArchivedRunRow.sha256)))
