"""The policies the workers recorded, sealed with the archive key (store/policies.py): a
worker's policy in force, its staff directory's ops-zhao renamed "mallory" in the database
and its sha256 updated to match, is named CHANGED by `records verify` and refused by the
command line; one inserted unsealed after sealing began, INSERTED and refused; an untouched
one passes; one recorded before the key is unsealed, read as it is, until a supervisor seals
it."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from activities.policy import policy_text
from journey.classification import RiskClass
from journey.loan_book import BookLine, LoanBook
from journey.policy import parse_policy
from journey.settings import Settings
from journey.stages import Party, Stage
from journey.status import JourneyStatus
from starter.book_reviews import with_reviews
from starter.cli import app
from starter.errors import KeysNeeded, SetupError
from starter.pinned_policy import post_loan_policy_of
from starter.start_checks import policy_in_service
from store.policies import (
    PolicyKeyWrong,
    PolicySealBroken,
    PolicyTextChanged,
    SealingKeyNeeded,
    in_force,
    record_policy,
    recorded,
    sha256_of,
)
from store.policy_check import RECORDS
from store.refusals import refusals
from store.seal_check import check
from tests.cli_kit import said
from tests.store.test_lpr_fixings import LAST, record, rows
from tests.store.test_record_seals import KEY, database, found, records, sql  # noqa: F401

LENDING = policy_text(None)
VERSION = parse_policy(LENDING).version
MALLORY = LENDING.replace('"ops-zhao"', '"mallory"')


def test_a_text_changed_with_its_sha256_fails_its_seal_and_nothing_acts_by_it(
    database: str, tmp_path: Path,  # noqa: F811
) -> None:
    """The policies as a worker with the key records them as it starts; mallory's directory
    then written over the lending one with a sha256 that matches it."""
    policy_in_service(Settings(data_dir=tmp_path, database_url=database))
    checked = records("verify")
    assert checked.exit_code == 0, checked.output
    # the two policies and their loads
    assert "lending and post-loan policies: 4 row(s) checked, 0 changed" in said(checked)
    assert MALLORY != LENDING
    sql(database, "update lending_policies set text = replace(text, '\"ops-zhao\"', "
                  f"'\"mallory\"'), sha256 = '{sha256_of(MALLORY)}' where kind = 'lending'")
    # its sha256 holds, but not the one its load kept: refused without the key too
    with pytest.raises(PolicyTextChanged, match="its load #1 of the lending policy .* kept "
                       "sha256"):
        in_force(database)

    checked = records("verify")
    assert checked.exit_code == 1, checked.output
    assert found(checked) == {f"lending policy {VERSION}": "CHANGED"}
    told = said(checked)
    assert "lending and post-loan policies: 4 row(s) checked, 1 changed" in told, told
    [policies] = [c for c in check(database, KEY.encode()) if c.records == RECORDS]
    [changed] = policies.findings
    assert changed.detail.endswith("restore it from a backup (lending_policies; or its text "
                                   "and sha256 from the policy file of its version)")

    for read in (lambda: in_force(database, key=KEY.encode()),
                 lambda: recorded(database, VERSION, key=KEY.encode())):
        with pytest.raises(PolicySealBroken, match=f"nothing acts by the lending policy "
                           f"{VERSION}: it fails its seal \\(CHANGED\\): .*: restore it from a "
                           "backup \\(lending_policies; or its text and sha256 from the policy "
                           "file of its version\\); then check the journey database with "
                           "`loan-journey records verify`$"):
            read()
    acted = record(LAST, "3.00", "3.50", "--as", "mallory", "--role", "operations")
    assert acted.exit_code == 1, acted.output
    assert (f"error: nothing acts by the lending policy {VERSION}: it fails its seal"
            in said(acted) and "`loan-journey records verify`" in said(acted)), acted.output
    assert not refusals(database)  # not a refusal of mallory's: nothing was decided
    assert "3.00" not in said(records("verify"))  # no fixing recorded
    for asked in (["--team", "sme_risk"], ["--team", "corporate_risk"], ["--person", "ops-zhao"],
                  ["--rm", "rm-zhang"], ["--waiting-on", "customer"]):
        listed = CliRunner().invoke(app, ["queue", *asked])  # refused before any server
        assert listed.exit_code == 1, (asked, listed.output)
        assert f"error: nothing acts by the lending policy {VERSION}" in said(listed), asked


def test_a_policy_inserted_unsealed_after_sealing_began_is_refused(
    database: str,  # noqa: F811
) -> None:
    """A new version written in with SQL, without the key, with a load that puts it in force:
    no seal vouches for either. Moving an older policy's `last_loaded_at`, which is not
    sealed, no longer puts it in force: the newest load does."""
    record_policy(database, "X-0", LENDING.replace(f'"{VERSION}"', '"X-0"'), key=KEY.encode())
    record_policy(database, VERSION, LENDING, key=KEY.encode())
    sql(database, "update lending_policies set last_loaded_at = '2099-01-01 00:00:00.000000' "
                  "where version = 'X-0'")
    assert in_force(database, key=KEY.encode()).version == VERSION  # type: ignore[union-attr]
    assert records("verify").exit_code == 0

    sql(database, "insert into lending_policies (kind, version, sha256, text, first_loaded_at, "
                  f"last_loaded_at) values ('lending', 'X-1', '{sha256_of(MALLORY)}', "
                  f"'{MALLORY.replace(chr(39), chr(39) * 2)}', '2099-01-01 00:00:00.000000', "
                  "'2099-01-01 00:00:00.000000')")
    assert in_force(database, key=KEY.encode()).version == VERSION  # type: ignore[union-attr]
    sql(database, "insert into policy_loads (kind, version, sha256, loaded_at, origin) values "
                  f"('lending', 'X-1', '{sha256_of(MALLORY)}', '2099-01-01 00:00:00.000000', "
                  "'mallory@host pid 1')")
    checked = records("verify")
    assert checked.exit_code == 1, checked.output
    assert found(checked) == {"lending policy X-1": "INSERTED",
                              "load #3 of the lending policy X-1": "INSERTED"}
    with pytest.raises(PolicySealBroken, match="nothing acts by the lending policy in force: "
                       "its load #3 of the lending policy X-1: it fails its seal "
                       "\\(INSERTED\\)"):
        in_force(database, key=KEY.encode())
    acted = record(LAST, "3.00", "3.50", "--as", "mallory", "--role", "operations")
    assert acted.exit_code == 1, acted.output
    assert "error: nothing acts by the lending policy in force" in said(acted), acted.output


def test_a_load_moved_to_another_policy_fails_its_seal_and_without_the_key_its_sha256(
    database: str,  # noqa: F811
) -> None:
    """The newest load rewritten to name an older, genuine version: its seal finds it. And,
    read without the key, a policy in force whose text and sha256 were changed together is
    refused all the same: its load kept the sha256 it was loaded with."""
    record_policy(database, "X-0", LENDING.replace(f'"{VERSION}"', '"X-0"'), key=KEY.encode())
    record_policy(database, VERSION, LENDING, key=KEY.encode())
    older = sha256_of(LENDING.replace(f'"{VERSION}"', '"X-0"'))
    sql(database, f"update policy_loads set version = 'X-0', sha256 = '{older}' where id = 2")
    assert found(records("verify")) == {"load #2 of the lending policy X-0": "CHANGED"}
    with pytest.raises(PolicySealBroken, match="nothing acts by the lending policy in force: "
                       "its load #2 of the lending policy X-0: it fails its seal "
                       "\\(CHANGED\\)"):
        in_force(database, key=KEY.encode())

    sql(database, f"update policy_loads set version = '{VERSION}', sha256 = "
                  f"'{sha256_of(LENDING)}' where id = 2")
    assert records("verify").exit_code == 0
    sql(database, "update lending_policies set text = replace(text, '\"ops-zhao\"', "
                  f"'\"mallory\"'), sha256 = '{sha256_of(MALLORY)}' where version = "
                  f"'{VERSION}'")
    with pytest.raises(PolicyTextChanged, match=f"nothing acts by the lending policy in force: "
                       f"its load #2 of the lending policy {VERSION} kept sha256 "
                       f"{sha256_of(LENDING)[:12]}, and lending_policies #2 holds "
                       f"{sha256_of(MALLORY)[:12]}"):
        in_force(database)


def test_a_policy_recorded_before_the_key_is_unsealed_until_a_supervisor_seals_it(
    database: str,  # noqa: F811
) -> None:
    record_policy(database, VERSION, LENDING)  # a worker without the key, or before seals
    checked = records("verify")
    assert found(checked) == {f"lending policy {VERSION}": "unsealed",
                              f"load #1 of the lending policy {VERSION}": "unsealed"}
    row = in_force(database, key=KEY.encode())  # read as it is: no seal refuses it
    assert row is not None and row.seal is None

    done = records("seal", "--as", "sup-sme")
    assert done.exit_code == 0, done.output
    assert f"lending policy {VERSION}" in said(done), done.output
    checked = records("verify")
    assert checked.exit_code == 0, checked.output
    sealed = in_force(database, key=KEY.encode())
    assert sealed is not None and sealed.seal is not None
    record_policy(database, VERSION, LENDING, key=KEY.encode())  # loaded again: still sealed
    assert records("verify").exit_code == 0

    sql(database, f"update lending_policies set text = replace(text, '\"ops-zhao\"', "
                  f"'\"mallory\"'), sha256 = '{sha256_of(MALLORY)}'")
    assert found(records("verify")) == {f"lending policy {VERSION}": "CHANGED"}
    with pytest.raises(PolicySealBroken):
        in_force(database, key=KEY.encode())


def test_a_policy_read_with_another_key_than_they_were_sealed_with_is_refused(
    database: str, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
) -> None:
    """Refused as the key's to fix, not the policy's: the command line exits 8, as for a
    key missing."""
    record_policy(database, VERSION, LENDING, key=KEY.encode())
    with pytest.raises(PolicyKeyWrong, match="the archive key set .* is not the one the "
                       "lending and post-loan policies were sealed with"):
        in_force(database, key=b"another-key-0123456789")
    assert in_force(database, key=KEY.encode()) is not None
    monkeypatch.setenv("LOAN_JOURNEY_ARCHIVE_KEY", "another-key-0123456789")
    acted = record(LAST, "3.00", "3.50", "--as", "ops-wang", "--role", "operations")
    assert acted.exit_code == KeysNeeded.exit_code, acted.output
    assert "is not the one the lending and post-loan policies were sealed with" in said(acted)
    assert "records verify" not in said(acted)  # the key is what to set, not the database


def test_a_worker_without_the_key_records_no_new_policy_once_they_are_sealed(
    database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
) -> None:
    """Recorded unsealed after sealing began, a new version would read INSERTED and stop
    every command acting by the policy in force: the worker does not start (exit 8); the
    versions recorded before are loaded again without the key, as before."""
    record_policy(database, VERSION, LENDING, key=KEY.encode())
    with pytest.raises(SealingKeyNeeded, match="the policy X-2 is not recorded: the policies "
                       "the workers recorded are sealed"):
        record_policy(database, "X-2", MALLORY)
    record_policy(database, VERSION, LENDING)  # loaded again: nothing new to seal

    newer = tmp_path / "newer.json"
    newer.write_text(LENDING.replace(f'"{VERSION}"', '"X-3"'))
    monkeypatch.delenv("LOAN_JOURNEY_ARCHIVE_KEY")
    with pytest.raises(KeysNeeded, match="set LOAN_JOURNEY_ARCHIVE_KEY as the other workers "
                       "have it") as refused:
        policy_in_service(Settings(data_dir=tmp_path, database_url=database,
                                   policy_file=newer))
    assert refused.value.exit_code == 8
    assert rows(database, "select version from lending_policies where kind = 'lending'") == [
        (VERSION,)]
    monkeypatch.setenv("LOAN_JOURNEY_ARCHIVE_KEY", KEY)
    assert records("verify").exit_code == 0


def test_a_worker_restarting_on_the_genuine_file_names_the_changed_row_not_the_file(
    database: str, tmp_path: Path,  # noqa: F811
) -> None:
    """The row's text and sha256 changed together: a worker restarting on the packaged file
    finds other content under its version. It says the row changed, not to give the file a
    new version or put back the row's (forged) content."""
    settings = Settings(data_dir=tmp_path, database_url=database)
    policy_in_service(settings)
    sql(database, "update lending_policies set text = replace(text, '\"ops-zhao\"', "
                  f"'\"mallory\"'), sha256 = '{sha256_of(MALLORY)}' where kind = 'lending'")
    with pytest.raises(SetupError) as refused:
        policy_in_service(settings)
    told = str(refused.value)
    assert told.startswith("LOAN_JOURNEY_POLICY_FILE cannot be used while the row recorded for "
                           "its version was changed in the journey database: nothing acts by "
                           f"the lending policy {VERSION}: it fails its seal (CHANGED)"), told
    assert told.endswith("Do not copy that row's text into the file: restore the row, then "
                         "start again"), told
    assert "put back the content" not in told


