"""The payer's account money came from (`repay --from-account`, `Repayment.from_account`): the
journey records it with the payment, `status` shows it, and money going back to the payer
goes back there (退回原账户, starter/payer_account.py): a refund of money paid beyond the
loan's whole plan, or a return of money received and not booked, entered to another account
is refused, naming the account it goes back to, and nothing is written; one entered to
another account before the rule is refused at its confirmation; to the same account, however
spaced, it is entered, its checker told it goes back where the money came from, and
confirmed. A payment that named no account is refunded and returned as before, its checker
told so (tests/post_loan/test_refunds_owed.py, tests/post_loan/test_unbooked_money.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from rich.console import Console
from temporalio.client import WorkflowUpdateFailedError
from temporalio.testing import WorkflowEnvironment

from journey.decisions import Repayment
from journey.money_booked import booked
from journey.owed_back import overpaid
from starter import loan_figures
from starter.outflow_checks import NO_PAYER_ACCOUNT
from starter.payer_account import SAME
from starter.post_loan_view import post_loan_view
from starter.refunds import owed_of
from store.payer_outflows import OutflowKind, OutflowState, PayerOutflow, outflows
from store.payer_returns import PayerRefund, enter_outflow, refunds, returns
from store.pending import Delivery, instructions
from store.refusals import origin, refusals
from tests.cli_kit import cli, point_cli_at, said
from tests.post_loan.loan_kit import assert_replays, disbursed_loan, pay, until
from tests.post_loan.test_refunds_owed import CHECKER
from tests.workflows.journey_kit import SUBMITTER, Documents
from workflows.loan_journey import LoanJourneyWorkflow

PAYER = "6222 0202-0011 2233"  # as the bank statement groups it
NUMBER = "6222020200112233"  # as the bank keeps it (journey/bank_accounts.py)
SHOWN = "6222...2233"  # as a refusal names it
OTHER = "6222020200119999"


def back(*command: str, account: str, reference: str) -> tuple[str, ...]:
    """A refund or a return (`command`) to `account`, typed by the submitter (operations)."""
    return (*command, "--to-account", account, "--reference", reference, "--reason",
            "paid back to the payer", "--as", SUBMITTER.id)


async def test_money_goes_back_to_the_account_it_came_from(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = time_skipping_env
    async with disbursed_loan(env, tmp_path, Documents()) as (_, settings, handle, running):
        point_cli_at(monkeypatch, env.client, tmp_path)
        wid, day = handle.id, running.offer.starts_on
        repay = ("repay", wid, "--paid-on", str(day), "--as", SUBMITTER.id)
        typo = await cli(*repay, "--amount", "100.00", "--reference", "R-1", "--from-account",
                         "6222-0202-001X")
        assert typo.exit_code == 2 and "8 to 30 digits" in said(typo), typo.output
        first = await cli(*repay, "--amount", "100.00", "--reference", "R-1", "--from-account",
                          PAYER)
        assert first.exit_code == 0, first.output
        # the same payment again from another account is no resend: refused, neither account
        # named (a refusal travels unencrypted); nor is an account that is none
        for paid, told in ((pay("R-1", "100.00", paid_on=day, from_account=OTHER),
                            "reference R-1 is already recorded, from another payer's account"),
                           (pay("API-1", "100.00", paid_on=day, from_account="6222-0202-XX"),
                            "from_account, the payer's account: an account number is 8 to 30 "
                            "digits")):
            with pytest.raises(WorkflowUpdateFailedError) as refused:
                await handle.execute_update(LoanJourneyWorkflow.record_repayment, paid)
            why = str(refused.value.cause)
            assert told in why and "6222" not in why, why
        paid_once = await until(handle, lambda s: len(s.payments) == 1)
        assert [p.from_account for p in paid_once.payments] == [NUMBER]
        quote = loan_figures.settlement(paid_once, day)
        settled = await cli(*repay, "--amount", f"{quote.owed + 50:.2f}", "--reference",
                            "ALL-1", "--settle", "--from-account", NUMBER)
        assert settled.exit_code == 0, settled.output
        closed = await until(handle, lambda s: s.stage.terminal)

        # status shows each payment's account, and where what is owed back goes
        as_json = json.loads((await cli("status", wid, "--json")).output)
        assert [(p["reference"], p["from_account"]) for p in as_json["payments"]] == [
            ("R-1", NUMBER), ("ALL-1", NUMBER)]
        shown = Console(width=250, record=True)
        for part in post_loan_view(closed):
            shown.print(part)
        lines = shown.export_text().splitlines()
        assert "from account" in next(line for line in lines if "recorded by" in line)
        assert NUMBER in next(line for line in lines if "ALL-1" in line), lines
        status = said(await cli("status", wid))
        assert (f"money owed back: 50.00 paid beyond the whole plan under ALL-1 ({day}), from "
                f"account {NUMBER}, where a refund goes back, 50.00 left to refund") in status

        # a refund to another account is refused, naming the one it goes back to: nothing
        # written, the attempt kept
        elsewhere = await cli(*back("pending", "refund", wid, "--amount", "50.00",
                                    account=OTHER, reference="RF-1"))
        assert elsewhere.exit_code == 3, elsewhere.output
        assert (f"the refund of money owed back by {wid} not entered: payment ALL-1 came from "
                f"account {SHOWN}: a refund goes back to the account the money came from "
                "(退回原账户") in said(elsewhere), elsewhere.output
        assert outflows(settings.db_url, states=list(OutflowState)) == []
        # one entered to another account before the rule: its checker is told, and it is
        # refused at its confirmation
        enter_outflow(settings.db_url, PayerOutflow(
            kind=OutflowKind.REFUND, workflow_id=wid, payment="ALL-1", paid_on=day,
            amount=Decimal("50.00"), account=OTHER, reference="RF-OLD", reason="before the rule",
            entered_by=SUBMITTER.id, role="operations", origin=origin(),
            entered_at=datetime.now(UTC)))
        listed = said(await cli("pending", "refunds"))
        assert f"NOT the account the payment came from ({SHOWN})" in listed, listed
        late = await cli("pending", "confirm", "1", "--as", CHECKER)
        assert late.exit_code == 3 and (f"refund 1 of money owed back by {wid} not confirmed: "
                                        f"payment ALL-1 came from account {SHOWN}") in said(late)
        assert "cancel it (`pending cancel 1`)" in said(late) and refunds(settings.db_url) == []
        assert (await cli("pending", "cancel", "1", "--reason", "wrong account", "--as",
                          CHECKER)).exit_code == 0
        # to the account it came from, however spaced: entered, its checker told so, confirmed
        entered = await cli(*back("pending", "refund", wid, "--amount", "50.00", account=PAYER,
                                  reference="RF-1"))
        assert entered.exit_code == 0, entered.output
        listed = said(await cli("pending", "refunds"))
        assert f"refund 2 of 50.00 ({wid}, payment ALL-1 ({day})) to account {NUMBER}" in listed
        assert SAME in listed and NO_PAYER_ACCOUNT not in listed, listed
        assert "refund entered, not paid: refund 2 of 50.00" in said(await cli("status", wid))
        confirmed = await cli("pending", "confirm", "2", "--as", CHECKER)
        assert confirmed.exit_code == 0, confirmed.output
        assert [(r.account, r.confirmed_by) for r in refunds(settings.db_url)] == [
            (NUMBER, CHECKER)]

        # money sent to the ended loan is kept as received and not booked, with its account
        kept = await cli("repay", wid, "--amount", "500.00", "--reference", "LATE-1", "--as",
                         SUBMITTER.id, "--from-account", PAYER)
        assert kept.exit_code == 3, kept.output
        (unbooked,) = instructions(settings.db_url, states=(Delivery.UNBOOKED,))
        assert Repayment.model_validate_json(unbooked.request).from_account == NUMBER
        assert "--to-account <the account it came from, as pending list shows it>" in \
            unbooked.outcome, unbooked.outcome
        assert (f"money received and not booked: 500.00 under LATE-1 from account {NUMBER}, "
                "paid") in said(await cli("status", wid))
        number = str(unbooked.id)
        wrong = await cli(*back("pending", "return", number, account=OTHER, reference="RET-1"))
        assert wrong.exit_code == 3, wrong.output
        assert (f"the return of pending instruction {number} not entered: payment LATE-1 came "
                f"from account {SHOWN}: a return goes back to the account the money came "
                "from") in said(wrong), wrong.output
        assert outflows(settings.db_url, OutflowKind.RETURN) == []
        enter_outflow(settings.db_url, PayerOutflow(  # entered before the rule: not confirmed
            kind=OutflowKind.RETURN, workflow_id=wid, instruction_id=unbooked.id,
            amount=Decimal("500.00"), account=OTHER, reference="RET-OLD",
            reason="before the rule", entered_by=SUBMITTER.id, role="operations",
            origin=origin(), entered_at=datetime.now(UTC)))
        listed = said(await cli("pending", "list"))
        assert f"NOT the account the payment came from ({SHOWN})" in listed, listed
        late = await cli("pending", "confirm", "3", "--as", CHECKER)
        assert late.exit_code == 3 and (f"return 3 of pending instruction {number} not "
                                        f"confirmed: payment LATE-1 came from account "
                                        f"{SHOWN}") in said(late), late.output
        assert (await cli("pending", "cancel", "3", "--reason", "wrong account", "--as",
                          CHECKER)).exit_code == 0
        right = await cli(*back("pending", "return", number, account=NUMBER, reference="RET-1"))
        assert right.exit_code == 0, right.output
        listed = said(await cli("pending", "list"))
        assert "awaiting confirmation: return 4 of 500.00" in listed and SAME in listed, listed
        returned = await cli("pending", "confirm", "4", "--as", CHECKER)
        assert returned.exit_code == 0 and "returned" in said(returned), returned.output
        assert returns(settings.db_url, [unbooked.id or 0])[unbooked.id or 0].account == NUMBER

        # the refusals kept name the account by its ends only; the history replays
        refused = [r for r in refusals(settings.db_url, wid) if "came from account" in r.reason]
        assert [r.action for r in refused] == ["refund", "pending confirm", "pending return",
                                               "pending confirm"]
        assert all(NUMBER not in r.reason and SHOWN in r.reason for r in refused), refused
        await assert_replays(handle)


async def test_money_paid_beyond_the_plan_is_owed_back_under_the_payment_that_paid_it(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two payers' payments of one day: what is paid beyond the plan is owed back under the
    payment booked once the plan was paid, and goes back to its account, not to the day's
    last payment's (journey/owed_back.py, in the order of booking)."""
    env = time_skipping_env
    async with disbursed_loan(env, tmp_path, Documents()) as (_, settings, handle, running):
        point_cli_at(monkeypatch, env.client, tmp_path)
        wid, day = handle.id, running.offer.starts_on
        repay = ("repay", wid, "--paid-on", str(day), "--as", SUBMITTER.id)
        first = await cli(*repay, "--amount", "100.00", "--reference", "R-1", "--from-account",
                          OTHER)
        assert first.exit_code == 0, first.output
        paid_once = await until(handle, lambda s: len(s.payments) == 1)
        quote = loan_figures.settlement(paid_once, day)
        settled = await cli(*repay, "--amount", f"{quote.owed + 50:.2f}", "--reference",
                            "ALL-1", "--settle", "--from-account", NUMBER)
        assert settled.exit_code == 0, settled.output
        closed = await until(handle, lambda s: s.stage.terminal)
        assert [(o.payment, o.amount) for o in overpaid(closed)] == [("ALL-1", Decimal(50))]

        # a payment booked after the plan was paid, the same day from another payer's account
        # (queued behind the settlement, as a journey before its recheck booked one): the
        # settlement's 50.00 goes back to its account, the 20.00 after it to the other's
        assert closed.account is not None
        late = closed.payments[-1].model_copy(update={
            "reference": "R-2", "kind": "repayment", "amount": Decimal("20.00"),
            "from_account": OTHER})
        both = closed.model_copy(update={
            "payments": [*closed.payments, late],
            "account": closed.account.model_copy(update={
                "paid": closed.account.paid + 20, "credit": closed.account.credit + 20})})
        assert [(o.payment, o.paid_on, o.amount) for o in overpaid(both)] == [
            ("ALL-1", day, Decimal("50.00")), ("R-2", day, Decimal("20.00"))]
        assert [(o.payment, o.from_account, o.left) for o in owed_of(both, [], day)] == [
            ("ALL-1", NUMBER, Decimal("50.00")), ("R-2", OTHER, Decimal("20.00"))]
        # refunded under the day's last payment, as it was all owed back there before: the
        # settlement's part is refunded too, never owed back again
        before = PayerRefund(
            workflow_id=wid, payment="R-2", paid_on=day, amount=Decimal("70.00"),
            account=OTHER, refunded_at=datetime.now(UTC), refunded_by=SUBMITTER.id,
            role="operations", origin=origin(), reference="RF-OLD", reason="paid over")
        assert [(o.payment, o.refunded, o.carried, o.left)
                for o in owed_of(both, [before], day)] == [
            ("ALL-1", Decimal("50.00"), Decimal("50.00"), Decimal("0.00")),
            ("R-2", Decimal("20.00"), Decimal("0.00"), Decimal("0.00"))]
        part = [o for o in owed_of(both, [before.model_copy(update={"amount": Decimal(30)})],
                                   day)]
        assert [(o.payment, o.left) for o in part] == [("ALL-1", Decimal("40.00")),
                                                       ("R-2", Decimal("0.00"))]
        day_booked = booked(both, day, day)  # as the book says owed back: the same 70.00
        assert day_booked is not None and day_booked.kinds.beyond_plan == Decimal("70.00")

        status = said(await cli("status", wid))
        assert (f"money owed back: 50.00 paid beyond the whole plan under ALL-1 ({day}), from "
                f"account {NUMBER}, where a refund goes back") in status, status
        assert "under R-1" not in status
