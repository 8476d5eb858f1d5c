"""`loan-journey records verify|seal`: LPR fixings, their corrections, refused attempts,
pending instructions (acts kept while no worker answered), money returned to its payers
(`pending return`) and refunds of money owed back (`pending refund`) really in the journey
database, sealed as written; changed, inserted or deleted with SQL, each is named; an
untouched store passes; rows kept before the key are unsealed, not tampered, until a
supervisor seals them."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from alembic import command
from sqlalchemy import text
from temporalio.testing import WorkflowEnvironment
from typer.testing import CliRunner, Result

from activities.lpr import LprActivities
from journey.actors import Actor, Role
from journey.decisions import Repayment
from journey.lpr import LprFixingInput
from journey.settings import Settings
from journey.stages import Party, Stage
from journey.status import JourneyStatus
from starter import outflow_checks
from starter.cli import app
from starter.delivery_log import deliver_on_start
from starter.errors import KeysNeeded
from starter.pending import act_or_keep
from starter.pending_delivery import deliver
from starter.pending_return import returned_to_payer
from store.db import alembic_config, engine_for
from store.lpr import LprFixingRow, fixing_facts, recorded_fixing
from store.lpr_in_force import FixingKeyWrong, read_in_force
from store.payer_outflows import OutflowKind, outflows
from store.payer_returns import (
    OverRefund,
    PayerRefund,
    ReferenceUsed,
    record_refund,
    refunds,
    returns,
)
from store.pending import Delivery, Instruction, PendingRow, instructions, keep_instruction
from store.seals import KeyRequired, SealBaselineRow, baseline_facts, chained
from tests.cli_kit import said
from tests.ports import free_port
from tests.store.test_lpr_fixings import BEFORE, LAST, TODAY, correct, lpr, record, rows

KEY = "records-key-0123456789"
OPS = Actor(id="ops-wang", role=Role.OPERATIONS)
CHECKER = "ops-zhao"  # a return's second pair of eyes: neither its maker nor the submitter


@pytest.fixture(autouse=True)
def submitted_by_ops_li(monkeypatch: pytest.MonkeyPatch) -> None:
    """The journeys' submitter as `start` keeps it (no journey runs here to ask)."""
    monkeypatch.setattr(outflow_checks, "kept_submitter", lambda settings, wid: "ops-li")


