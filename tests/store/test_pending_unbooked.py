"""Money received and not booked (store/pending.py): a `repay` under its reference books it,
on its own journey or, of the same amount, on the loan it pays when the one typed was wrong;
a return to the payer is written once (store/payer_returns.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from journey.actors import Actor, Role
from journey.decisions import Repayment
from store.payer_returns import PayerReturn, record_return
from store.pending import (
    Delivery,
    Instruction,
    booked_at_last,
    instructions,
    keep_instruction,
    settle,
)

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
