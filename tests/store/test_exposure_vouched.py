"""The borrower's lines read on their seals (store/exposure_vouched.py), really in the journey
database: lines kept before the key are read as they are, sealed ones that still match are
read, and a change of a principal or a line inserted with SQL fails the read naming it, as
does a key that is not the exposures'; a line not read (the reader's own, another borrower's)
is not refused, nor read: only the lines read, and the seals before them, are."""

from __future__ import annotations

from decimal import Decimal

import pytest

from journey.exposure import ExposureLine
from journey.settings import Settings
from store.exposure_vouched import ExposureSealBroken, vouched_others
from tests.store.test_money_records_sealed import CODE, kept
from tests.store.test_record_seals import KEY, database, sql  # noqa: F401

OTHER = "91310000MA1OTHER9X"


def test_lines_are_read_on_their_seals_those_kept_before_the_key_as_they_are(
    database: str, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
) -> None:
    monkeypatch.delenv("LOAN_JOURNEY_ARCHIVE_KEY")
    kept("loan-A", 4_000_000)  # before the key: unsealed, in the chain's baseline
    monkeypatch.setenv("LOAN_JOURNEY_ARCHIVE_KEY", KEY)
    kept("loan-B", 2_000_000)
    kept("loan-B", 2_000_000, principal=1_500_000)  # its change sealed, the line again
    key = Settings().archive_seal_key
    assert key is not None
    a = ExposureLine(workflow_id="loan-A", amount=Decimal(4_000_000))
    assert vouched_others(database, CODE, "loan-C", key) == [
        a, ExposureLine(workflow_id="loan-B", amount=Decimal(1_500_000), running=True)]
    with pytest.raises(ExposureSealBroken, match="^the credit exposure lines of "
                       f"{CODE} are not vouched for: LOAN_JOURNEY_ARCHIVE_KEY is not the key"):
        vouched_others(database, CODE, "loan-C", b"another-key-0123456789")

    sql(database, "update credit_exposure_changes set principal = '0' "
                  "where workflow_id = 'loan-B'")
    with pytest.raises(ExposureSealBroken, match=r"^credit exposure change #1 \(of journey "
                       r"loan-B\) fails its seal \(CHANGED\): it was changed outside the engine"):
        vouched_others(database, CODE, "loan-C", key)
    assert vouched_others(database, CODE, "loan-B", key) == [a]  # its own line is not read

    sql(database, "update credit_exposure_changes set principal = '1500000' "
                  "where workflow_id = 'loan-B'",
        "insert into credit_exposures (workflow_id, credit_code, amount, updated_at) "
        f"values ('loan-X', '{CODE}', '100', '2026-12-06 00:00:00')")
    with pytest.raises(ExposureSealBroken, match=r"^credit exposure line #3 \(of journey "
                       r"loan-X\) fails its seal \(INSERTED\)"):
        vouched_others(database, CODE, "loan-C", key)


def test_another_borrowers_line_changed_does_not_stop_the_read_this_ones_does(
    database: str,  # noqa: F811
) -> None:
    kept("loan-A", 2_000_000)
    kept("loan-O", 3_000_000, code=OTHER)
    kept("loan-O", 3_000_000, principal=2_500_000, code=OTHER)  # its change, its line again
    kept("loan-B", 1_000_000)  # sealed over the other borrower's line
    key = Settings().archive_seal_key
    assert key is not None
    sql(database, "update credit_exposures set principal = '0' where workflow_id = 'loan-O'")
    lines = [ExposureLine(workflow_id="loan-A", amount=Decimal(2_000_000)),
             ExposureLine(workflow_id="loan-B", amount=Decimal(1_000_000))]
    assert vouched_others(database, CODE, "loan-C", key) == lines

    sql(database, "update credit_exposures set amount = '1' where workflow_id = 'loan-B'")
    with pytest.raises(ExposureSealBroken, match=r"^credit exposure line #3 \(of journey "
                       r"loan-B\) fails its seal \(CHANGED\)"):
        vouched_others(database, CODE, "loan-C", key)


def test_another_borrowers_line_is_not_read_at_all(
    database: str, sqlite_only: None,  # noqa: F811
) -> None:
    """Its amount made unreadable (text, which only SQLite keeps in a NUMERIC column): the
    whole chain read once failed every borrower's read on it (decimal.InvalidOperation)."""
    kept("loan-A", 2_000_000)
    kept("loan-O", 3_000_000, code=OTHER)
    kept("loan-B", 1_000_000)
    key = Settings().archive_seal_key
    assert key is not None
    sql(database, "update credit_exposures set amount = 'n/a' where workflow_id = 'loan-O'")
    assert [line.workflow_id for line in vouched_others(database, CODE, "loan-C", key)
            ] == ["loan-A", "loan-B"]
