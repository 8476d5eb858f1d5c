"""Refunds and returns entered, awaiting their checker (store/payer_outflows.py), sealed as
their maker enters them: what an auditor's tester changes in one with SQL between the maker
and the checker (its account, its amount), or inserts, is named by `records verify`, and
`pending confirm` refuses it with the key, nothing paid or booked, the entry still awaiting
(cancelled, and entered again, it is paid); an untouched one confirms as before. Without the
key everything is entered and confirmed unsealed, as before, until a supervisor seals it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import text
from typer.testing import CliRunner, Result

from journey.settings import Settings
from starter.cli import app
from store.db import engine_for
from store.payer_outflows import OutflowKind, OutflowState, PayerOutflow, outflows
from store.payer_returns import enter_outflow, refunds, returns
from store.pending import Delivery, instruction
from tests.cli_kit import said
from tests.store.test_record_seals import (  # noqa: F401
    CHECKER,
    KEY,
    OPS,
    database,
    found,
    records,
    sql,
    submitted_by_ops_li,
    unbooked,
)

ENTRY = "refund or return entry"


def entered(number: int, reference: str, account: str = "62220202001") -> Result:
    """The return of money received and not booked, entered by OPS (`pending return`)."""
    return CliRunner().invoke(app, ["pending", "return", str(number), "--reason",
                                    "nothing due: sent back", "--reference", reference,
                                    "--to-account", account, "--as", OPS.id])


def refund_entered(database: str, reference: str) -> int:  # noqa: F811
    """A refund of money owed back entered as `pending refund` enters it (its journey's
    status, which needs a server, read already): sealed where the archive key is set."""
    return enter_outflow(database, PayerOutflow(
        kind=OutflowKind.REFUND, workflow_id="LOAN-REF-1", payment="ALL-1",
        paid_on=date(2026, 12, 1), amount=Decimal("25.00"), account="62220202009",
        reference=reference, reason="paid over the quote", entered_by=OPS.id, role=OPS.role,
        origin="ops@h", entered_at=datetime.now(UTC)), Settings().archive_seal_key)


def confirmed(number: int) -> Result:
    return CliRunner().invoke(app, ["pending", "confirm", str(number), "--as", CHECKER])


def seals(database: str) -> list[str | None]:  # noqa: F811
    with engine_for(database).connect() as c:
        return list(c.execute(text("select seal from payer_outflows order by id")).scalars())


def awaiting(database: str) -> list[int | None]:  # noqa: F811
    return [e.id for e in outflows(database)]


def entries_found(result: Result) -> dict[str, str]:
    return {row: what for row, what in found(result).items() if row.startswith(ENTRY)}


def test_an_entry_is_sealed_as_entered_and_confirmed_untouched(database: str) -> None:  # noqa: F811
    number = unbooked(database, "FA-E0")
    assert entered(number, "RET-E0").exit_code == 0
    refund_entered(database, "REF-E1")
    assert [s is not None and s.startswith("2:") for s in seals(database)] == [True, True]
    checked = records("verify")
    assert checked.exit_code == 0, checked.output
    assert ("refunds and returns entered: 2 row(s) checked, 0 changed, 0 deleted, 0 inserted"
            in said(checked)), checked.output
    done = confirmed(1)
    assert done.exit_code == 0, done.output
    assert returns(database, [number])[number].account == "62220202001"
    assert records("verify").exit_code == 0  # its state changed: not what its seal covers


def test_an_entry_changed_with_sql_is_named_and_refused_at_confirm_nothing_paid(
    database: str,  # noqa: F811
) -> None:
    first, second = unbooked(database, "FA-E1"), unbooked(database, "FA-E2")
    assert entered(first, "RET-E1").exit_code == 0
    assert entered(second, "RET-E2").exit_code == 0
    refund_entered(database, "REF-E3")
    sql(database, "update payer_outflows set account = '6222999900001' where id = 1",
        "update payer_outflows set amount = '2500.00' where id = 3")
    checked = records("verify")
    assert checked.exit_code == 1, checked.output
    assert found(checked) == {f"{ENTRY} #1 (of journey LOAN-RET-1)": "CHANGED",
                              f"{ENTRY} #3 (of journey LOAN-REF-1)": "CHANGED"}
    assert "what the maker entered (which money, how much, to which account" in said(checked)

    for number, kind in ((1, "return"), (3, "refund")):
        refused = confirmed(number)
        assert refused.exit_code == 1, refused.output
        assert said(refused) == (
            f"error: {kind} {number} is not as its maker entered it (its seal no longer "
            "matches: its amount, account or another fact its maker entered was changed in "
            "the database): nothing paid; run `loan-journey records verify`, cancel it "
            f"(`loan-journey pending cancel {number}`) and enter it again"), refused.output
    assert returns(database, [first]) == {} and refunds(database) == []  # nothing paid
    kept = instruction(database, first)
    assert kept is not None and kept.state is Delivery.UNBOOKED  # nor booked as returned
    assert awaiting(database) == [1, 2, 3]  # still awaiting their checker

    assert confirmed(2).exit_code == 0  # an untouched one is paid as before
    cancelled = CliRunner().invoke(app, ["pending", "cancel", "1", "--reason",
                                         "changed in the database", "--as", CHECKER])
    assert cancelled.exit_code == 0, cancelled.output
    assert entered(first, "RET-E4").exit_code == 0  # entered again: sealed, paid
    again = confirmed(4)
    assert again.exit_code == 0, again.output
    assert returns(database, [first])[first].account == "62220202001"
    assert [(e.id, e.state) for e in outflows(database, states=list(OutflowState))] == [
        (1, OutflowState.CANCELLED), (2, OutflowState.CONFIRMED),
        (3, OutflowState.AWAITING), (4, OutflowState.CONFIRMED)]


def test_an_entry_inserted_with_sql_is_named_and_refused_at_confirm(
    database: str,  # noqa: F811
) -> None:
    number = unbooked(database, "FA-E5")
    assert entered(number, "RET-E5").exit_code == 0
    sql(database, "update payer_outflows set state = 'cancelled' where id = 1",
        "insert into payer_outflows (kind, workflow_id, instruction_id, amount, account, "
        "reference, reason, entered_by, role, origin, entered_at, state) select kind, "
        "workflow_id, instruction_id, amount, '6222999900001', 'RET-E6', reason, entered_by, "
        "role, origin, entered_at, 'awaiting' from payer_outflows where id = 1")
    assert entries_found(records("verify")) == {f"{ENTRY} #2 (of journey LOAN-RET-1)":
                                                "INSERTED"}
    refused = confirmed(2)
    assert refused.exit_code == 1, refused.output
    assert said(refused).startswith(
        "error: return 2 is not as its maker entered it (it has no seal, though entered after "
        "sealing began: inserted in the database, or entered without the key): nothing "
        "paid"), refused.output
    assert returns(database, [number]) == {} and awaiting(database) == [2]


def test_without_the_key_entries_are_unsealed_as_before_until_a_supervisor_seals_them(
    database: str, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
) -> None:
    monkeypatch.delenv("LOAN_JOURNEY_ARCHIVE_KEY")
    numbers = [unbooked(database, f"FA-K{n}") for n in range(4)]
    assert entered(numbers[0], "RET-K0").exit_code == 0
    assert confirmed(1).exit_code == 0  # entered and confirmed unsealed, as before
    assert entered(numbers[1], "RET-K1").exit_code == 0
    assert seals(database) == [None, None]
    monkeypatch.setenv("LOAN_JOURNEY_ARCHIVE_KEY", KEY)
    assert entered(numbers[2], "RET-K2").exit_code == 0  # the entries' first seal
    monkeypatch.delenv("LOAN_JOURNEY_ARCHIVE_KEY")
    keyless = entered(numbers[3], "RET-K3")  # one unsealed now would be one nobody vouches for
    assert keyless.exit_code == 8, keyless.output
    assert "returns of money to payers are sealed: set LOAN_JOURNEY_ARCHIVE_KEY" in said(keyless)
    assert len(seals(database)) == 3  # nothing written
    monkeypatch.setenv("LOAN_JOURNEY_ARCHIVE_KEY", KEY)
    assert entries_found(records("verify")) == {
        f"{ENTRY} #1 (of journey LOAN-RET-1)": "unsealed",
        f"{ENTRY} #2 (of journey LOAN-RET-1)": "unsealed"}
    assert confirmed(2).exit_code == 0  # entered before sealing began: vouched for by none
    done = records("seal", "--as", "sup-sme")
    assert done.exit_code == 0, done.output
    assert (f"refunds and returns entered: sealed 2 row(s) {ENTRY} #1 (of journey "
            "LOAN-RET-1)") in said(done), done.output
    assert records("verify").exit_code == 0


def test_a_wrong_key_confirms_nothing(
    database: str, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
) -> None:
    number = unbooked(database, "FA-W0")
    assert entered(number, "RET-W0").exit_code == 0
    monkeypatch.setenv("LOAN_JOURNEY_ARCHIVE_KEY", "a-wrong-key-but-long-enough")
    wrong = confirmed(1)
    assert wrong.exit_code == 8, wrong.output
    assert ("refund or return 1 not confirmed, nothing paid: LOAN_JOURNEY_ARCHIVE_KEY is not "
            "the key the refunds and returns entered were sealed with") in said(wrong)
    assert returns(database, [number]) == {} and awaiting(database) == [1]
