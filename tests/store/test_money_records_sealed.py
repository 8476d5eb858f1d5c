"""The money and authority records sealed as the workers write them (ledger bookings, credit
exposures, outbox notices), each in its chain, and what an auditor's tester changed in them
with SQL named by `records verify`, exit 1: a payout's payee and amount, a borrower's exposure
routing reads, a declined notice's text; a row deleted or inserted too. A line's principal,
changed as the loan is repaid, is sealed again over it and verifies whole."""

from __future__ import annotations

import asyncio
import logging
from datetime import date
from decimal import Decimal

import pytest

from activities.ledger import LedgerActivities
from activities.notifications import NotificationActivities
from journey.contracts import BookingInput, NotifyInput
from journey.exposure import KeepExposureInput
from journey.settings import Settings
from starter.records import verify
from store.exposure import keep
from store.outbox import dispatch
from store.seal_check import check
from store.seal_findings import Found, RecordsCheck
from store.seal_key import sealing_key
from store.sealed_records import BOOKED, EXPOSED
from store.timing import record_events
from tests.cli_kit import said
from tests.store.test_record_seals import KEY, database, found, records, sql  # noqa: F401
from tests.store.test_timing import _batch

CODE = "91310000MA1FL8LQ1X"


def booked(workflow_id: str, n: int, payee: str = "ACME Ltd", amount: str = "1000000",
           value_on: date | None = None, account: str | None = None) -> None:
    """A payout booked by the ledger activity, as a worker with the archive key books it."""
    LedgerActivities(Settings()).book_disbursement(BookingInput(
        workflow_id=workflow_id, idempotency_key=f"{workflow_id}:disbursement:{n}",
        amount=Decimal(amount), payee=payee, purpose="working capital loan",
        value_on=value_on, account=account, bank=account and "中国工商银行上海分行"))


def noticed(workflow_id: str, template: str, body: str) -> None:
    NotificationActivities(Settings()).notify(NotifyInput(
        key=f"{workflow_id}:{template}", workflow_id=workflow_id, recipient="cfo@acme.cn",
        template=template, body=body))


def kept(workflow_id: str, amount: int, principal: int | None = None, code: str = CODE) -> None:
    """A line kept as the exposure activity keeps it: sealed with the worker's key."""
    url, key = Settings().db_url, Settings().archive_seal_key
    keep(url, KeepExposureInput(
        workflow_id=workflow_id, credit_code=code, amount=Decimal(amount),
        principal=None if principal is None else Decimal(principal)),
        sealing_key(url, key, EXPOSED))


def test_untouched_bookings_lines_and_notices_pass_their_changes_sealed_again() -> None:
    record_events(Settings().db_url, _batch("loan-A"), KEY.encode())  # the journey's own
    booked("loan-A", 1)
    booked("loan-A", 1)  # a retried activity: booked once
    noticed("loan-A", "declined", "Your application was declined.")
    dispatch(Settings().db_url)  # sending sets sent_at, which no seal covers
    kept("loan-A", 4_000_000)
    kept("loan-A", 4_000_000, principal=4_000_000)
    kept("loan-A", 4_000_000, principal=3_500_000)
    kept("loan-A", 4_000_000, principal=3_500_000)  # kept again: nothing new
    checked = records("verify")
    assert checked.exit_code == 0, checked.output
    text_ = said(checked)
    assert "ledger bookings: 1 row(s) checked, 0 changed, 0 deleted, 0 inserted" in text_
    assert "credit exposures: 3 row(s) checked, 0 changed, 0 deleted" in text_  # line, 2 changes
    assert "outbox notices: 1 row(s) checked, 0 changed" in text_


