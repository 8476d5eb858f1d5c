"""Money owed back to payers (starter/refunds.py): a loan settled over its quote owes the
excess back; `pending refunds` lists it by the payment that overpaid, and `pending refund`
records its refunds (store/payer_returns.py) until nothing is owed back, after which the
book's money received shows it returned to the payer and still adds up to the fen. Bad input
(an amount above what is owed back, an unknown journey, a journey that owes nothing back,
someone not in operations, a refund payment's reference used already) writes nothing. Four
eyes: a refund entered is paid only once a second operations person confirms it; its maker
is refused, before anything is written; until then it is listed, with who entered it, and
what it refunds stays owed; one cancelled is never paid. With the archive key, one changed in
the database before its checker confirms it is not paid."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from rich.console import Console
from sqlalchemy import text
from temporalio.testing import WorkflowEnvironment

from journey.loan_book import LoanBook
from journey.money_booked import ByKind, booked
from journey.policy.calendar import moment_at
from journey.repayment import money as money_text
from starter import loan_figures
from starter.bank_clock import bank_day
from starter.book_json import book_json
from starter.book_sections import payments_table, received_table
from starter.money_received import Period, money_received
from starter.outflow_checks import NO_PAYER_ACCOUNT
from store.db import engine_for
from store.payer_outflows import OutflowState, outflows
from store.payer_returns import refunds
from store.refusals import refusals
from tests.cli_kit import cli, point_cli_at, said
from tests.post_loan.loan_kit import disbursed_loan, pay, until
from tests.workflows.journey_kit import RISK_SME, SUBMITTER, Documents
from workflows.loan_journey import LoanJourneyWorkflow

CHECKER = "ops-wang"  # a second operations person: neither the maker nor the submitter


def refund(workflow_id: str, amount: str, reference: str, actor: str = SUBMITTER.id
           ) -> tuple[str, ...]:
    return ("pending", "refund", workflow_id, "--amount", amount, "--to-account",
            "6222 0202-0011 2233", "--reference", reference, "--reason", "paid over the quote",
            "--as", actor)


async def test_money_paid_beyond_the_plan_is_listed_until_refunded(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = time_skipping_env
    async with disbursed_loan(env, tmp_path, Documents()) as (app, settings, handle, running):
        point_cli_at(monkeypatch, env.client, tmp_path)
        wid, day = handle.id, running.offer.starts_on
        running_loan = await cli(*refund(wid, "10.00", "RF-0"))
        assert running_loan.exit_code == 3, running_loan.output
        assert f"{wid} owes nothing back: it was paid nothing beyond" in said(running_loan)
        quote = loan_figures.settlement(running, day)
        await handle.execute_update(LoanJourneyWorkflow.record_repayment, pay(
            "ALL-1", quote.owed + Decimal("50.00"), paid_on=day, settles=True))
        closed = await until(handle, lambda s: s.stage.terminal)

        listed = await cli("pending", "refunds", "--json")
        assert listed.exit_code == 0, listed.output
        owed = json.loads(listed.output)
        assert owed["owed"] == [{
            "workflow_id": wid, "payer": app.applicant_name, "credit_code": app.credit_code,
            "payment": "ALL-1", "paid_on": str(day), "overpaid": "50.00", "refunded": "0.00",
            "carried": "0.00", "age_days": (bank_day() - day).days, "from_account": None,
            "left": "50.00"}]
        assert (owed["total"], owed["not_read"]) == ("50.00", [])
        shown = await cli("pending", "refunds")
        assert f"{wid} " in said(shown) and "ALL-1" in said(shown) and "50.00" in said(shown)

        for args, code, told in (
                (refund(wid, "50.01", "RF-1"), 2, "50.01 is more than is owed back of payment "
                                                  "ALL-1 (50.00): refund at most that"),
                (refund(wid, "0", "RF-1"), 2, "--amount 0 is no amount to refund"),
                (refund("loan-NOBODY-1", "5.00", "RF-1"), 4, "no journey 'loan-NOBODY-1'"),
                (refund(wid, "5.00", "RF-1", RISK_SME.id), 3, "not entered"),
                (refund(wid, "5.00", "R"), 2, "give --reference"),
                (refund(wid, "5.00", "ALL-1"), 3, "reference ALL-1 is already that of the "
                                                  f"settlement of {quote.owed + 50:,.2f} "
                                                  f"recorded for {wid} (valued {day})")):
            bad = await cli(*args)
            assert bad.exit_code == code and told in said(bad), (args, bad.output)
        assert refunds(settings.db_url) == []  # nothing written
        assert outflows(settings.db_url, states=list(OutflowState)) == []

        first = await cli(*refund(wid, "30.00", "RF-1"))
        assert first.exit_code == 0, first.output
        assert said(first).startswith(
            f"entered: refund 1 of 30.00 ({wid}, payment ALL-1 ({day})) to account "
            "6222020200112233 under RF-1: paid over the quote; entered by ops-li at "), first.output
        assert said(first).endswith(
            "nothing is paid until a second operations person, not ops-li, confirms it: "
            "`loan-journey pending confirm 1 --as ...`"), first.output
        # entered, not confirmed: nothing refunded, all of it still owed, listed with its maker
        assert refunds(settings.db_url) == []
        listed = json.loads((await cli("pending", "refunds", "--json")).output)
        assert [o["left"] for o in listed["owed"]] == ["50.00"]
        assert [(e["id"], e["amount"], e["entered_by"], e["state"])
                for e in listed["entered"]] == [(1, "30.00", SUBMITTER.id, "awaiting")]
        shown = said(await cli("pending", "refunds"))
        assert "awaiting confirmation (`pending confirm N`): refund 1 of 30.00" in shown, shown
        assert NO_PAYER_ACCOUNT in shown  # the checker is told the payment names no account
        assert "refund entered, not paid: refund 1 of 30.00" in said(await cli("status", wid))
        over = await cli(*refund(wid, "20.01", "RF-2"))  # what is entered is not owed twice
        assert over.exit_code == 2 and ("(50.00, less 30.00 entered and awaiting "
                                        "confirmation): refund at most 20.00") in said(over)
        twin = await cli(*refund(wid, "20.00", "RF-1"))  # one refund per refund payment
        assert twin.exit_code == 3 and "reference RF-1 is already that of refund 1 of 30.00" \
            in said(twin), twin.output
        # its maker may not confirm it: refused before anything is written, the attempt kept
        own = await cli("pending", "confirm", "1", "--as", SUBMITTER.id)
        assert own.exit_code == 3, own.output
        assert ("refund 1 not confirmed: 'ops-li' entered this refund and cannot confirm it "
                "(four eyes): a second operations person confirms it, checked against the "
                "payment it refunds and the payer's account") in said(own), own.output
        assert refunds(settings.db_url) == []
        confirmed = await cli("pending", "confirm", "1", "--as", CHECKER)
        assert confirmed.exit_code == 0, confirmed.output
        assert said(confirmed) == (
            f"refund 1 confirmed by {CHECKER}: 30.00 owed back by {wid} (paid beyond the whole "
            "plan under ALL-1) refunded to account 6222020200112233 under RF-1, entered by "
            "ops-li")
        twice = await cli("pending", "confirm", "1", "--as", "ops-zhao")  # paid once
        assert twice.exit_code == 3 and "refund 1 not confirmed: it is confirmed already by " \
            f"{CHECKER}" in said(twice), twice.output
        again = await cli(*refund(wid, "20.00", "RF-1"))  # one refund per refund payment
        assert again.exit_code == 3 and "reference RF-1 is already the refund of 30.00 owed " \
                                        f"back by {wid}" in said(again), again.output
        # one entered wrong is cancelled: never paid, nor confirmed afterwards
        assert (await cli(*refund(wid, "20.00", "RF-X"))).exit_code == 0
        dropped = await cli("pending", "cancel", "2", "--reason", "wrong account", "--as",
                            CHECKER)
        assert dropped.exit_code == 0 and said(dropped).startswith(
            f"refund 2 cancelled by {CHECKER}, nothing paid: refund 2 of 20.00"), dropped.output
        late = await cli("pending", "confirm", "2", "--as", CHECKER)
        assert late.exit_code == 3 and "it is cancelled already" in said(late), late.output
        assert (await cli(*refund(wid, "20.00", "RF-2"))).exit_code == 0
        assert (await cli("pending", "confirm", "3", "--as", "ops-zhao")).exit_code == 0
        done = await cli("pending", "refunds", "--json")
        assert json.loads(done.output)["owed"] == []
        status = said(await cli("status", wid))
        assert ("money owed back: 50.00 paid beyond the whole plan under ALL-1 "
                f"({day}), 0.00 left to refund") in status
        assert "refunded: 30.00 of it to account 6222020200112233 under RF-1" in status
        assert "50.00 paid beyond the whole plan, 0.00 owed back, 50.00 refunded" in status
        account = json.loads((await cli("status", wid, "--json")).output)["account"]
        assert (account["credit"], account["credit_refunded"], account["credit_owed_back"]) == (
            "50.00", "50.00", "0.00")
        more = await cli(*refund(wid, "0.01", "RF-3"))
        assert more.exit_code == 3 and "owes nothing back any more" in said(more), more.output
    kept = refunds(settings.db_url)
    assert [(r.payment, r.amount, r.reference, r.refunded_by, r.confirmed_by, r.account)
            for r in kept] == [
        ("ALL-1", Decimal("30.00"), "RF-1", SUBMITTER.id, CHECKER, "6222020200112233"),
        ("ALL-1", Decimal("20.00"), "RF-2", SUBMITTER.id, "ops-zhao", "6222020200112233")]
    assert [(e.id, e.state, e.settled_by) for e in outflows(
        settings.db_url, states=list(OutflowState))] == [
        (1, OutflowState.CONFIRMED, CHECKER), (2, OutflowState.CANCELLED, CHECKER),
        (3, OutflowState.CONFIRMED, "ops-zhao")]
    # `status` said when each was refunded on the bank's clock
    assert f"operations, at {moment_at(kept[0].refunded_at, 8)})" in status, status
    assert {r.reason.split(":")[0] for r in refusals(settings.db_url, wid)} >= {
        f"{wid} owes nothing back", "'ops-li' entered this refund and cannot confirm it (four "
                                    "eyes)"}

    # the book's money received: booked beyond the plan until refunded, then returned
    loan = booked(closed, day, day)
    assert loan is not None and loan.kinds.beyond_plan == Decimal("50.00")
    money = money_received([closed], settings, Period(first=day, last=day))
    assert money.kinds.beyond_plan == 0 and money.not_reconciled == []
    assert [r.amount for r in money.refunded] == [Decimal("30.00"), Decimal("20.00")]
    assert money.total == quote.owed + Decimal("50.00")  # every fen received, once
    as_json = book_json(LoanBook(lines=[], commitments=[]), [], day, money)["money_received"]
    assert [b["kinds"]["beyond_plan"] for b in as_json["booked"]] == ["0.00"]  # refunded
    assert sum((b.kinds for b in money.booked), ByKind()) == money.kinds  # the loans add up
    out = Console(width=250, record=True)
    out.print(received_table(money))
    row = next(line for line in out.export_text().splitlines() if "owed back, refunded" in line)
    assert [c.strip() for c in row.split("│")][2] == "50.00", row
    # `book --payments`: the payment that overpaid, booked, saying what of it was refunded;
    # the payments add up to the money received
    out.print(payments_table(money))
    listed = out.export_text().splitlines()
    assert any("of it 50.00 owed back, refunded to the payer" in r for r in listed), listed
    footer = next(r for r in listed if "money received" in r and "rows" in r)
    assert [c.strip() for c in footer.split("│")][3] == money_text(money.total), footer


async def test_a_refund_changed_between_its_maker_and_its_checker_is_not_paid(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the archive key each refund entered is sealed as its maker enters it: one whose
    account and amount someone changes in the database before its checker confirms it is
    refused, nothing paid, what it refunds still owed, and `records verify` names it; an
    untouched one is paid as before."""
    monkeypatch.setenv("LOAN_JOURNEY_ARCHIVE_KEY", "records-key-0123456789")
    env = time_skipping_env
    async with disbursed_loan(env, tmp_path, Documents()) as (_, settings, handle, running):
        point_cli_at(monkeypatch, env.client, tmp_path)
        wid, day = handle.id, running.offer.starts_on
        quote = loan_figures.settlement(running, day)
        await handle.execute_update(LoanJourneyWorkflow.record_repayment, pay(
            "ALL-1", quote.owed + Decimal("50.00"), paid_on=day, settles=True))
        await until(handle, lambda s: s.stage.terminal)
        assert (await cli(*refund(wid, "30.00", "RF-1"))).exit_code == 0
        assert (await cli(*refund(wid, "20.00", "RF-2"))).exit_code == 0
        with engine_for(settings.db_url).begin() as c:
            c.execute(text("update payer_outflows set account = '6222999900001', "
                           "amount = '19.00' where id = 2"))
        changed = await cli("pending", "confirm", "2", "--as", CHECKER)
        assert changed.exit_code == 1, changed.output
        assert said(changed).startswith(
            "error: refund 2 is not as its maker entered it (its seal no longer matches: its "
            "amount, account or another fact its maker entered was changed in the "
            "database): nothing paid"), changed.output
        assert refunds(settings.db_url) == []
        untouched = await cli("pending", "confirm", "1", "--as", CHECKER)
        assert untouched.exit_code == 0, untouched.output
        assert [(r.reference, r.amount) for r in refunds(settings.db_url)] == [
            ("RF-1", Decimal("30.00"))]
        assert [e.id for e in outflows(settings.db_url)] == [2]  # still awaiting its checker
        owed = json.loads((await cli("pending", "refunds", "--json")).output)["owed"]
        assert [o["left"] for o in owed] == ["20.00"]
        checked = await cli("records", "verify", "--offline")
        assert checked.exit_code == 1, checked.output
        assert re.search(rf"refund or return entry #2 \(of journey {re.escape(wid)}\) +│ CHANGED",
                         checked.output), checked.output
