"""A refund or a return entered keeps the payment and the payer's account it was checked
against (退回原账户, store/payer_outflows.py, migration 0031), sealed with what its maker
entered: `pending list` shows that account to the checker and `pending confirm` checks it,
not one read again then, and refuses where the payment, read again, now names another; one
changed in the database is named by `records verify` and refused. Entries made before keep
none: theirs is looked up, as then, and said so; their seals still hold across the
migration."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from alembic import command
from sqlalchemy import inspect, text
from typer.testing import CliRunner

from journey.decisions import Repayment
from journey.settings import Settings
from starter.cli import app
from starter.outflow_checks import LOOKED_UP
from starter.payer_account import SAME
from store.db import alembic_config, engine_for, migrate
from store.payer_outflows import OutflowKind, OutflowState, PayerOutflow, outflow, outflows
from store.payer_returns import enter_outflow, returns
from store.pending import keep_instruction
from tests.cli_kit import said
from tests.store.test_entries_sealed import ENTRY, confirmed, entered
from tests.store.test_record_seals import (  # noqa: F401
    CHECKER,
    OPS,
    database,
    found,
    records,
    repayment,
    sql,
    submitted_by_ops_li,
)

PAYER = "62220202001"  # the account the money came from, as the bank keeps it
OTHER = "62220202999"
CHECKED = "payment {}'s account as kept with the entry, checked at its entry"


def received(database: str, reference: str, account: str | None = PAYER) -> int:  # noqa: F811
    """Money received from `account` (None: the repayment named none) and not booked, kept
    as the command line keeps it."""
    kept = repayment(reference)
    paid = Repayment.model_validate_json(kept.request).model_copy(
        update={"from_account": account})
    return keep_instruction(database, kept.model_copy(update={"request": paid.model_dump_json()}),
                            Settings().archive_seal_key)


def listed() -> str:
    shown = CliRunner().invoke(app, ["pending", "list"])
    assert shown.exit_code == 0, shown.output
    return said(shown)


def before_sources(database: str, number: int, reference: str) -> int:  # noqa: F811
    """A return entered as a version before migration 0031 entered it: no payment nor
    account kept with it (sealed where the archive key is set, over what it had)."""
    return enter_outflow(database, PayerOutflow(
        kind=OutflowKind.RETURN, workflow_id="LOAN-RET-1", instruction_id=number,
        amount=Decimal("1000.00"), account=PAYER, reference=reference, reason="sent back",
        entered_by=OPS.id, role=OPS.role, origin="ops@h", entered_at=datetime.now(UTC)),
        Settings().archive_seal_key)


def test_an_entry_keeps_the_account_it_was_checked_against_sealed(database: str) -> None:  # noqa: F811
    number = received(database, "FA-S1")
    assert entered(number, "RET-S1", "6222 0202-001").exit_code == 0
    nameless = received(database, "FA-S2", account=None)
    assert entered(nameless, "RET-S2").exit_code == 0
    first, second = outflows(database)
    assert (first.source_payment, first.source_account) == ("FA-S1", PAYER)
    assert (second.source_payment, second.source_account) == ("FA-S2", None)  # named none
    shown = listed()
    assert f"{SAME} ({CHECKED.format('FA-S1')})" in shown, shown
    assert ("the payment carried no payer's account" in shown
            and CHECKED.format("FA-S2") in shown and LOOKED_UP not in shown), shown
    assert records("verify").exit_code == 0

    # the account checked against, changed in the database: named, and nothing paid
    sql(database, f"update payer_outflows set source_account = '{OTHER}' where id = 1",
        f"update payer_outflows set source_account = '{PAYER}' where id = 2")
    checked = records("verify")
    assert checked.exit_code == 1, checked.output
    assert {row: what for row, what in found(checked).items() if row.startswith(ENTRY)} == {
        f"{ENTRY} #1 (of journey LOAN-RET-1)": "CHANGED",
        f"{ENTRY} #2 (of journey LOAN-RET-1)": "CHANGED"}, checked.output
    assert "the payer's account it was checked against" in said(checked)
    for n in (1, 2):
        refused = confirmed(n)
        assert refused.exit_code == 1, refused.output
        assert f"return {n} is not as its maker entered it" in said(refused), refused.output
    assert returns(database, [number, nameless]) == {}


def test_confirm_checks_the_account_kept_and_refuses_where_the_payment_now_names_another(
    database: str, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
) -> None:
    """Read again between the maker and the checker, the payment names another account (its
    record changed: without the key nothing vouches for it): the checker is still shown the
    account the entry was checked against, and confirming refuses, naming both."""
    monkeypatch.delenv("LOAN_JOURNEY_ARCHIVE_KEY")
    number = received(database, "FA-M1")
    assert entered(number, "RET-M1").exit_code == 0
    paid = Repayment(actor=OPS, reference="FA-M1", amount=Decimal(1000), from_account=OTHER)
    with engine_for(database).begin() as c:
        c.execute(text("update pending_instructions set request = :r where id = :n"),
                  {"r": paid.model_dump_json(), "n": number})
    shown = listed()
    assert f"{SAME} ({CHECKED.format('FA-M1')})" in shown, shown  # not the account read now
    assert "NOT the account the payment came from" not in shown, shown
    refused = confirmed(1)
    assert refused.exit_code == 3, refused.output
    assert ("payment FA-M1 now names account 6222...2999, not account 6222...2001 as this "
            "return was checked against at its entry: nothing is paid to an account its "
            "checker was not shown; cancel it (`pending cancel 1`)") in said(refused), \
        refused.output
    assert returns(database, [number]) == {} and [e.id for e in outflows(database)] == [1]


def test_an_entry_made_before_is_looked_up_and_said_so(database: str) -> None:  # noqa: F811
    number = received(database, "FA-B1")
    before_sources(database, number, "RET-B1")
    shown = listed()
    assert f"{SAME} ({LOOKED_UP})" in shown, shown
    assert records("verify").exit_code == 0  # its seal covers what it had
    done = confirmed(1)
    assert done.exit_code == 0, done.output
    assert returns(database, [number])[number].account == PAYER


def test_db_upgrade_from_0030_reads_entries_made_before_as_looked_up(
    database: str, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
) -> None:
    """`db upgrade` from empty makes the columns; from 0030, an entry a version before wrote
    keeps none, is shown looked up, and confirms as then."""
    monkeypatch.delenv("LOAN_JOURNEY_ARCHIVE_KEY")  # entered unsealed, as before the key
    migrate(database)
    columns = {c["name"] for c in inspect(engine_for(database)).get_columns("payer_outflows")}
    assert {"source_payment", "source_account"} <= columns
    number = received(database, "FA-U1")
    command.downgrade(alembic_config(database), "0030_amended_exposure")
    with engine_for(database).begin() as c:  # as a version before entered it
        c.execute(text(
            "insert into payer_outflows (kind, workflow_id, instruction_id, amount, account, "
            "reference, reason, entered_by, role, origin, entered_at, state) values ('return', "
            "'LOAN-RET-1', :n, '1000.00', :a, 'RET-U1', 'sent back', 'ops-wang', "
            "'operations', 'ops@h', :at, 'awaiting')"),
            {"n": number, "a": PAYER, "at": datetime.now(UTC)})
    migrate(database)  # `db upgrade`
    assert [(e.id, e.source_payment, e.source_account) for e in outflows(database)] == [
        (1, None, None)]
    assert f"{SAME} ({LOOKED_UP})" in listed()
    done = confirmed(1)
    assert done.exit_code == 0, done.output
    assert returns(database, [number])[number].account == PAYER


def test_a_sealed_entry_holds_across_the_migration_and_one_keeping_its_source_stops_a_downgrade(
    database: str,  # noqa: F811
) -> None:
    migrate(database)
    number = received(database, "FA-D1")
    before_sources(database, number, "RET-D1")  # sealed over what a version before sealed
    command.downgrade(alembic_config(database), "0030_amended_exposure")
    migrate(database)
    assert records("verify").exit_code == 0
    assert entered(received(database, "FA-D2"), "RET-D2").exit_code == 0
    with pytest.raises(RuntimeError, match="keep the account they were checked against"):
        command.downgrade(alembic_config(database), "0030_amended_exposure")
    # SQLite keeps the later migrations' steps down done before the refusal (to 0031; the
    # policies' seals gone), PostgreSQL none: upgraded again, as the bank would
    migrate(database)
    kept = outflow(database, 2)
    assert kept is not None and kept.state is OutflowState.AWAITING
    assert (kept.source_payment, kept.source_account) == ("FA-D2", PAYER)
    assert confirmed(1).exit_code == 0 and confirmed(2).exit_code == 0