def test_a_post_loan_policy_that_fails_its_seal_dates_no_review(
    database: str, tmp_path: Path, caplog: pytest.LogCaptureFixture,  # noqa: F811
) -> None:
    """The book's and `status`'s review dates are by each loan's pinned post-loan policy as
    the workers recorded it, checked against its seal: its cadence months rewritten in the
    database with a sha256 that matches are refused, as the lending policy's staff are; before
    the seal broke, the loan's dates are by the recorded cadence."""
    settings = Settings(data_dir=tmp_path, database_url=database)
    policy_in_service(settings)
    row = in_force(database, "post_loan")
    assert row is not None
    loan = JourneyStatus(workflow_id="loan-A", application_id="A", stage=Stage.POST_LOAN,
                         attempt=1, waits_on=Party.BANK, risk_class=RiskClass.NORMAL,
                         post_loan_policy_version=row.version, post_loan_policy_sha256=row.sha256)
    book = LoanBook(lines=[BookLine(workflow_id="loan-A", product="working_capital",
                                    risk_class=RiskClass.NORMAL, days_past_due=0, arrears=0,
                                    principal=1, accrued=None, to_settle=None,
                                    next_instalment="-", open_warnings=0)], commitments=[])
    now = datetime(2026, 12, 7, 4, tzinfo=UTC)
    assert post_loan_policy_of(settings, loan).version == row.version
    with_reviews(book, [loan], {}, now.date(), now, settings)  # dated by the sealed cadence

    forged = row.text.replace('"review_every_months": 3', '"review_every_months": 12')
    assert forged != row.text
    sql(database, f"update lending_policies set text = '{forged.replace(chr(39), chr(39) * 2)}'"
                  f", sha256 = '{sha256_of(forged)}' where kind = 'post_loan'")
    for read in (lambda: post_loan_policy_of(settings, loan.model_copy(
                     update={"post_loan_policy_sha256": sha256_of(forged)})),
                 lambda: with_reviews(book, [loan], {}, now.date(), now, settings)):
        with pytest.raises(PolicySealBroken, match=f"nothing acts by the post-loan policy "
                           f"{row.version}: it fails its seal \\(CHANGED\\)"):
            read()

    # without the key: the pinned sha256 tells it, not the configured file in its place; and
    # the command line is warned that the seals went unchecked
    keyless = settings.model_copy(update={"archive_key": None})
    with caplog.at_level(logging.WARNING), pytest.raises(
            PolicyTextChanged, match=f"loan-A pinned it with sha256 {row.sha256[:12]}, and "
            f"lending_policies #{row.id} holds {sha256_of(forged)[:12]}: its text and sha256 "
            "were changed"):
        post_loan_policy_of(keyless, loan)
    assert "LOAN_JOURNEY_ARCHIVE_KEY is not set here: the policy read was not checked against "\
        "its seal" in caplog.text, caplog.text


