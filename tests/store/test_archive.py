"""The history archive: one row and one gzipped blob per closed run, idempotent, checked."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from journey.archive_contracts import ArchivePassResult
from store import archive, blobs

CLOSED = datetime(2026, 3, 31, 9, 30, tzinfo=UTC)
HISTORY = '{"events": [{"eventId": "1", "eventType": "EVENT_TYPE_WORKFLOW_EXECUTION_STARTED"}]}\n'


def closed_run(run_id: str, closed_at: datetime = CLOSED) -> archive.ClosedRun:
    return archive.ClosedRun(
        workflow_id="loan-APP-1", run_id=run_id, workflow_type="LoanJourneyWorkflow",
        status="continued_as_new", closed_at=closed_at, events=1,
    )


def test_a_run_is_kept_once_and_read_back_as_it_was(db_url: str, tmp_path: Path) -> None:
    now = datetime.now(UTC)
    assert archive.keep(db_url, tmp_path, closed_run("r1"), HISTORY, now)
    assert not archive.keep(db_url, tmp_path, closed_run("r1"), HISTORY, now)  # nothing twice
    assert archive.keep(db_url, tmp_path, closed_run("r2", CLOSED + timedelta(days=1)),
                        HISTORY.replace("1", "2"), now)
    runs = archive.runs_of(db_url, "loan-APP-1")
    assert [(r.run_id, r.closed_at) for r in runs] == [("r1", CLOSED),
                                                       ("r2", CLOSED + timedelta(days=1))]
    assert archive.history_json(tmp_path, runs[0]) == HISTORY
    stored = blobs.path(tmp_path, runs[0].sha256).read_bytes()
    assert gzip.decompress(stored).decode() == HISTORY  # gzipped, named by its digest
    assert archive.archived_ids(db_url, [("loan-APP-1", "r1"), ("loan-APP-1", "r9"),
                                         ("loan-APP-2", "r1")]) == {("loan-APP-1", "r1")}
    assert archive.runs_of(db_url, "loan-APP-2") == []
    assert archive.runs_of(db_url) == runs  # every archived run


def test_the_next_pass_lists_from_the_start_of_the_last_complete_one(db_url: str) -> None:
    assert archive.last_pass_started(db_url) is None  # the first pass lists every closed run
    assert archive.archived_ids(db_url, []) == set()
    for hours in (1, 3, 2):  # recorded as they finish, which need not be in order
        started = CLOSED + timedelta(hours=hours)
        done = ArchivePassResult(archived=hours, held=0, gone=0, closed_since=None)
        archive.record_pass(db_url, started, started + timedelta(minutes=5), done)
    assert archive.last_pass_started(db_url) == CLOSED + timedelta(hours=3)


def test_a_blob_changed_on_disk_is_refused_with_what_to_do(db_url: str, tmp_path: Path) -> None:
    archive.keep(db_url, tmp_path, closed_run("r1"), HISTORY, datetime.now(UTC))
    (run,) = archive.runs_of(db_url, "loan-APP-1")
    blob = blobs.path(tmp_path, run.sha256)
    blob.write_bytes(gzip.compress(HISTORY.replace("STARTED", "EDITED").encode(), mtime=0))
    with pytest.raises(archive.ArchiveDamaged, match="does not match its sha256.*from a backup"):
        archive.history_json(tmp_path, run)