def test_a_payout_a_borrowers_exposure_and_a_notice_changed_with_sql_are_named(
    database: str,  # noqa: F811
) -> None:
    record_events(database, _batch("loan-A"), KEY.encode())
    for n in (1, 2, 3):
        booked("loan-A", n)
    kept("loan-A", 4_000_000)
    kept("loan-B", 2_000_000)
    kept("loan-B", 2_000_000, principal=2_000_000)
    noticed("loan-A", "declined", "Your application was declined.")
    sql(database, "update ledger_bookings set payee = 'Shell Co', amount = '9000000' "
                  "where id = 1",
        "delete from ledger_bookings where id = 2",
        "update credit_exposures set amount = '0' where workflow_id = 'loan-A'",
        "update credit_exposure_changes set principal = '0' where workflow_id = 'loan-B'",
        "update outbox set body = 'Your application was approved.' where id = 1")
    checked = records("verify")
    assert checked.exit_code == 1, checked.output
    assert found(checked) == {
        "ledger booking #1 (of journey loan-A)": "CHANGED",
        "seal #2 of the ledger bookings": "DELETED",
        "credit exposure line #1 (of journey loan-A)": "CHANGED",
        "credit exposure change #1 (of journey loan-B)": "CHANGED",
        "outbox notice #1 (of journey loan-A)": "CHANGED",
    }
    booked_check = next(c for c in check(database, KEY.encode()) if c.records == BOOKED.records)
    assert [f.detail for f in booked_check.findings][0].startswith(
        "the row sealed #2, between ledger booking #1 (of journey loan-A) and ledger booking "
        "#3 (of journey loan-A), is missing: it was deleted; restore it from a backup")


def test_a_payouts_value_date_moved_with_sql_is_named(database: str) -> None:  # noqa: F811
    """The value date is sealed with the booking (a Saturday's payout, value-dated Monday);
    one booked without a value date, as before they were kept, verifies as it was sealed."""
    for journey in ("loan-A", "loan-B"):
        record_events(database, _batch(journey), KEY.encode())
    booked("loan-A", 1, value_on=date(2026, 12, 14))
    booked("loan-B", 1)
    checked = records("verify")
    assert checked.exit_code == 0, checked.output
    assert "ledger bookings: 2 row(s) checked, 0 changed" in said(checked)
    sql(database, "update ledger_bookings set value_on = '2026-12-12' where id = 1")
    checked = records("verify")
    assert checked.exit_code == 1, checked.output
    assert found(checked) == {"ledger booking #1 (of journey loan-A)": "CHANGED"}


def test_a_payouts_account_moved_with_sql_is_named(database: str) -> None:  # noqa: F811
    """The account a payout went into is sealed with it, with or without a value date: one
    pointed at another account in the database is named; one booked before accounts were
    kept verifies as it was sealed."""
    for journey in ("loan-A", "loan-B", "loan-C"):
        record_events(database, _batch(journey), KEY.encode())
    booked("loan-A", 1, account="1001020309000067890")
    booked("loan-B", 1, value_on=date(2026, 12, 14), account="1001020309000067891")
    booked("loan-C", 1)
    checked = records("verify")
    assert checked.exit_code == 0, checked.output
    assert "ledger bookings: 3 row(s) checked, 0 changed" in said(checked)
    sql(database, "update ledger_bookings set account = '6222000000000000001' where id = 1",
        "update ledger_bookings set bank = '某村镇银行' where id = 2")
    checked = records("verify")
    assert checked.exit_code == 1, checked.output
    assert found(checked) == {"ledger booking #1 (of journey loan-A)": "CHANGED",
                              "ledger booking #2 (of journey loan-B)": "CHANGED"}


def test_a_line_inserted_with_sql_or_changed_without_the_key_is_named(
    database: str,  # noqa: F811
) -> None:
    kept("loan-A", 4_000_000)
    sql(database, "insert into credit_exposures (workflow_id, credit_code, amount, updated_at) "
                  f"values ('loan-X', '{CODE}', '100', '2026-12-06 00:00:00')")
    keep(database, KeepExposureInput(workflow_id="loan-A", credit_code=CODE,
                                     amount=Decimal(4_000_000), principal=Decimal(0)))
    checked = records("verify")
    assert checked.exit_code == 1, checked.output
    assert found(checked) == {
        "credit exposure line #1 (of journey loan-A)": "INSERTED",  # its seal dropped
        "credit exposure line #2 (of journey loan-X)": "INSERTED",
        "credit exposure change #1 (of journey loan-A)": "INSERTED",
    }