def test_the_policy_in_force_and_the_newest_loads_are_shown_as_commands_read_them(
    database: str, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
) -> None:
    """`policy show` after a rollout and back: the version loaded last is in force, the
    loads listed newest first with their workers; a load moved to another version is refused
    as every command that acts by the policy refuses it."""
    monkeypatch.setenv("COLUMNS", "200")
    older = LENDING.replace(f'"{VERSION}"', '"X-0"')
    for version, text in ((VERSION, LENDING), ("X-0", older), (VERSION, LENDING)):
        record_policy(database, version, text, key=KEY.encode())
    shown = CliRunner().invoke(app, ["policy", "show", "--last", "2"])
    assert shown.exit_code == 0, shown.output
    told = said(shown)
    assert f"lending policy {VERSION} in force: sha256 {sha256_of(LENDING)[:12]}" in told, told
    assert "post-loan policy in force: none recorded yet" in told, told
    assert "the newest 2 load(s)" in told, told
    assert told.index(f"lending {VERSION}") < told.index("lending X-0"), told  # newest first
    assert "#3" in told and "#2" in told and "#1" not in told, told

    sql(database, f"update policy_loads set version = 'X-0', sha256 = '{sha256_of(older)}' "
                  "where id = 3")
    refused = CliRunner().invoke(app, ["policy", "show"])
    assert refused.exit_code == 1, refused.output
    assert ("nothing acts by the lending policy in force: its load #3 of the lending policy X-0: "
            "it fails its seal (CHANGED)") in said(refused), refused.output
