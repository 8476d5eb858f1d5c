"""What `records verify` checks beside the seals: the stage events by each journey's numbering
and times (two events of a journey deleted, a time moved back, a journey's events all gone
while a sealed booking names it, the newest sealed, which their chain alone cannot tell), and
without a seal the document store by each blob's digest (a stored
scan replaced with another company's page) and each read document's presence, and the
policies the workers recorded by their texts' digests (a staff id renamed in the directory);
exit 1."""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.testing import ActivityEnvironment

from activities.documents import DocumentActivities
from activities.policy import policy_text
from activities.review import post_loan_policy_text
from journey.contracts import ReadDocumentInput
from journey.documents import ReadStatus
from journey.policy import parse_policy
from journey.settings import Settings
from starter import applications
from store import blobs, policy_check
from store.policies import PolicyTextChanged, in_force, record_policy
from store.refusals import refusals
from store.seal_check import check
from store.sealed_records import STAGED
from store.timing import record_events
from tests.cli_kit import said
from tests.ocr.conftest import SAMPLES
from tests.store.test_lpr_fixings import LAST, record
from tests.store.test_money_records_sealed import booked
from tests.store.test_record_seals import KEY, database, found, records, sql  # noqa: F401
from tests.store.test_timing import _batch


def test_stage_events_deleted_or_moved_back_with_sql_are_named(
    database: str,  # noqa: F811
) -> None:
    record_events(database, _batch("loan-A", 8) + _batch("loan-B") + _batch("loan-C"),
                  KEY.encode())
    booked("loan-C", 1)
    assert records("verify").exit_code == 0
    sql(database,
        "delete from stage_events where workflow_id = 'loan-A' and sequence in (3, 4)",
        "update stage_events set at = '2026-03-01 09:00:00.000000' "
        "where workflow_id = 'loan-B' and sequence = 2",
        "delete from stage_events where workflow_id = 'loan-C'")
    checked = records("verify")
    assert checked.exit_code == 1, checked.output
    assert found(checked) == {
        "stage events of loan-A": "DELETED",  # by their numbers, and by their seals
        "seal #4 of the stage events (the journey map)": "DELETED",
        "seal #5 of the stage events (the journey map)": "DELETED",
        "stage event #2 of loan-B": "CHANGED",  # moved back, and no longer its seal's
        "stage event #11 (exited intake) (of journey loan-B)": "CHANGED",
        "stage events of loan-C": "DELETED",  # the newest sealed: by the booking naming it
    }
    assert "stage events (the journey map): 12 row(s) checked, 2 changed, 4 deleted" in (
        " ".join(checked.output.split()))
    [staged] = [c for c in check(database, KEY.encode()) if c.records == STAGED.records]
    gap = next(f for f in staged.findings if f.record == "stage events of loan-A")
    assert gap.detail.startswith("event(s) #3 to #4, after #2 (exited intake at 2026-03-02 "
                                 "09:02:00) and before #5 (exited documents at 2026-03-02 "
                                 "09:05:00), are missing: deleted in the database")
    assert gap.detail.endswith("rebuilt from its history (`loan-journey records "
                               "rebuild-events loan-A`)")
    moved = next(f for f in staged.findings if f.record == "stage event #2 of loan-B")
    assert "restored from a backup (stage_events)" in moved.detail
    assert "rebuild-events" not in moved.detail  # it leaves a row that is there as it is


def test_a_stored_scan_replaced_or_deleted_is_named(
    database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
) -> None:
    """The scans stored as `start` stores them and really OCR'd, as a worker reads them."""
    settings = Settings(data_dir=tmp_path, database_url=database)
    monkeypatch.setenv("LOAN_JOURNEY_DOCUMENT_STORE", str(settings.documents_dir))
    licence, sheet = applications.store_documents(settings, [
        SAMPLES / "company1_business_license.jpg", SAMPLES / "company1_balance_sheet.jpg"])
    for ref in (licence, sheet):
        read = ActivityEnvironment().run(DocumentActivities(settings).read_document,
                                         ReadDocumentInput(workflow_id="loan-A", ref=ref))
        assert read.status is ReadStatus.READ
    assert records("verify").exit_code == 0
    blobs.path(settings.documents_dir, licence.sha256).write_bytes(
        (SAMPLES / "company2_business_license.jpg").read_bytes())
    blobs.path(settings.documents_dir, sheet.sha256).unlink()
    checked = records("verify")
    assert checked.exit_code == 1, checked.output
    assert found(checked) == {"document company1_business_license.jpg of loan-A": "CHANGED",
                              "document company1_balance_sheet.jpg of loan-A": "DELETED"}
    assert "stored documents: 1 row(s) checked, 1 changed, 1 deleted" in (
        " ".join(checked.output.split()))


def test_a_policy_text_changed_with_sql_is_named_and_nothing_acts_by_it(
    database: str,  # noqa: F811
) -> None:
    """The reviewer's case: the lending policy in force, as a worker records it, its staff
    directory's ops-zhao renamed "mallory" in the database and its sha256 left as it was:
    `records verify` names the version, and the command line refuses to act by it (mallory
    would have recorded an LPR fixing as operations)."""
    lending = policy_text(None)
    version = parse_policy(lending).version
    record_policy(database, version, lending, key=KEY.encode())
    record_policy(database, "2027.1", post_loan_policy_text(), "post_loan", KEY.encode())
    assert records("verify").exit_code == 0
    sql(database, "update lending_policies set text = replace(text, '\"ops-zhao\"', "
                  "'\"mallory\"') where kind = 'lending'")

    checked = records("verify")
    assert checked.exit_code == 1, checked.output
    assert found(checked) == {f"lending policy {version}": "CHANGED"}
    told = said(checked)
    assert "lending and post-loan policies: 4 row(s) checked, 1 changed" in told, told
    [policies] = [c for c in check(database, KEY.encode()) if c.records == policy_check.RECORDS]
    [changed] = policies.findings  # its seal, which covers the text too, not named again
    assert changed.detail.startswith("its text (lending_policies #1) no longer hashes to the "
                                     "sha256 recorded with it")
    assert (f"restore the row's text from a backup, or from the policy file of version "
            f"{version}") in changed.detail

    with pytest.raises(PolicyTextChanged, match=f"nothing acts by the lending policy {version}: "
                       "its text .* no longer hashes to the sha256 recorded with it"):
        in_force(database)
    acted = record(LAST, "3.00", "3.50", "--as", "mallory", "--role", "operations")
    assert acted.exit_code == 1, acted.output
    assert (f"error: nothing acts by the lending policy {version}" in said(acted)
            and "`loan-journey records verify`" in said(acted)), acted.output
    assert not refusals(database)  # not a refusal of mallory's: nothing was decided
    assert "3.00" not in said(records("verify"))  # no fixing recorded