@pytest.fixture(autouse=True)
def database(db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("LOAN_JOURNEY_DATABASE_URL", db_url)
    monkeypatch.setenv("LOAN_JOURNEY_ARCHIVE_KEY", KEY)
    return db_url


def records(*args: str) -> Result:
    """`verify` without the server (--offline): the chains' anchor is tests/e2e's."""
    offline = ["--offline"] if args[:1] == ("verify",) else []
    return CliRunner().invoke(app, ["records", *args, *offline])


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


def repayment(reference: str, state: Delivery = Delivery.UNBOOKED) -> Instruction:
    """A repayment kept while no worker answered and refused at delivery: money received and
    not booked (`state`: returned, as a version before its return's columns left it)."""
    return Instruction(
        workflow_id="LOAN-RET-1", update="record_repayment", update_id=str(uuid.uuid4()),
        request=Repayment(actor=OPS, reference=reference, amount="1000").model_dump_json(),
        actor=OPS.id, role=OPS.role, typed_at=datetime(2026, 12, 1, tzinfo=UTC), origin="ops@h",
        state=state, settled_at=datetime(2026, 12, 2, tzinfo=UTC), outcome=(
            "returned to the payer under RET-OLD: sent back (recorded by ops-wang)"
            if state is Delivery.RETURNED else "nothing due"))


def unbooked(database: str, reference: str) -> int:
    """Kept as the command line keeps it: sealed where the archive key is set."""
    return keep_instruction(database, repayment(reference), Settings().archive_seal_key)


def typed_offline(monkeypatch: pytest.MonkeyPatch, reference: str) -> Result:
    """A repayment typed while the server cannot be reached: kept as a pending instruction."""
    monkeypatch.setenv("LOAN_JOURNEY_TEMPORAL_ADDRESS", f"127.0.0.1:{free_port()}")  # nobody
    typed = CliRunner().invoke(app, ["repay", "loan-APP-KEPT", "--amount", "1000.00",
                                     "--reference", reference, "--as", OPS.id])
    assert typed.exit_code == 5 and "kept as pending instruction" in said(typed), typed.output
    return typed


def returned(number: int, reference: str = "RET-0001") -> Result:
    """The return entered by OPS and, once entered, confirmed by a second operations person
    (four eyes): the confirmation's result, or the entry's when refused."""
    entered = CliRunner().invoke(app, ["pending", "return", str(number), "--reason",
                                       "nothing due: sent back", "--reference", reference,
                                       "--to-account", "62220202001", "--as", OPS.id])
    if entered.exit_code != 0:
        return entered
    (entry,) = [e for e in outflows(Settings().db_url, OutflowKind.RETURN)
                if e.instruction_id == number]
    return CliRunner().invoke(app, ["pending", "confirm", str(entry.id), "--as", CHECKER])


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


def test_lpr_list_marks_a_fixing_that_fails_its_seal_and_prices_no_offer_on_it(
    database: str,
) -> None:
    sealed_store()
    assert "new offers are priced at the fixing of" in said(lpr("list"))
    sql(database, f"update lpr_fixings set one_year = '0.0205' where fixed_on = '{LAST}'")
    listed = lpr("list")
    assert listed.exit_code == 0, listed.output
    shown = said(listed)
    marked = [n for n, line in enumerate(listed.output.splitlines())
              if line.startswith("│ fails its seal (CHANGED) ")]
    assert len(marked) == 1  # the fixing changed, not the other
    assert listed.output.splitlines()[marked[0] - 1].startswith(f"│ {LAST} ")  # under its date
    assert "new offers are priced at" not in shown
    assert (f"new offers will not be priced on the fixing of {LAST} (1y 2.05%, 5y 3.50%), the "
            f"one in force: LPR fixing #1 ({LAST}) fails its seal (CHANGED)") in shown
    assert ("then run `loan-journey records verify`. No loan is priced or repriced on it until "
            "then") in shown


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


def test_money_returned_to_its_payer_is_kept_in_columns_sealed_and_checked(
    database: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    numbers = [unbooked(database, f"FA-{n}") for n in range(4)]
    assert all(returned(n, f"RET-{n}").exit_code == 0 for n in numbers)
    back = returns(database, numbers)[numbers[0]]
    assert (back.returned_by, back.role, back.reference, back.reason) == (
        OPS.id, OPS.role, "RET-1", "nothing due: sent back")
    checked = records("verify")
    assert checked.exit_code == 0, checked.output
    assert "money returned to payers: 4 row(s) checked, 0 changed" in said(checked)
    monkeypatch.delenv("LOAN_JOURNEY_ARCHIVE_KEY")
    five = unbooked(database, "FA-5")
    keyless = returned(five)
    assert keyless.exit_code == 8 and "returns of money to payers are sealed" in said(keyless)
    assert returns(database, [five]) == {}  # nothing written: still unbooked
    monkeypatch.setenv("LOAN_JOURNEY_ARCHIVE_KEY", KEY)
    sql(database, "update payer_returns set reason = 'kept by the bank' where id = 1",
        "delete from payer_returns where id = 2",
        "update pending_instructions set request = replace(request, '1000', '9000') "
        "where id = 4",  # the money it returned, as kept
        "update pending_instructions set state = 'returned' where id = 5",
        "insert into payer_returns (instruction_id, workflow_id, returned_at) "
        "select 5, workflow_id, returned_at from payer_returns where id = 1")
    tampered = records("verify")
    assert tampered.exit_code == 1
    assert found(tampered) == {
        "return to payer #1 (of pending instruction 1)": "CHANGED",
        "seal #2 of the money returned to payers": "DELETED",
        "pending instruction #2": "DELETED",  # marked returned, its return gone
        "return to payer #4 (of pending instruction 4)": "CHANGED",
        "pending instruction #4": "CHANGED",
        "return to payer #5 (of pending instruction 5)": "INSERTED",
        "pending instruction #5": "INSERTED"}  # kept without the key among sealed ones
    assert ("the return or the money received it settles changed in the database since it "
            "was sealed") in said(tampered)


def refunded(database: str, reference: str, key: bytes | None) -> None:
    """Money owed back (paid beyond a loan's plan) refunded, as `pending refund` keeps it."""
    record_refund(database, PayerRefund(
        workflow_id="LOAN-REF-1", payment="ALL-1", paid_on=date(2026, 12, 1),
        amount=Decimal("25.00"), account="62220202001", refunded_at=datetime.now(UTC),
        refunded_by=OPS.id, role=OPS.role, origin="ops@h", reference=reference,
        reason="paid over the quote"), Decimal("100.00"), key)


def test_refunds_of_money_owed_back_are_sealed_in_the_returns_chain(
    database: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    number = unbooked(database, "FA-R0")
    refunded(database, "REF-1", Settings().archive_seal_key)
    assert returned(number, "RET-R0").exit_code == 0  # next in the same chain
    refunded(database, "REF-2", Settings().archive_seal_key)
    checked = records("verify")
    assert checked.exit_code == 0, checked.output
    assert "money returned to payers: 3 row(s) checked, 0 changed" in said(checked)
    with pytest.raises(ReferenceUsed, match="the return of pending instruction"):
        refunded(database, "RET-R0", Settings().archive_seal_key)  # one payment, one return
    with pytest.raises(OverRefund):  # 25.00 + 25.00 of 100.00 refunded: 50.00 left
        record_refund(database, PayerRefund(**{**refunds(database)[0].model_dump(),
                                               "amount": Decimal("50.01"),
                                               "reference": "REF-3"}),
                      Decimal("100.00"), Settings().archive_seal_key)
    with pytest.raises(KeyRequired):
        refunded(database, "REF-4", None)
    assert [r.reference for r in refunds(database)] == ["REF-1", "REF-2"]  # nothing written
    sql(database, "update payer_refunds set amount = '2500.00' where id = 1")
    tampered = records("verify")
    assert tampered.exit_code == 1
    assert found(tampered) == {"refund to payer #1": "CHANGED"}
    assert "the refund (which loan and payment, how much" in said(tampered)


def test_the_newest_return_deleted_is_named_by_its_instruction(database: str) -> None:
    numbers = [unbooked(database, f"FA-D{n}") for n in range(2)]
    assert all(returned(n, f"RET-D{n}").exit_code == 0 for n in numbers)
    sql(database, "delete from payer_returns where id = 2")  # no seal after it to tell
    checked = records("verify")
    assert checked.exit_code == 1
    assert found(checked) == {"pending instruction #2": "DELETED"}
    assert "pending instruction 2 is marked returned but no return is recorded" in said(checked)


def test_a_kept_instruction_is_sealed_as_typed_and_its_forgery_named(
    database: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("LOAN_JOURNEY_ARCHIVE_KEY")
    assert "unsealed" not in said(typed_offline(monkeypatch, "FA-K0"))  # #1: no chain yet
    monkeypatch.setenv("LOAN_JOURNEY_ARCHIVE_KEY", KEY)
    for n in range(1, 4):
        typed_offline(monkeypatch, f"FA-K{n}")  # #2 to #4, sealed as kept
    assert found(records("verify")) == {  # its reference's claim as well
        "pending instruction #1": "unsealed",
        "payment reference claim #1 (of journey loan-APP-KEPT)": "unsealed"}
    done = records("seal", "--as", "sup-sme")
    assert "pending instructions: sealed 1 row(s) pending instruction #1" in said(done)
    assert records("verify").exit_code == 0
    sql(database, "update pending_instructions set request = replace(request, '1000', '9000'), "
        "actor = 'ops-li' where id = 2",  # the money received and its typist, forged
        "delete from pending_instructions where id = 3",
        "update pending_instructions set state = 'refused', outcome = 'ended', "
        "settled_at = typed_at where id = 4")  # delivered: its later state is not sealed
    monkeypatch.delenv("LOAN_JOURNEY_ARCHIVE_KEY")
    keyless = typed_offline(monkeypatch, "FA-K4")  # #5: kept all the same, and said
    assert "kept unsealed among sealed ones, and a worker with the archive key will not " \
        "deliver it" in said(keyless)
    monkeypatch.setenv("LOAN_JOURNEY_ARCHIVE_KEY", KEY)
    checked = records("verify")
    assert checked.exit_code == 1
    assert found(checked) == {"pending instruction #2": "CHANGED",
                              "seal #2 of the pending instructions": "DELETED",
                              "pending instruction #5": "INSERTED",
                              "payment reference claim #5 (of journey loan-APP-KEPT)": "INSERTED"}


async def test_a_worker_with_the_key_delivers_no_instruction_that_fails_its_seal(
    database: str, time_skipping_env: WorkflowEnvironment, caplog: pytest.LogCaptureFixture,
) -> None:
    key = Settings().archive_seal_key
    pending = repayment("FA-D").model_copy(update={"state": Delivery.PENDING, "outcome": "",
                                                   "settled_at": None})
    for n, sealed in enumerate((key, key, None), start=1):  # #3 kept by a keyless command line
        keep_instruction(database, pending.model_copy(update={
            "update_id": str(uuid.uuid4()), "request": pending.request.replace("FA-D", f"FA-D{n}")
        }), sealed)
    sql(database, "update pending_instructions set request = replace(request, '1000', '9000') "
        "where id = 2")
    wrong = Settings(archive_key="a-wrong-key-but-long-enough")
    with pytest.raises(KeysNeeded, match="no pending instruction delivered, each stays pending: "
                                         "LOAN_JOURNEY_ARCHIVE_KEY is not the key the pending "
                                         "instructions were sealed with"):
        await deliver(time_skipping_env.client, wrong)  # a wrong key, not three forgeries
    await deliver_on_start(time_skipping_env.client, wrong)  # the worker: said, runs on
    assert "not the key the pending instructions were sealed with" in caplog.text
    with pytest.raises(KeysNeeded,
                       match=r"what you typed \(repayment\) is not sent either, nor kept"):
        await act_or_keep(time_skipping_env.client, wrong, "LOAN-RET-1", "record_repayment",
                          Repayment(actor=OPS, reference="FA-D4", amount="1000"))
    states = [k.state for k in instructions(database, every=True)]
    assert states == [Delivery.PENDING] * 3  # none lost, nor any added
    done = await deliver(time_skipping_env.client, Settings())
    state = {kept.id: (kept.state, kept.outcome) for kept in done.settled}
    assert state[1][0] is Delivery.UNBOOKED  # vouched for, sent: no such journey on the server
    for n, what in ((2, "CHANGED"), (3, "INSERTED")):  # not sent, and no money received
        assert state[n][0] is Delivery.REFUSED, state[n]
        assert f"not delivered: it fails its seal ({what}" in state[n][1], state[n]


@pytest.mark.usefixtures("sqlite_only")
def test_a_return_recorded_before_its_columns_reads_as_before_until_a_supervisor_seals_it(
    database: str,
) -> None:
    with engine_for(database).begin() as c:  # a database the version before left
        cfg = alembic_config(database)
        cfg.attributes["connection"] = c
        command.upgrade(cfg, "0010_record_seals")
        old = repayment("FA-OLD", Delivery.RETURNED)
        c.execute(PendingRow.__table__.insert().values(**old.model_dump(exclude={"id"})))
    listed = said(CliRunner().invoke(app, ["pending", "list", "--all"]))
    assert "RET-OLD" in listed, listed  # its outcome, as the version before showed it
    loan = JourneyStatus(workflow_id="LOAN-RET-1", application_id="RET-1", stage=Stage.POST_LOAN,
                         attempt=1, waits_on=Party.CUSTOMER)
    assert returned_to_payer(Settings(), loan) == [  # `status`
        "money received and returned: 1,000.00 under FA-OLD (pending instruction 1), returned to "
        "the payer under RET-OLD: sent back (recorded by ops-wang)"]
    one = "return to payer #1 (of pending instruction 1)"
    assert found(records("verify")) == {"pending instruction #1": "unsealed", one: "unsealed"}
    done = said(records("seal", "--as", "sup-sme"))
    assert "sealed 1 row(s) pending instruction #1" in done
    assert f"sealed 1 row(s) {one}" in done
    assert records("verify").exit_code == 0
    sql(database, "update pending_instructions set outcome = 'never returned'")
    assert found(records("verify")) == {one: "CHANGED"}


def test_a_wrong_key_writes_nothing_and_is_named_as_such(
    database: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert record(LAST).exit_code == 0
    refused(1)
    assert returned(unbooked(database, "FA-1")).exit_code == 0
    two = unbooked(database, "FA-2")
    monkeypatch.setenv("LOAN_JOURNEY_ARCHIVE_KEY", "a-wrong-key-but-long-enough")
    fixing = record(BEFORE, "2.90", "3.40")
    assert fixing.exit_code == 8, fixing.output
    assert ("LOAN_JOURNEY_ARCHIVE_KEY is not the key the LPR fixings and corrections were "
            "sealed with: nothing written") in said(fixing)
    back = returned(two)
    assert back.exit_code == 8 and "money returned to payers were sealed with" in said(back)
    assert returns(database, [two]) == {}  # still unbooked
    refused(1)  # kept, unsealed, as without the key
    assert "kept unsealed among sealed ones" in said(typed_offline(monkeypatch, "FA-3"))
    with pytest.raises(FixingKeyWrong) as unchecked:  # a worker's read: no loan priced on it
        read_in_force(database, LAST, "loan-APP-1", Settings().archive_seal_key)
    assert ("is not the key the LPR fixings and corrections were sealed with: none of their "
            "seals matches it, so none is checked here (sealed under another archive key, "
            "not changed") in str(unchecked.value)
    assert recorded_fixing(database, LAST).used_by is None  # not taken as read
    assert records("seal", "--as", "sup-sme").exit_code == 8
    wrong = records("verify")
    assert wrong.exit_code == 8, wrong.output
    assert "the key does not match the one these records were sealed with" in said(wrong)
    unsealed = {"refusal #2": "INSERTED", "pending instruction #3": "INSERTED"}
    assert found(wrong) == unsealed  # no row listed as changed
    monkeypatch.setenv("LOAN_JOURNEY_ARCHIVE_KEY", KEY)
    assert found(records("verify")) == unsealed  # nothing else written
    sql(database, "update refusals set reason = 'nothing' where id = 2",
        "update refusals set reason = 'nothing' where id = 1")  # the newest sealed changed
    refused(1)  # the right key seals on
    assert found(records("verify")) == {"refusal #1": "CHANGED"} | unsealed


def test_an_unsealed_row_not_there_when_sealing_began_is_inserted_whatever_its_id(
    database: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("LOAN_JOURNEY_ARCHIVE_KEY")
    refused(2)
    sql(database, "delete from refusals where id = 1")  # a gap before sealing began
    monkeypatch.setenv("LOAN_JOURNEY_ARCHIVE_KEY", KEY)
    refused(1)  # #3, the first sealed
    assert returned(unbooked(database, "FA-1")).exit_code == 0
    forged = ("select {id}, workflow_id, action, actor, role, reason, at, origin from refusals "
              "where id = 2")
    sql(database, *(f"insert into refusals (id, workflow_id, action, actor, role, reason, at, "
                    f"origin) {forged.format(id=i)}" for i in (1, 0)),
        f"update pending_instructions set state = 'returned' where id = "
        f"{unbooked(database, 'FA-2')}",
        "insert into payer_returns (id, instruction_id, workflow_id, returned_at) "
        "select 0, 2, workflow_id, returned_at from payer_returns where id = 1")
    inserted = {"refusal #0": "INSERTED", "refusal #1": "INSERTED",
                "return to payer #0 (of pending instruction 2)": "INSERTED"}
    assert found(records("verify")) == {"refusal #2": "unsealed"} | inserted
    done = records("seal", "--as", "sup-sme")
    assert done.exit_code == 1, done.output
    assert "refused attempts: sealed 1 row(s) refusal #2" in said(done)
    assert "refusal #0: INSERTED after sealing began, not sealed" in said(done)
    assert found(records("verify")) == inserted
    sql(database, "update seal_baselines set ids = '{\"refusals\": [0, 1, 2]}' "
        "where chain = 'refusals'")  # to pass the forged rows for ones kept before
    assert found(records("verify")) == {"the baseline of the refused attempts": "CHANGED"
                                        } | inserted


def read_by_a_loan() -> None:
    """The fixing in force today read for a loan, as a worker reads it: its first read kept."""
    assert LprActivities(Settings()).read_lpr_fixing(LprFixingInput(on=TODAY)).fixing


def test_a_fixings_first_read_is_sealed_and_its_removal_refuses_corrections(
    database: str,
) -> None:
    assert record(LAST).exit_code == 0  # sealed #1
    read_by_a_loan()  # its first read sealed #2
    assert record(BEFORE, "2.90", "3.40").exit_code == 0  # #3
    assert records("verify").exit_code == 0
    sql(database, "update lpr_fixings set used_by = NULL, used_at = NULL")  # as unread
    reader = f"first reader of LPR fixing #1 ({LAST})"
    assert found(records("verify")) == {reader: "CHANGED"}
    refused_ = correct(LAST, "3.05", "3.50", "--as", "sup-corp")
    assert refused_.exit_code == 3, refused_.output
    assert (f"the LPR fixing of {LAST} not corrected: a loan may have read it: {reader} "
            "(CHANGED): it says no loan read it first, but its first read (LPR first read #1) "
            "says - did") in said(refused_)
    sql(database, "update lpr_fixing_reads set fixing_id = 2")  # its first read moved
    assert found(records("verify")) == {"LPR first read #1 (of LPR fixing 2)": "CHANGED",
                                        f"first reader of LPR fixing #2 ({BEFORE})": "CHANGED"}
    assert "LPR first read #1 (of LPR fixing 2) (CHANGED)" in said(
        correct(LAST, "3.05", "3.50", "--as", "sup-corp"))
    sql(database, "delete from lpr_fixing_reads")  # gone: its place in the chain tells
    assert found(records("verify")) == {"seal #2 of the LPR fixings and corrections": "DELETED"}
    assert "(DELETED)" in said(correct(LAST, "3.05", "3.50", "--as", "sup-corp"))
    assert rows(database, "select count(*) from lpr_fixing_corrections") == [("0",)]


@pytest.mark.usefixtures("sqlite_only")
def test_fixings_read_before_their_first_reads_were_kept_are_unsealed_until_sealed(
    database: str,
) -> None:
    key = KEY.encode()
    with engine_for(database).begin() as c:  # a database the version before left, sealed
        cfg = alembic_config(database)
        cfg.attributes["connection"] = c
        command.upgrade(cfg, "0013_seal_baselines")
        at = datetime(2026, 12, 1, tzinfo=UTC)
        old, new = (LprFixingRow(id=n, fixed_on=day, one_year=Decimal("0.030000"),
                                 five_year=Decimal("0.035000"), recorded_by="ops-wang",
                                 recorded_at=at) for n, day in ((1, BEFORE), (2, LAST)))
        old.used_by, old.used_at = "LOAN-OLD", at  # read by a loan before: kept unsealed
        baseline = SealBaselineRow(chain="lpr_fixings", ids=json.dumps(
            {"lpr_fixings": [1], "lpr_fixing_corrections": []}))
        baseline.seal = chained(key, baseline_facts(baseline), 0, "")
        new.seal = chained(key, fixing_facts(new), 1, baseline.seal)
        for row in (baseline, old, new):
            c.execute(type(row).__table__.insert().values(
                {k: v for k, v in vars(row).items() if not k.startswith("_")}))
    assert found(records("verify")) == {f"LPR fixing #1 ({BEFORE})": "unsealed",
                                        "LPR first read #1 (of LPR fixing 1)": "unsealed"}
    done = said(records("seal", "--as", "sup-sme"))
    assert "LPR fixing #1" in done and "LPR first read #1 (of LPR fixing 1)" in done
    assert records("verify").exit_code == 0
    sql(database, "update lpr_fixings set used_by = NULL where id = 1")
    assert found(records("verify")) == {f"first reader of LPR fixing #1 ({BEFORE})": "CHANGED"}
