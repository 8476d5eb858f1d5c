"""The money received in a period, reconciled (starter/money_received.py): a loan's payments
booked by kind as its account allocates them, money refused at delivery, money returned to
its payer and money kept and not delivered yet add up to the money received, to the fen; a
repayment kept as delivered that no journey records is named as not reconciling."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from rich.console import Console
from temporalio.testing import WorkflowEnvironment

from journey.actors import Actor, Role
from journey.money_booked import ByKind, booked, of_account
from journey.month_end import at_end_of
from journey.settings import Settings
from starter import pending_delivery
from starter.book_json import book_json
from starter.book_sections import payments_table, received_table
from starter.money_received import Period, money_received
from starter.pending_return import confirm_return, return_to_payer
from starter.quotes import QuoteFixings
from starter.work_lists import book_of
from store.pending import Delivery, Instruction, keep_instruction, settle
from store.refusals import origin
from tests.cli_kit import cli, point_cli_at, said
from tests.post_loan.loan_kit import disbursed_loan, pay, until
from tests.workflows.journey_kit import SUBMITTER, Documents
from workflows.loan_journey import LoanJourneyWorkflow


def kept(settings: Settings, workflow_id: str, reference: str, amount: str, at) -> int:
    return keep_instruction(settings.db_url, Instruction(
        workflow_id=workflow_id, update="record_repayment", update_id=str(uuid.uuid4()),
        request=pay(reference, amount).model_dump_json(), actor=SUBMITTER.id,
        role=SUBMITTER.role, typed_at=at, origin=origin()))


async def test_money_received_adds_up_from_the_records(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = time_skipping_env
    async with disbursed_loan(env, tmp_path, Documents()) as (_, settings, handle, running):
        first = running.offer.schedule[0]
        await handle.execute_update(LoanJourneyWorkflow.record_repayment,
                                    pay("MR-1", first.payment))
        await handle.execute_update(LoanJourneyWorkflow.record_repayment,
                                    pay("MR-2", "100000.00", prepays=True, shortens=True))
        now = await until(handle, lambda s: len(s.payments) == 2)
        assert now.today is not None and [p.shortens for p in now.payments] == [False, True]
        at = await env.get_current_time()
        kept(settings, handle.id, "MR-R1", "90000000", at)  # more than owed: refused, unbooked
        kept(settings, handle.id, "MR-R2", "80000000", at)  # the same, then returned
        await pending_delivery.deliver(env.client, settings)
        confirm_return(settings, return_to_payer(  # entered, then confirmed by a second
            settings, 2, SUBMITTER, "nothing owed: sent back", "RET-MR-2", "62220202001"),
            Actor(id="ops-wang", role=Role.OPERATIONS))
        kept(settings, handle.id, "MR-W1", "5000.00", at)  # no worker delivers it: waiting
        ghost = kept(settings, handle.id, "MR-G1", "700.00", at)
        settle(settings.db_url, ghost, Delivery.DELIVERED, "taken", at)  # and nothing booked
        point_cli_at(monkeypatch, env.client, tmp_path)
        past = await cli("book", "--on", "2020-01-02")
        assert past.exit_code == 2, past.output
        assert "not on 2020-01-02: its loans" in said(past) and "--month" in said(past)
        for wrong in (("--month", "2026-13"), ("--month", "2026-11", "--to", "2026-11-30"),
                      ("--from", "2026-11-30", "--to", "2026-11-01")):
            refused = await cli("book", *wrong)
            assert refused.exit_code == 2 and "give" in said(refused), (wrong, refused.output)
    today = now.today
    month = Period(first=today.replace(day=1), last=today)
    # the loan's payments, by kind: what its account paid with them, to the fen
    loan = booked(now, month.first, month.last)
    assert loan is not None and loan.why == ""
    # the first instalment paid on the payout day, not due by the period's end: its interest
    # received in advance (预收利息), not earned, as the month-end at the period's end has it
    assert loan.kinds.model_copy(update={"interest": first.interest, "paid_ahead": 0}
                                 ) == of_account(now.account)
    assert (loan.kinds.interest, loan.kinds.paid_ahead) == (0, first.interest)
    end = at_end_of(now, month.last)
    assert end is not None and end.paid_ahead == loan.kinds.paid_ahead
    assert loan.kinds.total == first.payment + Decimal("100000.00")
    assert loan.kinds.principal > first.principal and loan.kinds.quarters == 0
    assert booked(now, month.first - timedelta(days=40), month.first - timedelta(days=1)) is None

    money = money_received([now, now], settings, month)  # read twice, counted once
    assert money.kinds == loan.kinds + ByKind()
    assert [m.amount for m in money.unbooked] == [Decimal("90000000")]
    assert [m.amount for m in money.returned] == [Decimal("80000000")]
    assert [m.amount for m in money.waiting] == [Decimal("5000.00")]
    received = first.payment + Decimal("100000.00") + 90_000_000 + 80_000_000 + 5000
    assert money.total == received
    assert money.not_reconciled == [
        f"pending instruction {ghost} ({handle.id}, 700.00 under MR-G1) was delivered, but no "
        f"journey records a payment under MR-G1: check `status {handle.id}`"]
    shown = Console(width=250, record=True)
    shown.print(received_table(money))
    text = shown.export_text()
    total = next(r for r in text.splitlines() if "money received" in r and "│" in r
                 and "valued" not in r)
    assert [c.strip() for c in total.split("│")][2] == f"{received:,.2f}", text
    assert "does not reconcile: pending instruction" in text
    ahead = next(r for r in text.splitlines() if "interest received in advance (预收利息)" in r)
    assert [c.strip() for c in ahead.split("│")][2] == f"{first.interest:,.2f}", text
    # `book --payments`: each payment once, where it went, adding up to the money received
    shown.print(payments_table(money))
    listed = shown.export_text().splitlines()
    rows = {(cells := [c.strip() for c in r.split("│")])[2]: cells[3:6]
            for r in listed if r.count("│") == 6}
    assert {k: rows[k] for k in ("MR-1", "MR-2", "MR-R1", "MR-R2", "MR-W1")} == {
        "MR-1": [f"{first.payment:,.2f}", str(today), "booked"],
        "MR-2": ["100,000.00", str(today), "booked"],
        "MR-R1": ["90,000,000.00", str(today), "not booked"],
        "MR-R2": ["80,000,000.00", str(today), "returned to the payer"],
        "MR-W1": ["5,000.00", str(today), "kept, not delivered yet"]}, rows
    footer = next(r for r in listed if "5 rows" in r)
    assert [c.strip() for c in footer.split("│")][3] == f"{received:,.2f}", footer
    # `book --json`: the same figures, money as strings to the fen
    data = book_json(book_of([("working_capital", now)], None, QuoteFixings()),
                     money.unbooked, today, money)
    (line,) = data["loans"]
    assert line["workflow_id"] == handle.id and line["principal"] == f"{loan_principal(now)}"
    assert data["unbooked_total"] == "90000000.00"
    got = data["money_received"]
    assert (got["total"], got["booked_total"], got["kinds"]["interest"],
            got["kinds"]["paid_ahead"]) == (
        f"{received:.2f}", f"{loan.kinds.total:.2f}", "0.00", f"{first.interest:.2f}")
    assert got["period"] == {"first": str(month.first), "last": str(month.last)}
    assert json.loads(json.dumps(data)) == data  # plain JSON


def loan_principal(s) -> Decimal:
    assert s.account is not None
    return s.account.principal_owed
