"""A company's renames (统一授信 links two names' exposure by them) and the payment references
claimed across loans, sealed as `start --renamed-from` and the command line that sends a
repayment write them, each in its chain: a rename changed, or a claim deleted, with SQL is
named by `records verify`, exit 1; a rename withdrawn (its start failed) and a claim released
(its journey refused the repayment) or moved keep the chain whole; a claim written before
the key is unsealed until `records seal`."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from journey.actors import Actor, Role
from journey.decisions import Repayment
from journey.renames import Rename
from journey.settings import Settings
from starter.money_references import claimed, released
from store.code_names import declare, withdraw
from store.reference_claims import Claimed
from store.seal_check import check
from store.seal_key import sealing_key
from store.sealed_records import NAMED
from tests.cli_kit import said
from tests.store.test_record_seals import (  # noqa: F401
    KEY,
    OPS,
    database,
    found,
    records,
    sql,
    unbooked,
)

CODE = "91310000MA1FL8LQ1X"
RM = Actor(id="rm-zhang", role=Role.RELATIONSHIP_MANAGER)


def renamed(former: str, name: str, workflow_id: str) -> Rename:
    """Declared as `start --renamed-from` declares it: sealed with the key where it is the
    renames'."""
    url = Settings().db_url
    rename = Rename(credit_code=CODE, former_name=former, name=name, declared_by=RM,
                    declared_at=datetime.now(UTC), workflow_id=workflow_id)
    declare(url, rename, sealing_key(url, Settings().archive_seal_key, NAMED))
    return rename


def withdrawn(rename: Rename) -> None:
    url = Settings().db_url
    withdraw(url, rename, sealing_key(url, Settings().archive_seal_key, NAMED))


def repaid(workflow_id: str, reference: str, amount: str = "10000") -> Claimed:
    """A repayment's reference claimed as the command line claims it before sending it."""
    paid = Repayment(actor=OPS, reference=reference, amount=Decimal(amount))
    held = asyncio.run(claimed(Settings(), workflow_id, paid))
    assert held is not None
    return held


def test_renames_and_claims_withdrawn_released_or_moved_keep_their_chains_whole(
    database: str,  # noqa: F811
) -> None:
    renamed("上海旧名精密制造有限公司", "上海新名精密制造有限公司", "loan-A")
    failed = renamed("上海新名精密制造有限公司", "上海新名集团有限公司", "loan-B")
    renamed("上海新名精密制造有限公司", "上海新名科技有限公司", "loan-C")
    withdrawn(failed)  # its start failed: the rename taken back, its seal kept
    refused = repaid("loan-A", "RP-0001")
    repaid("loan-B", "RP-0002")
    asyncio.run(released(Settings(), refused))  # its journey refused it
    repaid("LOAN-RET-1", "RP-0003", "1000")
    unbooked(database, "RP-0003")  # refused at delivery: kept as received and not booked
    moved = repaid("loan-C", "RP-0003", "1000")  # booked on the loan it pays
    assert moved.moved_from == "LOAN-RET-1"
    asyncio.run(released(Settings(), moved))  # refused there too: the ended loan's again
    checked = records("verify")
    assert checked.exit_code == 0, checked.output
    assert ("credit code renames: 3 row(s) checked, 0 changed, 0 deleted, 0 inserted, "
            "0 unsealed") in said(checked)  # two renames, one withdrawal
    assert ("payment reference claims: 5 row(s) checked, 0 changed, 0 deleted, 0 inserted, "
            "0 unsealed") in said(checked)  # two claims, a release, a move and back


def test_a_rename_changed_and_a_claim_deleted_with_sql_are_named(
    database: str,  # noqa: F811
) -> None:
    renamed("上海旧名精密制造有限公司", "上海新名精密制造有限公司", "loan-A")
    for n, loan in enumerate(("loan-A", "loan-B", "loan-C"), start=1):
        repaid(loan, f"RP-000{n}")
    sql(database,  # another company's exposure joined to this one's (统一授信)
        "update credit_code_names set former_name = '上海别家有限公司' where id = 1",
        "delete from payment_references where reference = 'RP-0002'")
    checked = records("verify")
    assert checked.exit_code == 1, checked.output
    assert found(checked) == {
        "credit code rename #1 (of journey loan-A)": "CHANGED",
        "seal #2 of the payment reference claims": "DELETED",
    }
    details = {f.record: f.detail for c in check(database, KEY.encode()) for f in c.findings}
    assert details["credit code rename #1 (of journey loan-A)"].startswith(
        "the rename (its credit code, former and new names, who declared it in which role, "
        "when, and its journey) changed in the database")
    assert details["seal #2 of the payment reference claims"].startswith(
        "the row sealed #2, between payment reference claim #1 (of journey loan-A) and payment "
        "reference claim #3 (of journey loan-C), is missing: it was deleted")


def test_a_claim_written_before_the_key_is_unsealed_until_a_supervisor_seals_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("LOAN_JOURNEY_ARCHIVE_KEY")  # a command line before this version
    repaid("loan-A", "RP-0001")
    monkeypatch.setenv("LOAN_JOURNEY_ARCHIVE_KEY", KEY)
    repaid("loan-B", "RP-0002")  # the claims' first seal: claim #1 is in its baseline
    before = records("verify")
    assert before.exit_code == 1, before.output
    assert found(before) == {"payment reference claim #1 (of journey loan-A)": "unsealed"}
    done = records("seal", "--as", "sup-sme")
    assert done.exit_code == 0, done.output
    assert ("payment reference claims: sealed 1 row(s) payment reference claim #1 (of journey "
            "loan-A)") in said(done)
    assert records("verify").exit_code == 0
