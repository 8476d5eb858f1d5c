"""`loan-journey scans erase`: the scans of journeys that ended longer ago than the lending
policy keeps them (5 years without a `retention`) really erased from the document store on
disk, each erasure kept sealed in the journey database (SQLite); a scan another journey still
needs, sent again lately, or an archived history's file, kept; the readings, stage events and
histories left as they are. After it, `scans get` says the scan was erased (exit 4), and
`records verify` takes it for no missing file, while a file deleted otherwise is still named.
Journeys ended long ago are written as the store writes a journey's end: the `entered` event
of its terminal stage, and the archivist's `exited` event for one ended outside the engine."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment
from typer.testing import CliRunner, Result

from activities.documents import DocumentActivities
from journey.application import Product
from journey.contracts import KeepReadingInput, ReadDocumentInput
from journey.documents import (
    BusinessLicense,
    DocumentKind,
    DocumentReading,
    DocumentRef,
    ReadStatus,
)
from journey.policy import PolicyError, WorkingCalendar, parse_policy
from journey.repayment import add_months
from journey.settings import Settings
from journey.stages import Party, Stage
from journey.timeline import EventType, TimingEvent
from starter.cli import app
from starter.errors import Erased, KeysNeeded, Refused
from starter.subject import Findings, Journey, in_readings
from starter.subject import said as subject_said
from starter.subject_match import Sought
from store import archive, blobs
from store.blobs import DocumentStore
from store.documents import readings_for, record_reading
from store.ended_outside import record_outside_end
from store.refusals import refusals
from store.scan_erasures import Erasure, erased, record_erasure
from store.timing import record_events
from tests.cli_kit import said
from tests.ocr.conftest import SAMPLES
from tests.store.test_archive import HISTORY, closed_run
from tests.store.test_lpr_fixings import rows
from tests.store.test_record_seals import KEY, found, records, sql

DAY = WorkingCalendar().day_of  # the bank's day of a moment
LONG_AGO = datetime.now(UTC) - timedelta(days=3 * 365)  # when the old scans were uploaded
RULE = "policy 2026.12-8: scans kept 5 years after their last journey ended"


def ended(url: str, wf: str, at: datetime, end: Stage | None) -> None:
    """A journey that entered intake a month before `at` and ended then: in `end` (its
    own `entered` event, as the journey records it), or, `end` None, ended outside the engine
    (as the archivist records it)."""
    entered = TimingEvent(workflow_id=wf, sequence=0, type=EventType.ENTERED,
                          stage=Stage.INTAKE, at=at - timedelta(days=30), waits_on=Party.BANK,
                          product=Product.WORKING_CAPITAL)
    record_events(url, [entered], KEY.encode())
    if end is None:
        record_outside_end(url, wf, at, "terminated by ops-admin: duplicate", key=KEY.encode())
        return
    record_events(url, [
        entered.model_copy(update={"sequence": 1, "type": EventType.EXITED, "at": at,
                                   "outcome": end.value}),
        entered.model_copy(update={"sequence": 2, "stage": end, "at": at,
                                   "waits_on": Party.SYSTEM})], KEY.encode())


def scan(url: str, root: Path, data: bytes, name: str, *journeys: str) -> DocumentRef:
    """`data` stored as `start` stores it, years ago, and read by `journeys`."""
    ref = blobs.put(DocumentStore(root), data, name)
    os.utime(blobs.path(root, ref.sha256), (LONG_AGO.timestamp(), LONG_AGO.timestamp()))
    for wf in journeys:
        record_reading(url, wf, DocumentReading(ref=ref, status=ReadStatus.READ,
                                                kind=DocumentKind.OTHER), KEY.encode())
    return ref


@pytest.fixture
def store(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LOAN_JOURNEY_DATABASE_URL", db_url)
    monkeypatch.setenv("LOAN_JOURNEY_ARCHIVE_KEY", KEY)
    monkeypatch.setenv("LOAN_JOURNEY_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("LOAN_JOURNEY_TEMPORAL_ADDRESS", "127.0.0.1:9")  # none: store alone
    root = Settings().documents_dir
    root.mkdir(parents=True)
    return root


@pytest.fixture
def now() -> datetime:
    """The test's own moment, the day it erases on: one read as the module was collected was
    the day before for a test run after midnight in Beijing (as CI's may be)."""
    return datetime.now(UTC)


@pytest.fixture
def scans(db_url: str, store: Path, now: datetime) -> dict[str, DocumentRef]:
    """loan-OLD rejected in 2015, loan-GONE terminated outside the engine in 2016, loan-LATE
    closed a year ago, loan-RUNNING still running; the bytes of the old scans shared, sent
    again, or an archived history's."""
    ended(db_url, "loan-OLD", datetime(2015, 3, 4, 2, 0, tzinfo=UTC), Stage.REJECTED)
    ended(db_url, "loan-GONE", datetime(2016, 6, 1, 8, 0, tzinfo=UTC), None)
    ended(db_url, "loan-LATE", now - timedelta(days=365), Stage.CLOSED)
    record_events(db_url, [TimingEvent(
        workflow_id="loan-RUNNING", sequence=0, type=EventType.ENTERED, stage=Stage.INTAKE,
        at=now, waits_on=Party.BANK, product=Product.WORKING_CAPITAL)], KEY.encode())
    archive.keep(db_url, DocumentStore(store), closed_run("r1"), HISTORY, now)
    [history] = archive.runs_of(db_url)
    refs = {
        "licence": scan(db_url, store, (SAMPLES / "company1_business_license.jpg").read_bytes(),
                        "licence.jpg", "loan-OLD"),
        "sheet": scan(db_url, store, (SAMPLES / "company1_balance_sheet.jpg").read_bytes(),
                      "balance.jpg", "loan-GONE", "loan-OLD"),
        "shared": scan(db_url, store, b"income statement 2014", "income.pdf", "loan-OLD",
                       "loan-RUNNING"),
        "late": scan(db_url, store, b"income statement 2024", "income.pdf", "loan-LATE",
                     "loan-GONE"),
        "again": scan(db_url, store, b"cash flow 2015", "cash.pdf", "loan-GONE"),
        "history": scan(db_url, store, blobs.path(store, history.sha256).read_bytes(),
                        "history.json.gz", "loan-OLD"),
    }
    blobs.put(DocumentStore(store), b"cash flow 2015", "cash.pdf")  # sent again today
    return refs


def erase(*args: str) -> Result:
    return CliRunner().invoke(app, ["scans", "erase", *args])


def on_disk(store: Path, refs: dict[str, DocumentRef]) -> set[str]:
    return {name for name, ref in refs.items() if blobs.exists(store, ref.sha256)}


def test_a_dry_run_lists_and_erase_removes_only_the_scans_past_retention(
    db_url: str, store: Path, scans: dict[str, DocumentRef], now: datetime
) -> None:
    licence, sheet = scans["licence"].sha256, scans["sheet"].sha256
    listed = erase("--dry-run", "--as", "audit-1")
    assert listed.exit_code == 0, listed.output
    *lines, summary = listed.output.splitlines()
    assert set(lines) == {
        f"would erase (dry run): {licence} of loan-OLD (kept until 2020-03-04)",
        f"would erase (dry run): {sheet} of loan-GONE, loan-OLD (kept until 2021-06-01)",
        f"kept: {scans['shared'].sha256} of loan-OLD: also loan-RUNNING's (not ended)",
        f"kept: {scans['late'].sha256} of loan-GONE: also loan-LATE's (kept until "
        f"{add_months(DAY(now - timedelta(days=365)), 60)})",
        f"kept: {scans['again'].sha256} of loan-GONE: written on {DAY(now)}, less than 30 "
        "days ago: a journey may not have read it yet",
        f"kept: {scans['history'].sha256} of loan-OLD: an archived history's file too: never "
        "erased"}
    assert summary == f"2 scan(s) would erase (dry run) under {RULE}; 4 kept"
    assert on_disk(store, scans) == set(scans)
    assert rows(db_url, "select count(*) from scan_erasures") == [("0",)]

    done = erase("--as", "sup-sme")
    assert done.exit_code == 0, done.output
    assert f"erased: {licence} of loan-OLD (kept until 2020-03-04)" in done.output
    assert f"2 scan(s) erased under {RULE}; 4 kept" in done.output
    assert on_disk(store, scans) == {"shared", "late", "again", "history"}
    assert sorted(rows(db_url, "select sha256, journeys, erased_by, role, rule, case when "
                               "seal is null then 'unsealed' else 'sealed' end "
                               "from scan_erasures")) == sorted([
        (licence, "loan-OLD", "sup-sme", "supervisor", RULE, "sealed"),
        (sheet, "loan-GONE, loan-OLD", "sup-sme", "supervisor", RULE, "sealed")])
    assert [(e.ended_at, e.erased_on) for e in (erased(db_url, licence), erased(db_url, sheet))
            if e is not None] == [(datetime(2015, 3, 4, 2, tzinfo=UTC), DAY(now)),
                                  (datetime(2016, 6, 1, 8, tzinfo=UTC), DAY(now))]
    # what the journeys read of them, and how they ended, stay as they were
    assert rows(db_url, "select count(*) from document_readings") == [("9",)]
    assert archive.history_json(DocumentStore(store), archive.runs_of(db_url)[0]) == HISTORY

    again = erase("--as", "sup-sme")
    assert "0 scan(s) erased" in again.output
    assert rows(db_url, "select count(*) from scan_erasures") == [("2",)]


def test_after_erasure_scans_get_says_so_and_records_verify_finds_nothing_missing(
    db_url: str, store: Path, scans: dict[str, DocumentRef], now: datetime, tmp_path: Path
) -> None:
    assert erase("--as", "sup-sme").exit_code == 0
    got = CliRunner().invoke(app, ["scans", "get", scans["licence"].sha256[:12],
                                   "--out", str(tmp_path / "x.jpg")])
    assert got.exit_code == Erased.exit_code == 4, got.output
    assert (f"document {scans['licence'].sha256} (other 'licence.jpg' of loan-OLD) was erased "
            f"on {DAY(now)} under retention ({RULE}; its last journey ended "
            "on 2015-03-04), by sup-sme: the bank no longer holds it") in said(got)
    assert not (tmp_path / "x.jpg").exists()

    checked = records("verify")
    assert checked.exit_code == 0, checked.output
    assert "scan erasures: 2 row(s) checked, 0 changed" in said(checked)

    # a file deleted otherwise is still one missing; an erasure changed in the database too
    blobs.path(store, scans["late"].sha256).unlink()
    [(changed,)] = rows(db_url, "select id from scan_erasures where sha256 = "
                                f"'{scans['sheet'].sha256}'")
    sql(db_url, f"update scan_erasures set journeys = 'loan-OLD' where id = {changed}")
    checked = records("verify")
    assert checked.exit_code == 1, checked.output
    assert found(checked) == {
        "document income.pdf of loan-LATE": "DELETED",
        "document income.pdf of loan-GONE": "DELETED",
        f"scan erasure #{changed} (sha256 {scans['sheet'].sha256[:12]})": "CHANGED",
        # its journeys changed: the sheet is one missing of loan-GONE now
        "document balance.jpg of loan-GONE": "DELETED"}


def test_a_reader_asked_for_an_erased_scan_tells_the_customer_it_was_erased(
    db_url: str, store: Path, scans: dict[str, DocumentRef], now: datetime
) -> None:
    assert erase("--as", "sup-sme").exit_code == 0
    reading = ActivityEnvironment().run(
        DocumentActivities(Settings()).read_document,
        ReadDocumentInput(workflow_id="loan-NEW", ref=scans["licence"]))
    assert reading.status is ReadStatus.MISSING
    assert reading.reason == erased_said(now)
    # a read scheduled before the journey kept its readings: the reader keeps it, as then
    assert readings_for(db_url, "loan-NEW") == [reading]


def erased_said(now: datetime) -> str:
    return (f"missing: licence.jpg is no longer in the document store (erased on {DAY(now)} "
            "under the bank's retention rule): send the file itself again")


def test_a_reader_without_the_database_reads_and_the_journey_keeps_and_tells_the_erasure(
    db_url: str, store: Path, scans: dict[str, DocumentRef], now: datetime
) -> None:
    """The reader parses customers' files and holds no database (role documents, no
    LOAN_JOURNEY_DATABASE_URL): it returns what it read, keeps nothing, and cannot tell an
    erased scan from one never sent; the journey's worker keeps the reading, and says it."""
    assert erase("--as", "sup-sme").exit_code == 0
    reader = DocumentActivities(Settings(worker_role="documents", database_url=None))
    read = ActivityEnvironment().run(reader.read_document, ReadDocumentInput(
        workflow_id="loan-NEW", ref=scans["licence"], reader_keeps=False))
    assert (read.status, read.reason) == (
        ReadStatus.MISSING,
        "missing: licence.jpg is not in the document store: send the file itself")
    assert readings_for(db_url, "loan-NEW") == []
    kept = ActivityEnvironment().run(DocumentActivities(Settings()).keep_new_reading,
                                     KeepReadingInput(workflow_id="loan-NEW", reading=read))
    assert kept.reason == erased_said(now)
    assert readings_for(db_url, "loan-NEW") == [read.model_copy(
        update={"reason": erased_said(now)})]
    assert rows(db_url, "select count(*) from document_readings where workflow_id = "
                "'loan-NEW' and seal is not null") == [("1",)]  # the worker's archive key

    # a read scheduled before asks its reader to keep the reading: retried until one can
    with pytest.raises(ApplicationError, match="a read scheduled before this version .* "
                       "retried until a reader with the journey database reads it") as refused:
        ActivityEnvironment().run(reader.read_document, ReadDocumentInput(
            workflow_id="loan-OLDER", ref=scans["licence"]))
    assert (refused.value.type, refused.value.non_retryable) == ("ReaderNeedsDatabase", False)
    assert not (Settings().data_dir / "journey.db").exists()  # nor a SQLite of its own


def test_only_a_supervisor_erases_and_a_refusal_is_kept(
    db_url: str, store: Path, scans: dict[str, DocumentRef]
) -> None:
    for who in ("ops-li", "audit-1"):
        refused = erase("--as", who)
        assert refused.exit_code == Refused.exit_code, refused.output
        assert "no scan erased: " in said(refused)
    assert "no scan listed: 'ops-li' is operations" in said(erase("--dry-run", "--as", "ops-li"))
    assert [(r.workflow_id, r.action, r.actor) for r in refusals(db_url)] == [
        ("scans", "scans erase", "ops-li"), ("scans", "scans erase", "audit-1"),
        ("scans", "scans erase", "ops-li")]
    assert on_disk(store, scans) == set(scans)


def test_without_the_archive_key_nothing_is_erased(
    db_url: str, store: Path, scans: dict[str, DocumentRef], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LOAN_JOURNEY_ARCHIVE_KEY")
    done = erase("--as", "sup-sme")
    assert done.exit_code == KeysNeeded.exit_code, done.output
    assert "set LOAN_JOURNEY_ARCHIVE_KEY (the archive key) to erase scans" in said(done)
    assert on_disk(store, scans) == set(scans)
    assert rows(db_url, "select count(*) from scan_erasures") == [("0",)]


def test_the_policy_keeps_scans_longer_never_below_the_law(
    db_url: str, store: Path, scans: dict[str, DocumentRef], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    policy = json.loads((Path(__file__).parents[2] / "journey/policies/default.json")
                        .read_text(encoding="utf-8"))
    with pytest.raises(PolicyError, match="retention.years_after_end: Value error, 3 is below "
                                          "5: the anti-money-laundering law"):
        parse_policy(json.dumps({**policy, "retention": {"years_after_end": 3}}))
    longer = tmp_path / "policy.json"
    longer.write_text(json.dumps({**policy, "version": "2026.12-8r",
                                  "retention": {"years_after_end": 11}}), encoding="utf-8")
    monkeypatch.setenv("LOAN_JOURNEY_POLICY_FILE", str(longer))
    done = erase("--as", "sup-sme")
    assert done.exit_code == 0, done.output
    assert (f"erased: {scans['licence'].sha256} of loan-OLD (kept until 2026-03-04)"
            in done.output)
    assert ("1 scan(s) erased under policy 2026.12-8r: scans kept 11 years after their last "
            "journey ended; 3 kept") in done.output
    assert (f"kept: {scans['sheet'].sha256} of loan-OLD: also loan-GONE's (kept until "
            "2027-06-01)") in done.output
    assert on_disk(store, scans) == {"sheet", "shared", "late", "again", "history"}


def test_a_run_stopped_before_its_file_went_erases_it_next_time_kept_once(
    db_url: str, store: Path, scans: dict[str, DocumentRef], now: datetime
) -> None:
    licence = scans["licence"].sha256
    record_erasure(db_url, Erasure(  # kept, and the run stopped before the file went
        sha256=licence, journeys=["loan-OLD"], ended_at=datetime(2015, 3, 4, 2, tzinfo=UTC),
        erased_at=now, erased_by="sup-sme", role="supervisor", rule=RULE,
        origin="ops@host pid 1"), KEY.encode())
    assert blobs.exists(store, licence)
    assert erase("--as", "sup-sme").exit_code == 0
    assert not blobs.exists(store, licence)
    assert rows(db_url, f"select origin from scan_erasures where sha256 = '{licence}'") == [
        ("ops@host pid 1",)]


def test_subject_says_which_of_a_persons_readings_lost_their_scan(
    db_url: str, store: Path, scans: dict[str, DocumentRef], now: datetime
) -> None:
    """A person's right to know: the reading that names them is kept after its scan went,
    and `subject` says the scan is no longer held (when, why, by whom); one still held
    (loan-RUNNING's, not past retention) says nothing of it."""
    licence = BusinessLicense(name="深圳市旧城贸易有限公司", legal_representative="张三")
    for wf, ref in (("loan-OLD", scans["licence"]), ("loan-RUNNING", scans["shared"])):
        record_reading(db_url, wf, DocumentReading(
            ref=ref, status=ReadStatus.READ, kind=DocumentKind.BUSINESS_LICENSE,
            license=licence), KEY.encode())
    assert erase("--as", "sup-sme").exit_code == 0
    record_erasure(db_url, Erasure(  # the licence sent again by another, erased of it later
        sha256=scans["licence"].sha256, journeys=["loan-OTHER"], ended_at=now, erased_at=now,
        erased_by="sup-2", role="supervisor", rule=RULE, origin="ops@host pid 2"), KEY.encode())
    _, found = in_readings(db_url, Sought.typed("name", "张三"))
    gone = (f"erased on {DAY(now)} under retention ({RULE}; its last journey ended on "
            "2015-03-04), by sup-sme")
    assert {wf: [(h.field, h.scan_erased) for h in held] for wf, held in found.items()} == {
        "loan-OLD": [("legal_representative", gone)],
        "loan-RUNNING": [("legal_representative", None)]}
    text = subject_said(Findings(
        kind="name", value="张三", since=None, readings_rows=9, server_read=0, archived_read=0,
        runs_read=0, unread=[], journeys=[
            Journey(workflow_id=wf, status="-", stage="-", ended=None, where_kept="neither",
                    held=held) for wf, held in sorted(found.items())]))
    assert (f"  document reading licence.jpg ({scans['licence'].sha256[:12]}), "
            f"business_license: field legal_representative = 张三; its scan {gone}, the "
            "reading kept") in text.splitlines()
    assert (f"  document reading income.pdf ({scans['shared'].sha256[:12]}), "
            "business_license: field legal_representative = 张三") in text.splitlines()
