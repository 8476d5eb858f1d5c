"""The history archive: one row and one gzipped blob per closed run, idempotent, checked."""

from __future__ import annotations

import gzip
import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment, WorkflowEnvironment

from activities.archive import ArchiveActivities
from journey import archive_contracts as ac
from journey.archive_contracts import ArchivePassResult
from journey.settings import Settings
from store import archive, blobs
from store.blobs import DocumentStore
from store.seals import WrongKey
from tests.cli_kit import cli, point_cli_at, said

CLOSED = datetime(2026, 3, 31, 9, 30, tzinfo=UTC)
HISTORIES = Path(__file__).parents[1] / "histories"


def history_of(run_id: str, closed_at: datetime = CLOSED) -> str:
    """A two-event history of run `run_id` that continued as new at `closed_at`, as
    `history --json` prints one."""
    started = {"workflowType": {"name": "LoanJourneyWorkflow"}, "originalExecutionRunId": run_id}
    events = [
        {"eventId": "1", "eventTime": "2026-03-01T09:00:00Z",
         "eventType": "EVENT_TYPE_WORKFLOW_EXECUTION_STARTED",
         "workflowExecutionStartedEventAttributes": started},
        {"eventId": "2", "eventTime": closed_at.isoformat().replace("+00:00", "Z"),
         "eventType": "EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW"},
    ]
    return json.dumps({"events": events}, indent=2) + "\n"


HISTORY = history_of("r1")


def closed_run(run_id: str, closed_at: datetime = CLOSED) -> archive.ClosedRun:
    return archive.ClosedRun(
        workflow_id="loan-APP-1", run_id=run_id, workflow_type="LoanJourneyWorkflow",
        status="continued_as_new", closed_at=closed_at, events=2,
    )


def test_a_run_is_kept_once_and_read_back_as_it_was(
    db_url: str, tmp_path: Path, store: DocumentStore
) -> None:
    now = datetime.now(UTC)
    assert archive.keep(db_url, store, closed_run("r1"), HISTORY, now)
    assert not archive.keep(db_url, store, closed_run("r1"), HISTORY, now)  # nothing twice
    assert archive.keep(db_url, store, closed_run("r2", CLOSED + timedelta(days=1)),
                        history_of("r2", CLOSED + timedelta(days=1)), now)
    runs = archive.runs_of(db_url, "loan-APP-1")
    assert [(r.run_id, r.closed_at) for r in runs] == [("r1", CLOSED),
                                                       ("r2", CLOSED + timedelta(days=1))]
    assert archive.history_json(store, runs[0]) == HISTORY
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


def test_a_blob_changed_on_disk_is_refused_with_what_to_do(
    db_url: str, tmp_path: Path, store: DocumentStore
) -> None:
    archive.keep(db_url, store, closed_run("r1"), HISTORY, datetime.now(UTC))
    (run,) = archive.runs_of(db_url, "loan-APP-1")
    blob = blobs.path(tmp_path, run.sha256)
    blob.write_bytes(gzip.compress(HISTORY.replace("STARTED", "EDITED").encode(), mtime=0))
    with pytest.raises(archive.ArchiveDamaged, match="does not match its sha256.*from a backup"):
        archive.history_json(store, run)


def recorded(name: str, workflow_id: str) -> tuple[archive.ClosedRun, str]:
    """A recorded journey's history and the row the archivist keeps for it."""
    text = (HISTORIES / f"{name}.json").read_text(encoding="utf-8")
    events = json.loads(text)["events"]
    run = archive.ClosedRun(
        workflow_id=workflow_id,
        run_id=events[0]["workflowExecutionStartedEventAttributes"]["originalExecutionRunId"],
        workflow_type="LoanJourneyWorkflow", status="completed",
        closed_at=datetime.fromisoformat(events[-1]["eventTime"]), events=len(events),
    )
    return run, text


