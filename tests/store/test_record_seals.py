"""`loan-journey records verify|seal`: LPR fixings, their corrections and refused attempts
really in the journey database, sealed as written; changed, inserted or deleted with SQL,
each is named; an untouched store passes; rows kept before the key are unsealed, not
tampered, until a supervisor seals them."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text
from typer.testing import CliRunner, Result

from starter.cli import app
from store.db import engine_for
from tests.cli_kit import said
from tests.store.test_lpr_fixings import BEFORE, LAST, correct, record

KEY = "records-key-0123456789"


@pytest.fixture(autouse=True)
def database(db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("LOAN_JOURNEY_DATABASE_URL", db_url)
    monkeypatch.setenv("LOAN_JOURNEY_ARCHIVE_KEY", KEY)
    return db_url


def records(*args: str) -> Result:
    return CliRunner().invoke(app, ["records", *args])


def found(result: Result) -> dict[str, str]:
    """Each row named in the check's tables, with what was found."""
    return {m[1]: m[2] for m in re.finditer(r"^│ (\S.*?) +│ (\w+) +│", result.output, re.M)}


def sql(database: str, *statements: str) -> None:
    with engine_for(database).begin() as c:
        for statement in statements:
            c.execute(text(statement))


def refused(times: int) -> None:
    """Refused attempts kept by the command line (a relationship manager may not record)."""
    for _ in range(times):
        assert record(LAST, "3.00", "3.50", "--as", "rm-zhang", "--role",
                      "relationship_manager").exit_code == 3


def sealed_store() -> None:
    assert record(LAST).exit_code == 0
    assert correct(LAST, "3.05", "3.50").exit_code == 0  # the fixing sealed again, twice
    assert correct(LAST, "3.10", "3.50", reason="published 3.10").exit_code == 0
    assert record(BEFORE, "2.90", "3.40").exit_code == 0
    refused(3)


def test_an_untouched_store_passes() -> None:
    sealed_store()
    checked = records("verify")
    assert checked.exit_code == 0, checked.output
    assert ("LPR fixings and corrections: 4 row(s) checked, 0 changed, 0 deleted, 0 inserted, "
            "0 unsealed") in said(checked)
    assert "refused attempts: 3 row(s) checked, 0 changed" in said(checked)


def test_a_fixing_or_a_correction_changed_with_sql_is_named(database: str) -> None:
    sealed_store()
    sql(database, "update lpr_fixings set one_year = '0.029000' where id = 1",
        "update lpr_fixing_corrections set reason = 'nothing' where id = 2")
    checked = records("verify")
    assert checked.exit_code == 1
    assert found(checked) == {f"LPR fixing #1 ({LAST})": "CHANGED",
                              "LPR correction #2": "CHANGED"}


def test_a_refusal_deleted_edited_or_inserted_with_sql_is_named(database: str) -> None:
    sealed_store()
    sql(database, "delete from refusals where id = 2",
        "update refusals set actor = 'ops-wang' where id = 1",
        "insert into refusals (workflow_id, action, actor, role, reason, at, origin) "
        "select workflow_id, action, actor, role, reason, at, origin from refusals where id = 1")
    checked = records("verify")
    assert checked.exit_code == 1
    text_ = said(checked)
    assert "the row sealed #2, between refusal #1 and refusal #3, is missing" in text_
    assert found(checked) == {"seal #2 of the refused attempts": "DELETED",
                              "refusal #1": "CHANGED", "refusal #4": "INSERTED"}
    assert "refused attempts: 3 row(s) checked, 1 changed, 1 deleted, 1 inserted" in text_


def test_rows_kept_before_the_key_are_unsealed_until_a_supervisor_seals_them(
    database: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("LOAN_JOURNEY_ARCHIVE_KEY")
    assert record(LAST).exit_code == 0
    refused(1)
    no_key = records("verify")
    assert no_key.exit_code == 8 and "set LOAN_JOURNEY_ARCHIVE_KEY" in said(no_key)
    monkeypatch.setenv("LOAN_JOURNEY_ARCHIVE_KEY", KEY)
    assert correct(LAST, "3.05", "3.50").exit_code == 0  # sealed; the fixing stays unsealed
    before = records("verify")
    assert before.exit_code == 1  # as an unsealed archived run: vouched for by none
    assert found(before) == {f"LPR fixing #1 ({LAST})": "unsealed", "refusal #1": "unsealed"}
    assert "LPR fixings and corrections: 2 row(s) checked, 0 changed, 0 deleted, 0 inserted, " \
        "1 unsealed" in said(before)
    assert records("seal", "--as", "ops-wang", "--role", "operations").exit_code == 3
    done = records("seal", "--as", "sup-sme")
    assert done.exit_code == 0, done.output
    assert f"LPR fixings and corrections: sealed 1 row(s) LPR fixing #1 ({LAST})" in said(done)
    assert "refused attempts: sealed 1 row(s) refusal #1" in said(done)  # #2, the refused
    # sealing, sealed as kept
    after = records("verify")
    assert after.exit_code == 0 and "0 unsealed" in said(after)
    monkeypatch.delenv("LOAN_JOURNEY_ARCHIVE_KEY")
    keyless = record(BEFORE, "2.90", "3.40")
    assert keyless.exit_code == 8, keyless.output
    assert "the LPR fixings are sealed: set LOAN_JOURNEY_ARCHIVE_KEY" in said(keyless)
    kept = record(LAST, "3.00", "3.50", "--as", "rm-zhang", "--role", "relationship_manager")
    assert "kept unsealed among sealed ones: set LOAN_JOURNEY_ARCHIVE_KEY" in said(kept)
    monkeypatch.setenv("LOAN_JOURNEY_ARCHIVE_KEY", KEY)
    assert found(records("verify")) == {"refusal #3": "INSERTED"}


def test_a_row_inserted_after_sealing_began_is_named_not_sealed(
    database: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("LOAN_JOURNEY_ARCHIVE_KEY")
    assert record(BEFORE, "2.90", "3.40").exit_code == 0  # #1, kept before the key
    monkeypatch.setenv("LOAN_JOURNEY_ARCHIVE_KEY", KEY)
    assert record(LAST).exit_code == 0  # #2, sealed as recorded
    sql(database, "insert into lpr_fixings (fixed_on, one_year, five_year, recorded_by, "
        "recorded_at) select '2019-08-20', '0.020000', five_year, recorded_by, recorded_at "
        "from lpr_fixings where id = 2")  # a forged fixing: #3
    done = records("seal", "--as", "sup-sme")
    assert done.exit_code == 1, done.output
    assert f"LPR fixings and corrections: sealed 1 row(s) LPR fixing #1 ({BEFORE})" in said(done)
    assert ("LPR fixing #3 (2019-08-20): INSERTED after sealing began, not sealed"
            in said(done))
    assert found(records("verify")) == {"LPR fixing #3 (2019-08-20)": "INSERTED"}
