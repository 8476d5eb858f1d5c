"""A line's amount applied for, changed by an amendment (workflows/amendments.py), kept as a
change of its principal is: the change keeps the amount from and to, the line is sealed again
over it, both verify, and the borrower's other applications count the new amount. Either
changed with SQL is named; a change of principal keeps the facts it was sealed with."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from journey.exposure import ExposureLine, KeepExposureInput
from journey.settings import Settings
from store.db import ready
from store.exposure import CreditExposureChangeRow, change_facts, keep, others
from store.seal_key import sealing_key
from store.sealed_records import EXPOSED
from tests.cli_kit import said
from tests.store.test_money_records_sealed import CODE, kept
from tests.store.test_record_seals import database, found, records, sql  # noqa: F401


def amended(workflow_id: str, amount: int) -> None:
    """The line's amount as an amendment keeps it: sealed with the worker's key."""
    url, key = Settings().db_url, Settings().archive_seal_key
    keep(url, KeepExposureInput(workflow_id=workflow_id, credit_code=CODE,
                                amount=Decimal(amount), amended=True),
         sealing_key(url, key, EXPOSED))


def changes(database: str) -> list[CreditExposureChangeRow]:  # noqa: F811
    with Session(ready(database)) as s:
        return list(s.scalars(select(CreditExposureChangeRow)
                              .order_by(CreditExposureChangeRow.id)))


def test_an_amended_amount_is_counted_sealed_again_and_verifies(
    database: str,  # noqa: F811
) -> None:
    kept("loan-A", 3_000_000)
    kept("loan-B", 2_000_000)
    amended("loan-A", 12_000_000)
    amended("loan-A", 12_000_000)  # a retried activity: nothing new
    kept("loan-A", 3_000_000)  # the intake's keep, after: the amount stays the amended one
    assert others(database, CODE, "loan-B") == [
        ExposureLine(workflow_id="loan-A", amount=Decimal(12_000_000))]
    [change] = changes(database)
    assert (change.amount_before, change.amount, change.principal_before, change.principal) == (
        Decimal(3_000_000), Decimal(12_000_000), None, None)
    checked = records("verify")
    assert checked.exit_code == 0, checked.output
    assert "credit exposures: 3 row(s) checked, 0 changed, 0 deleted" in said(checked)

    sql(database, "update credit_exposure_changes set amount = '3000000' where id = 1",
        "update credit_exposures set amount = '3000000' where workflow_id = 'loan-A'")
    checked = records("verify")
    assert checked.exit_code == 1, checked.output
    assert found(checked) == {"credit exposure line #1 (of journey loan-A)": "CHANGED",
                              "credit exposure change #1 (of journey loan-A)": "CHANGED"}


def test_a_change_of_principal_keeps_the_facts_it_was_sealed_with(
    database: str,  # noqa: F811
) -> None:
    """Before amendments were kept a change's seal covered seven facts: a change of principal
    still has those (its seal, made then, holds), an amendment's two more."""
    kept("loan-A", 4_000_000)
    kept("loan-A", 4_000_000, principal=4_000_000)
    amended("loan-B", 5_000_000)  # no line kept: an amendment keeps none
    [principal] = changes(database)
    assert change_facts(principal) == [
        1, principal.exposure_id, "loan-A", None, "4000000.00",
        principal.changed_at.isoformat(), principal.replaced_seal]
    assert others(database, CODE, "-") == [
        ExposureLine(workflow_id="loan-A", amount=Decimal(4_000_000), running=True)]
    checked = records("verify")
    assert checked.exit_code == 0, checked.output
    assert "credit exposures: 2 row(s) checked, 0 changed, 0 deleted" in said(checked)