def test_a_row_pointed_at_another_loans_history_is_refused_naming_both(
    db_url: str, store: DocumentStore
) -> None:
    now = datetime.now(UTC)
    for name, workflow_id in (("closed_repaid", "loan-APP-1"),
                              ("rejected_at_risk_review", "loan-APP-3")):
        archive.keep(db_url, store, *recorded(name, workflow_id), now)
    (repaid,) = archive.runs_of(db_url, "loan-APP-1")
    (rejected,) = archive.runs_of(db_url, "loan-APP-3")
    assert archive.history_json(store, repaid).count("EVENT_TYPE") == 203  # intact: read

    swapped = repaid.model_copy(update={"sha256": rejected.sha256})  # the row's digest changed
    with pytest.raises(archive.ArchiveDamaged) as refused:
        archive.history_json(store, swapped)
    said = str(refused.value)
    assert f"loan-APP-1 run {repaid.run_id}" in said
    assert f"it is run {rejected.run_id}'s history" in said
    assert f"{rejected.events} events, not 203" in said and "restore" in said

    for change, why in (({"events": 204}, "203 events, not 204"),
                        ({"status": "terminated"}, "it ended completed, not terminated"),
                        ({"closed_at": repaid.closed_at + timedelta(hours=1)}, "it closed at"),
                        ({"run_id": "r-other"}, f"it is run {repaid.run_id}'s history")):
        with pytest.raises(archive.ArchiveDamaged, match=why):
            archive.history_json(store, repaid.model_copy(update=change))


KEY = b"archive-key-kept-by-the-bank-1234"


def test_a_sealed_run_changed_without_the_key_is_refused(db_url: str, store: DocumentStore) -> None:
    """Whoever can write the database and the store can make a row and its blob agree
    (a new digest); without the archive key they cannot make the seal agree."""
    other = closed_run("r2", CLOSED + timedelta(days=1))
    assert archive.keep(db_url, store, other, history_of("r2", other.closed_at),
                        datetime.now(UTC))  # before the key was set: unsealed
    assert archive.keep(db_url, store, closed_run("r1"), HISTORY, datetime.now(UTC), KEY)
    sealed, unsealed = archive.runs_of(db_url, "loan-APP-1")
    assert archive.history_json(store, sealed, KEY) == HISTORY
    with pytest.raises(archive.ArchiveDamaged, match="has no seal"):
        archive.history_json(store, unsealed, KEY)
    with pytest.raises(archive.ArchiveDamaged, match="seal .* does not match"):
        archive.history_json(store, sealed, b"another-key-altogether-5678")
    assert archive.seal_unsealed(db_url, KEY, [("loan-APP-1", "r2")]) == 1  # vouched for
    resealed = archive.runs_of(db_url, "loan-APP-1")[1]
    assert archive.history_json(store, resealed, KEY) == history_of("r2", other.closed_at)

    # a forger rewrites the history, stores it under its new digest and points the row at it
    forged = HISTORY.replace("2026-03-01T09:00:00Z", "2026-03-02T09:00:00Z")
    ref = blobs.put(store, gzip.compress(forged.encode(), mtime=0), "forged.json.gz")
    with create_engine(db_url).begin() as db:
        db.execute(text("update archived_histories set sha256 = :d where run_id = 'r1'"),
                   {"d": ref.sha256})
    changed = archive.runs_of(db_url, "loan-APP-1")[0]
    assert archive.history_json(store, changed) == forged  # unkeyed checks pass it
    with pytest.raises(archive.ArchiveDamaged, match="changed by someone without the archive"):
        archive.history_json(store, changed, KEY)


def test_once_a_run_is_sealed_none_is_archived_without_the_key(
    db_url: str, store: DocumentStore
) -> None:
    assert archive.keep(db_url, store, closed_run("r1"), HISTORY, datetime.now(UTC), KEY)
    later = closed_run("r2", CLOSED + timedelta(days=1))
    with pytest.raises(archive.KeyRequired, match="set LOAN_JOURNEY_ARCHIVE_KEY"):
        archive.keep(db_url, store, later, history_of("r2", later.closed_at),
                     datetime.now(UTC))
    assert [r.run_id for r in archive.runs_of(db_url)] == ["r1"]  # nothing written
    assert archive.seal_unsealed(db_url, KEY, [("loan-APP-1", "r1")]) == 0  # sealed already


def test_a_sealed_row_deleted_leaves_the_next_one_unverifiable(
    db_url: str, store: DocumentStore
) -> None:
    """Each seal covers the one before it: a row taken out of the table is missed."""
    days = [CLOSED + timedelta(days=d) for d in range(3)]
    for n, closed in enumerate(days, start=1):
        assert archive.keep(db_url, store, closed_run(f"r{n}", closed),
                            history_of(f"r{n}", closed), datetime.now(UTC), KEY)
    runs = archive.runs_of(db_url)
    assert [archive.position_of(r.seal) for r in runs] == [1, 2, 3]
    for r in runs:
        archive.history_json(store, r, KEY)  # the chain holds
    with create_engine(db_url).begin() as db:
        db.execute(text("delete from archived_histories where run_id = 'r2'"))
    first, third = archive.runs_of(db_url)
    archive.history_json(store, first, KEY)
    with pytest.raises(archive.ArchiveDamaged, match=r"sealed before .* r3 \(seal #2\) is "
                                                     "missing from the archive"):
        archive.history_json(store, third, KEY)


