"""Money received and not booked (a kept repayment refused at delivery) has a way out: the
delivery names only steps that can settle it, `status` shows it beside the loan until then,
and operations record its return to the payer once (`pending return`), kept with who, when
and why in columns of its own (starter/pending_return.py, store/payer_returns.py); `status
--json` lists it, not booked then returned, and the book's unbooked money until it is
returned. The steps named are those its journey takes for that payment
(starter/unbooked_steps.py): a prepayment only on a running loan that `prepayment` quotes it
for, and no value date before the payout."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from rich.console import Console
from temporalio.testing import WorkflowEnvironment

from journey.actors import Actor, Role
from journey.decisions import Repayment
from journey.loan_payments import apply_payments
from journey.policy.calendar import moment_at
from journey.repayment import Frequency, RepaymentMethod, build_schedule
from journey.settings import Settings
from journey.stages import Party, Stage
from journey.status import JourneyStatus, Offer
from starter import pending_delivery, pending_unbooked
from starter.book_sections import unbooked_table
from starter.errors import Refused
from starter.pending_return import (
    not_booked,
    received_money,
    returned_to_payer,
    status_json,
)
from store.payer_returns import returns
from store.pending import Delivery, Instruction, instructions, keep_instruction, settle
from store.refusals import origin, refusals
from tests.cli_kit import cli, point_cli_at, said
from tests.post_loan.loan_kit import disbursed_loan, pay
from tests.workflows.journey_kit import SUBMITTER, Documents


async def test_money_refused_at_delivery_is_shown_then_returned_to_the_payer_once(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = time_skipping_env
    async with disbursed_loan(env, tmp_path, Documents()) as (_, settings, handle, running):
        typed_at = await env.get_current_time()
        keep_instruction(settings.db_url, Instruction(  # more than is due: refused, unbooked
            workflow_id=handle.id, update="record_repayment", update_id=str(uuid.uuid4()),
            request=pay("FA-R2", "90000000").model_dump_json(), actor=SUBMITTER.id,
            role=SUBMITTER.role, typed_at=typed_at, origin=origin()))
        (unbooked,) = (await pending_delivery.deliver(env.client, settings)).settled
        assert unbooked.state is Delivery.UNBOOKED, unbooked
        # no step that is refused again: more than the loan, it is no prepayment of it either
        assert "loan-journey repay" not in unbooked.outcome, unbooked.outcome
        assert "? It" not in unbooked.outcome  # punctuated
        assert ("`loan-journey pending return 1 --as <operations> --reason ... --reference "
                "<the return's> --to-account <the payer's>`") in unbooked.outcome

        point_cli_at(monkeypatch, env.client, tmp_path)
        shown = said(await cli("status", handle.id))
        assert "money received and not booked: 90,000,000.00 under FA-R2" in shown, shown
        # typed and refused when on the bank's clock, as the status's other moments
        assert (f"typed by {SUBMITTER.id} at {moment_at(typed_at, 8)}, refused at delivery "
                f"{moment_at(unbooked.settled_at, 8)} (pending") in shown, shown
        assert "pending return 1" in shown
        raw = json.loads((await cli("status", handle.id, "--json")).stdout)
        assert raw["workflow_id"] == handle.id and raw["money_received_returned"] == []
        (held,) = raw["money_received_not_booked"]
        assert (held["instruction"], held["amount"], held["reference"], held["typed_by"]) == (
            1, "90000000", "FA-R2", SUBMITTER.id), held
        # the book lists it with every journey's money not booked, and its total
        book = Console(width=200, record=True)
        book.print(unbooked_table(received_money(settings, Delivery.UNBOOKED)))
        rows = book.export_text().splitlines()
        for row in (next(r for r in rows if handle.id in r),
                    next(r for r in rows if "total, 1 payments" in r)):
            assert [c.strip() for c in row.split("│")][2] == "90,000,000.00", rows
        assert "FA-R2" in next(r for r in rows if handle.id in r)
        assert moment_at(typed_at, 8) in next(r for r in rows if handle.id in r)  # bank's clock

        back = ("pending", "return", "1", "--reason", "nothing due: sent back to the payer",
                "--reference", "RET-0001", "--to-account", "6222 0202 0011 2233")
        terse = await cli("pending", "return", "1", "--reason", "x", "--reference",
                          "RET-0001", "--to-account", "62220202", "--as", SUBMITTER.id)
        assert terse.exit_code == 2 and "give --reason" in said(terse), terse.output
        unpaid = await cli("pending", "return", "1", "--reason", "sent back", "--to-account",
                           "62220202", "--as", SUBMITTER.id)
        assert unpaid.exit_code == 2 and "--reference" in said(unpaid), unpaid.output
        nowhere = await cli("pending", "return", "1", "--reason", "sent back", "--reference",
                            "RET-0001", "--as", SUBMITTER.id)
        assert nowhere.exit_code == 2 and "--to-account" in said(nowhere), nowhere.output
        not_ops = await cli(*back, "--as", "risk-pf-1", "--role", "risk_officer")
        assert not_ops.exit_code == 3 and "needs one of: operations" in said(not_ops), \
            not_ops.output
        assert instructions(settings.db_url, states=(Delivery.UNBOOKED,)) != []
        entered = await cli(*back, "--as", SUBMITTER.id)
        assert entered.exit_code == 0, entered.output
        assert said(entered).startswith(
            f"entered: return 1 of 90,000,000.00 ({handle.id}, pending instruction 1) to "
            "account 6222020200112233 under RET-0001"), entered.output
        assert ("nothing is paid until a second operations person, not ops-li, confirms it: "
                "`loan-journey pending confirm 1 --as ...`") in said(entered), entered.output
        # entered, not confirmed: the money is still received and not booked, listed so
        (held,) = instructions(settings.db_url, states=(Delivery.UNBOOKED,))
        assert returns(settings.db_url, [1]) == {}
        (waits,) = not_booked(settings, running)[1:]
        assert waits.startswith("return entered, not paid: return 1 of 90,000,000.00"), waits
        listed = said(await cli("pending", "list"))
        assert "awaiting confirmation: return 1 of 90,000,000.00" in listed, listed
        assert "entered by ops-li" in listed and "carried no payer's account" in listed
        twin = await cli(*back, "--as", "ops-zhao")
        assert twin.exit_code == 3 and "awaits its confirmation" in said(twin), twin.output
        own = await cli("pending", "confirm", "1", "--as", SUBMITTER.id)
        assert own.exit_code == 3 and ("'ops-li' entered this return and cannot confirm it "
                                       "(four eyes): a second operations person confirms "
                                       "it") in said(own), own.output
        assert returns(settings.db_url, [1]) == {}  # refused before anything was written
        done = await cli("pending", "confirm", "1", "--as", "ops-wang")
        assert done.exit_code == 0 and "returned" in said(done), done.output
        (kept,) = instructions(settings.db_url, every=True)
        assert kept.state is Delivery.RETURNED and kept.settled_at is not None
        assert "under RET-0001: nothing due: sent back to the payer" in kept.outcome
        # who, when, why and under which payment in their own columns (store/payer_returns.py)
        sent = returns(settings.db_url, [1])[1]
        assert (sent.returned_by, sent.role, sent.origin, sent.reference, sent.reason,
                sent.returned_at, sent.account, sent.confirmed_by) == (
            SUBMITTER.id, "operations", origin(), "RET-0001",
            "nothing due: sent back to the payer", kept.settled_at, "6222020200112233",
            "ops-wang")
        # the loan's status keeps the money received and returned (starter/status_cli.status)
        assert not_booked(settings, running) == []
        (returned,) = returned_to_payer(settings, running)  # when, on the bank's clock
        assert returned.startswith("money received and returned: 90,000,000.00 under FA-R2 "
                                   "(pending"), returned
        assert f"from {origin()} at {moment_at(kept.settled_at, 8)}" in returned, returned
        assert returned.endswith(", confirmed by ops-wang at "
                                 f"{moment_at(kept.settled_at, 8)})"), returned
        raw = status_json(running, settings)  # `status --json`'s
        assert raw["money_received_not_booked"] == []
        (back_to_payer,) = raw["money_received_returned"]
        assert back_to_payer["returned"] == kept.outcome and back_to_payer["returned_at"], raw
        assert received_money(settings, Delivery.UNBOOKED) == []  # off the book
        assert f"recorded by {SUBMITTER.id}, operations, from {origin()}" in kept.outcome
        twice = await cli(*back, "--as", SUBMITTER.id)
        assert twice.exit_code == 3 and "it is returned" in said(twice), twice.output
        again = await cli("pending", "confirm", "1", "--as", "ops-zhao")  # returned once
        assert again.exit_code == 3 and "it is confirmed already by ops-wang" in said(again)
        assert [r.action for r in refusals(settings.db_url, handle.id)][-5:] == [
            "pending return", "pending return", "pending confirm", "pending return",
            "pending confirm"]  # the refused attempts, for auditors
        assert instructions(settings.db_url, states=(Delivery.UNBOOKED,)) == []  # off the list
        listed = said(await cli("pending", "list", "--all"))
        assert "returned" in listed and "FA-R2" in listed, listed

START = date(2026, 6, 1)  # the payout; the money was typed on 10 July
PLAN = build_schedule(Decimal(3_000_000), Decimal("0.045"), 12, RepaymentMethod.EQUAL_INSTALMENT,
                      Frequency.MONTHLY, START)
RUNNING = JourneyStatus(
    workflow_id="loan-U", application_id="U", stage=Stage.POST_LOAN, attempt=1,
    waits_on=Party.CUSTOMER, account=apply_payments(PLAN, []),
    offer=Offer(annual_rate=Decimal("0.045"), term_months=12, schedule=PLAN, starts_on=START,
                method=RepaymentMethod.EQUAL_INSTALMENT, frequency=Frequency.MONTHLY))
AT_RISK_REVIEW = JourneyStatus(workflow_id="loan-U", application_id="U", stage=Stage.RISK_REVIEW,
                               attempt=1, waits_on=Party.BANK)
RETURN = ("`loan-journey pending return 7 --as <operations> --reason ... --reference <the "
          "return's> --to-account <the payer's>`")


@pytest.mark.parametrize(("loan", "amount", "paid_on", "offered"), [
    (AT_RISK_REVIEW, "50000", None, []),  # no loan: nothing to prepay
    (RUNNING, "90000000", None, []),  # more than the loan: `prepayment` refuses it
    (RUNNING, "500000", None, ["`loan-journey repay loan-U --amount 500000 --reference FA-R9 "
                               "--paid-on 2026-07-10 --as <operations> --prepay`"]),
    (RUNNING, "50000", date(2026, 5, 20), [  # before the payout: never that day again
        "`loan-journey repay loan-U --amount 50000 --reference FA-R9 --paid-on <its right "
        "value date, 2026-06-01 or later> --as <operations>`"]),
])
def test_money_refused_at_delivery_is_offered_only_the_steps_its_journey_takes(
    loan: JourneyStatus, amount: str, paid_on: date | None, offered: list[str], tmp_path: Path
) -> None:
    paid = Repayment(actor=Actor(id="ops-li", role=Role.OPERATIONS), reference="FA-R9",
                     amount=Decimal(amount), paid_on=paid_on)
    kept = Instruction(id=7, workflow_id="loan-U", update="record_repayment", update_id="u-7",
                       request=paid.model_dump_json(), actor="ops-li", role="operations",
                       typed_at=datetime(2026, 7, 10, 9, tzinfo=UTC), origin="ops@host pid 1")
    said = pending_unbooked.unbooked(kept, Refused("repayment refused: it is not due"), loan,
                            Settings(data_dir=tmp_path))
    assert re.findall(r"`loan-journey repay [^`]*`", said) == offered, said
    assert ("`loan-journey prepayment" in said) is any("--prepay" in o for o in offered), said
    assert ("predates the loan" in said) is (paid_on is not None), said
    assert said.endswith(f"({RETURN}). `loan-journey pending list` and `loan-journey status "
                         "loan-U` show it until then"), said


def test_money_received_without_a_value_date_is_valued_on_the_bank_s_day(tmp_path: Path) -> None:
    """Typed at 00:30 in Beijing, 16:30 UTC the day before, with no value date: valued on
    the bank's day, as the journey values the payments it books (CI at 23:57 in Beijing had
    the book list a loan's booked payments on the 8th and its unbooked ones on the 7th)."""
    settings = Settings(data_dir=tmp_path)
    paid = Repayment(actor=SUBMITTER, reference="LATE-1", amount=Decimal("5000.00"))
    number = keep_instruction(settings.db_url, Instruction(
        workflow_id="loan-L", update="record_repayment", update_id="u-late",
        request=paid.model_dump_json(), actor=SUBMITTER.id, role=SUBMITTER.role,
        typed_at=datetime(2026, 12, 7, 16, 30, tzinfo=UTC), origin=origin()))
    settle(settings.db_url, number, Delivery.UNBOOKED, "refused: not due",
           datetime(2026, 12, 7, 16, 31, tzinfo=UTC))
    assert [m.paid_on for m in received_money(settings, Delivery.UNBOOKED)] == [
        date(2026, 12, 8)]
