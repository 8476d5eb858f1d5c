"""Money received and not booked (store/pending.py): a `repay` under its reference books it,
on its own journey or, of the same amount, on the loan it pays when the one typed was wrong;
a return to the payer is written once (store/payer_returns.py), and a return payment's
reference is one return's (`pending return` refuses another under it, and a repayment's)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from journey.actors import Actor, Role
from journey.decisions import Repayment
from starter import outflow_checks
from starter.cli import app
from store.payer_returns import PayerReturn, record_return
from store.pending import (
    Delivery,
    Instruction,
    booked_at_last,
    instructions,
    keep_instruction,
    settle,
)
from store.refusals import refusals
from tests.cli_kit import said

NOW = datetime(2026, 12, 6, tzinfo=UTC)


def unbooked(url: str, workflow_id: str, reference: str, amount: str) -> int:
    paid = Repayment(actor=Actor(id="ops-li", role=Role.OPERATIONS), reference=reference,
                     amount=Decimal(amount))
    number = keep_instruction(url, Instruction(
        workflow_id=workflow_id, update="record_repayment", update_id=f"{workflow_id}-{reference}",
        request=paid.model_dump_json(), actor="ops-li", role="operations", typed_at=NOW,
        origin="ops@host pid 1"))
    settle(url, number, Delivery.UNBOOKED, "refused", NOW)
    return number


def test_a_repay_books_unbooked_money_of_its_journey_or_of_a_mistyped_one(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'journey.db'}"
    mistyped = unbooked(url, "loan-APP-TYPO", "FA-R2", "50000.00")
    other = unbooked(url, "loan-APP-2", "FA-R2", "70000.00")  # another payment, same words
    booked_at_last(url, "loan-APP-1", "FA-R2", Decimal("50000"), "booked", NOW)
    assert [(k.id, k.state) for k in instructions(url, every=True)] == [
        (mistyped, Delivery.DELIVERED), (other, Delivery.UNBOOKED)]
    assert record_return(url, back(other, "RET-1"))
    assert not record_return(url, back(other, "RET-2"))  # once
    assert not record_return(url, back(mistyped, "RET-3"))  # booked, not returned
    assert [k.outcome for k in instructions(url, every=True)] == [
        "booked", "returned to the payer under RET-1: sent back (recorded by ops-li, operations, "
        "from ops@host pid 2 at 2026-12-06 00:00:00 UTC)"]


def back(number: int, reference: str) -> PayerReturn:
    return PayerReturn(instruction_id=number, workflow_id="loan-APP-2", returned_at=NOW,
                       returned_by="ops-li", role="operations", origin="ops@host pid 2",
                       reference=reference, reason="sent back")


def test_a_return_payments_reference_already_recorded_for_another_return_is_refused(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOAN_JOURNEY_DATABASE_URL", db_url)
    first = unbooked(db_url, "loan-APP-1", "FA-R1", "100.00")
    second = unbooked(db_url, "loan-APP-2", "FA-R2", "200.00")

    def returned(number: int, reference: str = "RET-0012") -> str:
        done = CliRunner().invoke(app, ["pending", "return", str(number), "--reason", "sent back",
                                        "--reference", reference, "--to-account", "62220202001",
                                        "--as", "ops-wang"])
        return f"{done.exit_code} {said(done)}"

    monkeypatch.setattr(outflow_checks, "kept_submitter", lambda settings, wid: "ops-li")
    assert returned(first).startswith("0 entered: return 1 ")
    confirmed = CliRunner().invoke(app, ["pending", "confirm", "1", "--as", "ops-zhao"])
    assert confirmed.exit_code == 0, confirmed.output
    again = returned(second)
    assert again.startswith("3 ") and re.search(
        rf"return of pending instruction {second} not entered: reference RET-0012 is already "
        rf"the return of pending instruction {first} \(loan-APP-1\), recorded by ops-wang at "
        r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", again), again
    assert [k.state for k in instructions(db_url, every=True)] == [
        Delivery.RETURNED, Delivery.UNBOOKED]  # the second still money to book or return
    (kept,) = refusals(db_url, "loan-APP-2")  # for auditors, as the other refusals
    assert kept.action == "pending return" and "RET-0012" in kept.reason
    for repaid in ("FA-R1", "FA-R2"):  # a repayment's, another journey's or its own
        used = returned(second, repaid)
        assert used.startswith("3 ") and f"reference {repaid} is already that of the repayment " \
            "of " in used and "pending instruction" in used, used
    assert instructions(db_url, every=True)[1].state is Delivery.UNBOOKED  # nothing written
