"""Money received, as operations and finance expect it (starter/money_references.py): one bank
payment's reference is booked on one loan only, and a refund may not take it; a loan that has
ended answers the settlement it recorded, typed again or delivered again, as recorded, and keeps
other money for it as received and not booked, with the steps that settle it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from starter import loan_figures, pending_delivery
from starter.pending_return import received_money
from store.pending import REPAYMENT, Delivery, Instruction, keep_instruction
from store.refusals import origin, refusals
from tests.cli_kit import cli, point_cli_at, said
from tests.post_loan.loan_kit import disbursed, loan_worker, pay, until
from tests.workflows.journey_kit import SUBMITTER, Documents, application

OPS = SUBMITTER.id  # the kit's submitter is in operations


def repay(workflow_id: str, amount: object, reference: str, *more: str) -> tuple[str, ...]:
    return ("repay", workflow_id, "--amount", str(amount), "--reference", reference,
            "--as", OPS, *more)


async def test_one_bank_payment_is_booked_on_one_loan_and_refunded_under_none(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env, docs = time_skipping_env, Documents()
    point_cli_at(monkeypatch, env.client, tmp_path)
    async with loan_worker(env.client, tmp_path, docs) as settings:
        one, _ = await disbursed(env.client, settings, application(docs))
        two, running = await disbursed(env.client, settings, application(docs))
        first = await cli(*repay(one.id, "10000", "RP-OPS-0001"))
        assert first.exit_code == 0, first.output
        twice = await cli(*repay(two.id, "10000", "RP-OPS-0001"))
        assert twice.exit_code == 3, twice.output
        assert (f"reference RP-OPS-0001 is already recorded on {one.id}: a repayment of "
                f"10,000.00, typed by {OPS} at ") in said(twice), twice.output
        assert "RP-OPS-0001" not in (await cli("status", two.id)).output
        # its own, typed again as status prints it: the same amount
        again = await cli(*repay(one.id, "10,000.00", "RP-OPS-0001"))
        assert again.exit_code == 0 and "RP-OPS-0001 was already recorded" in said(again)
        comma_for_point = await cli(*repay(one.id, "10000,00", "RP-OPS-0009"))
        assert comma_for_point.exit_code == 2, comma_for_point.output
        assert "'10000,00' is not an amount in yuan" in said(comma_for_point)
        # refused by its journey, a reference is free again for the loan it pays
        too_much = await cli(*repay(two.id, "90000000", "RP-OPS-0002"))
        assert too_much.exit_code == 3, too_much.output
        assert (await cli(*repay(one.id, "10000", "RP-OPS-0002"))).exit_code == 0
        # typed against a mistyped loan id: not recorded, kept for auditors with the amount
        # and the reference, and the reference free for the loan it pays
        typo = one.id[:-1]
        lost = await cli(*repay(typo, "100", "TYPO-1"))
        assert lost.exit_code == 4, lost.output
        assert (f"no running journey {typo!r}: the repayment of 100.00 under reference TYPO-1 "
                "is not recorded; check the loan id with `loan-journey list` (or "
                "`loan-journey book`) and enter it again") in said(lost), lost.output
        [kept] = refusals(settings.db_url, typo)
        assert (kept.action, kept.actor) == ("record_repayment", OPS)
        assert "100.00 under reference TYPO-1" in kept.reason, kept.reason
        assert (await cli(*repay(one.id, "100", "TYPO-1"))).exit_code == 0

        # a refund payment's reference is none a repayment delivered to another loan holds
        day = running.offer.starts_on
        owed = loan_figures.settlement(running, day).owed + Decimal("50.00")
        over = await cli(*repay(two.id, owed, "RP-OPS-SETTLE-02", "--settle", "--paid-on",
                                str(day)))
        assert over.exit_code == 0, over.output
        await until(two, lambda s: s.stage.terminal)
        refund = ("pending", "refund", two.id, "--amount", "50.00", "--to-account",
                  "6222 0202-0011 2233", "--reason", "paid over the quote", "--as", OPS,
                  "--reference")
        taken = await cli(*refund, "RP-OPS-0001")
        assert taken.exit_code == 3, taken.output
        assert f"reference RP-OPS-0001 is already recorded on {one.id}" in said(taken)
        assert (await cli(*refund, "RF-OPS-0001")).exit_code == 0
        entered = await cli(*repay(one.id, "50.00", "RF-OPS-0001"))  # awaiting its checker
        assert entered.exit_code == 3, entered.output
        assert ("reference RF-OPS-0001 is already that of refund 1 of 50.00"
                in said(entered)), entered.output
        assert (await cli("pending", "confirm", "1", "--as", "ops-zhao")).exit_code == 0
        repaid_as = await cli(*repay(one.id, "50.00", "RF-OPS-0001"))
        assert repaid_as.exit_code == 3, repaid_as.output
        assert "reference RF-OPS-0001 is already the refund of 50.00" in said(repaid_as)


async def test_money_for_a_loan_that_has_ended_is_kept_or_answered_as_recorded(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env, docs = time_skipping_env, Documents()
    point_cli_at(monkeypatch, env.client, tmp_path)
    async with loan_worker(env.client, tmp_path, docs) as settings:
        handle, running = await disbursed(env.client, settings, application(docs))
        day = running.offer.starts_on
        quote = loan_figures.settlement(running, day).owed
        settling = repay(handle.id, quote, "RP-OPS-SETTLE-02", "--settle", "--paid-on", str(day))
        assert (await cli(*settling)).exit_code == 0
        await until(handle, lambda s: s.stage.terminal)

        retried = await cli(*settling)  # its answer was lost: the operator types it again
        assert retried.exit_code == 0, retried.output
        assert f"RP-OPS-SETTLE-02 was already recorded: it settled the loan on {day}" in said(
            retried)
        # kept while no worker answered, the server took it first: delivered as recorded
        settled = pay("RP-OPS-SETTLE-02", quote, paid_on=day, settles=True)
        keep_instruction(settings.db_url, Instruction(
            workflow_id=handle.id, update=REPAYMENT, update_id=str(uuid.uuid4()),
            request=settled.model_dump_json(), actor=OPS, role=SUBMITTER.role,
            typed_at=datetime.now(UTC), origin=origin()))
        (delivered,) = (await pending_delivery.deliver(env.client, settings)).settled
        assert delivered.state is Delivery.DELIVERED, delivered
        assert "RP-OPS-SETTLE-02 was already recorded: it settled the loan" in delivered.outcome
        other = await cli(*repay(handle.id, "1000", "RP-OPS-SETTLE-02", "--paid-on", str(day)))
        assert other.exit_code == 3, other.output
        assert "a different payment needs its own reference" in said(other)
        assert received_money(settings, Delivery.UNBOOKED) == []

        late = await cli(*repay(handle.id, quote, "RP-OPS-SETTLE-02B", "--settle"))
        assert late.exit_code == 3, late.output
        (held,) = received_money(settings, Delivery.UNBOOKED)  # the book's unbooked money
        assert (held.workflow_id, held.amount, held.reference) == (
            handle.id, quote, "RP-OPS-SETTLE-02B")
        told = said(late)
        assert f"{handle.id} has ended and takes no repayment" in told
        assert (f"NOT BOOKED: {quote:,.2f} received under RP-OPS-SETTLE-02B needs action"
                in told), told
        assert f"`loan-journey pending return {held.instruction} --as <operations>" in told
        listed = said(await cli("pending", "list"))
        assert "RP-OPS-SETTLE-02B" in listed and "unbooked" in listed, listed
        back = await cli("pending", "return", str(held.instruction), "--reason",
                         "the loan had closed: sent back", "--reference", "RET-OPS-0001",
                         "--to-account", "6222020200112233", "--as", OPS)
        assert back.exit_code == 0, back.output
        assert received_money(settings, Delivery.UNBOOKED) != []  # not returned until confirmed
        checked = await cli("pending", "confirm", "1", "--as", "ops-zhao")
        assert checked.exit_code == 0, checked.output
        assert received_money(settings, Delivery.UNBOOKED) == []