def test_a_seal_from_before_the_chain_still_verifies(db_url: str, store: DocumentStore) -> None:
    assert archive.keep(db_url, store, closed_run("r1"), HISTORY, datetime.now(UTC))
    (run,) = archive.runs_of(db_url)
    with create_engine(db_url).begin() as db:  # as the version before the chain sealed it
        db.execute(text("update archived_histories set seal = :s"),
                   {"s": archive.seal_of(KEY, run, run.sha256)})
    (old,) = archive.runs_of(db_url)
    assert archive.history_json(store, old, KEY) == HISTORY
    with pytest.raises(archive.ArchiveDamaged, match="does not match"):
        archive.history_json(store, old, b"another-key-altogether-5678")
    archive.key_checked(db_url, KEY)  # the chain goes on from it with its key, no other
    with pytest.raises(WrongKey):
        archive.key_checked(db_url, b"another-key-altogether-5678")


WRONG = b"another-key-altogether-5678"


async def test_a_wrong_key_archives_and_seals_nothing(
    db_url: str, tmp_path: Path, store: DocumentStore, time_skipping_env: WorkflowEnvironment,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A key not the archive's would append runs whose seals never pass their check: the
    store, the workers' hourly pass and `archive seal` refuse it before writing anything;
    `archive verify` refuses it before checking any seal, as `records verify` does (exit 8)."""
    assert archive.keep(db_url, store, closed_run("r0"), history_of("r0"), datetime.now(UTC))
    days = [CLOSED + timedelta(days=d) for d in (1, 2)]
    for n, closed in enumerate(days, start=1):
        assert archive.keep(db_url, store, closed_run(f"r{n}", closed),
                            history_of(f"r{n}", closed), datetime.now(UTC), KEY)
    before = archive.runs_of(db_url)
    later = closed_run("r3", CLOSED + timedelta(days=3))
    wrong = "LOAN_JOURNEY_ARCHIVE_KEY is not the key the archive's runs were sealed with"
    with pytest.raises(WrongKey, match=f"{wrong}: nothing archived"):
        archive.keep(db_url, store, later, history_of("r3", later.closed_at),
                     datetime.now(UTC), WRONG)
    with pytest.raises(WrongKey, match=wrong):
        archive.seal_unsealed(db_url, WRONG, [("loan-APP-1", "r0")])
    assert archive.runs_of(db_url) == before  # nothing written, nor stored
    unstored = gzip.compress(history_of("r3", later.closed_at).encode(), mtime=0)
    assert not blobs.path(tmp_path, hashlib.sha256(unstored).hexdigest()).exists()

    settings = Settings(database_url=db_url, data_dir=tmp_path, archive_key="x" * 27)
    with pytest.raises(ApplicationError) as refused:  # the worker's pass: not retried
        await ActivityEnvironment(time_skipping_env.client).run(
            ArchiveActivities(settings).archive_closed_runs, ac.ArchivePassInput())
    assert refused.value.type == "WrongKey" and refused.value.non_retryable
    assert wrong in str(refused.value)
    monkeypatch.setenv("LOAN_JOURNEY_DATABASE_URL", db_url)
    monkeypatch.setenv("LOAN_JOURNEY_ARCHIVE_KEY", "x" * 27)
    point_cli_at(monkeypatch, time_skipping_env.client)
    for command in ("run", "seal", "verify"):
        done = await cli("archive", command)
        assert done.exit_code == 8 and wrong in said(done), done.output
    unchecked = said(await cli("archive", "verify"))  # said once, not every run changed
    assert "none of their seals matches it, so none was checked" in unchecked
    assert "does not match its row" not in unchecked
    read = await cli("history", "loan-APP-1", "--archived")  # an archived run read, the same
    assert read.exit_code == 8 and f"{wrong}: none of their seals" in said(read), read.output

    # the newest run changed, the one before matching: a run to restore, not a wrong key
    with create_engine(db_url).begin() as db:
        db.execute(text("update archived_histories set events = 3 where run_id = 'r2'"))
    archive.key_checked(db_url, KEY)
    with pytest.raises(WrongKey):
        archive.key_checked(db_url, WRONG)


@pytest.fixture
def store(tmp_path: Path) -> DocumentStore:
    """The document store in the test's folder, plain."""
    return DocumentStore(tmp_path)