def test_rows_written_before_the_key_are_unsealed_until_a_supervisor_seals_them(
    database: str, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
) -> None:
    monkeypatch.delenv("LOAN_JOURNEY_ARCHIVE_KEY")  # workers before this version, or the key
    record_events(database, _batch("loan-A", 2))
    booked("loan-A", 1)
    kept("loan-A", 4_000_000)
    monkeypatch.setenv("LOAN_JOURNEY_ARCHIVE_KEY", KEY)
    record_events(database, _batch("loan-A", 3), KEY.encode())  # the chain's first seal
    booked("loan-A", 2)  # the bookings' first seal: booking #1 is in its baseline
    kept("loan-A", 4_000_000, principal=4_000_000)  # a line kept unsealed stays so
    before = records("verify")
    assert before.exit_code == 1, before.output
    assert found(before) == {"ledger booking #1 (of journey loan-A)": "unsealed",
                             "credit exposure line #1 (of journey loan-A)": "unsealed",
                             "stage event #1 (entered intake) (of journey loan-A)": "unsealed",
                             "stage event #2 (sla_warned intake) (of journey loan-A)": "unsealed"}
    done = records("seal", "--as", "sup-sme")
    assert done.exit_code == 0, done.output
    assert "ledger bookings: sealed 1 row(s) ledger booking #1 (of journey loan-A)" in said(done)
    assert ("stage events (the journey map): sealed 2 row(s) stage event #1 (entered intake) "
            "(of journey loan-A)") in said(done)
    after = records("verify")
    assert after.exit_code == 0, after.output
    kept("loan-A", 4_000_000, principal=1_000_000)  # sealed now: sealed again as it changes
    assert records("verify").exit_code == 0


async def test_a_line_changed_with_sql_stays_changed_when_the_engine_writes_it_again(
    database: str, caplog: pytest.LogCaptureFixture,  # noqa: F811
) -> None:
    """A line changed in the database was sealed again, changed, at its payout: the worker
    wrote its principal, the seal then covered the altered amount and `records verify` said
    0 changed. Its seal is checked first: the payout goes on, the line's change keeps its seal
    marked found changed (under the change's own seal), and verify names the line CHANGED."""
    kept("loan-A", 8_000_000)
    kept("loan-B", 2_000_000)
    sql(database, "update credit_exposures set amount = '7000000.00' "
                  "where workflow_id = 'loan-A'")
    with caplog.at_level(logging.WARNING, logger="store.seals"):
        kept("loan-A", 8_000_000, principal=8_000_000)  # the payout, as the activity keeps it
        kept("loan-B", 2_000_000, principal=2_000_000)  # untouched: sealed again as ever
    assert [r.getMessage().split(":")[0] for r in caplog.records] == [
        "credit exposure line #1 no longer matches its seal"]
    exposures = await _exposures_verified()
    assert [(f.record, f.found) for f in exposures.findings] == [
        ("credit exposure line #1 (of journey loan-A)", Found.CHANGED)]
    assert exposures.findings[0].detail.startswith(
        "found changed in the database when the engine next wrote it (credit exposure change #1")
    checked = await asyncio.to_thread(records, "verify")  # the command line says it too
    assert checked.exit_code == 1, checked.output
    assert "credit exposures: 4 row(s) checked, 1 changed, 0 deleted" in said(checked)

    sql(database, "update credit_exposure_changes set replaced_seal = "
                  "substr(replaced_seal, 1, length(replaced_seal) - 1) where id = 1")
    assert {(f.record, f.found) for f in (await _exposures_verified()).findings} == {
        ("credit exposure change #1 (of journey loan-A)", Found.CHANGED)}  # the mark unmade


async def test_a_line_the_engine_writes_again_untouched_is_not_changed() -> None:
    kept("loan-A", 8_000_000)
    kept("loan-A", 8_000_000, principal=8_000_000)
    kept("loan-A", 8_000_000, principal=7_500_000)
    assert (await _exposures_verified()).findings == []


async def _exposures_verified() -> RecordsCheck:
    """The exposures' chain as `records verify` (its library function, offline) checks it."""
    verified = await verify(Settings(), offline=True)
    return next(c for c in verified.checks if c.records == EXPOSED.records)
