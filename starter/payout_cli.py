"""`loan-journey pay-to ...` and `confirm-payees ...`: operations' payment instruction for an
entrusted payout (受托支付), entered by one operations person and confirmed by a second.

    loan-journey pay-to loan-APP-DEMO-002 \\
        --payee "上海某机床设备有限公司" --account 6222020200114455667 \\
        --bank "中国工商银行上海分行" --contract PO-2026-118 --amount 12000000 \\
        --payee "中建某局第三工程有限公司" --account 6222020200112233445 \\
        --bank "中国建设银行上海分行" --contract EPC-2026-07 --amount 8000000 --as ops-wang

    loan-journey confirm-payees loan-APP-DEMO-002 --instruction 1 --as ops-li

Each counterparty is its five options, in the same order: the nth --payee is paid the nth
--amount into the nth --account. The amounts add up to the payout. `pay-to` enters the
instruction under a number (its maker may enter a new one, which replaces it, until it is
confirmed); a second operations person, neither its maker nor the case's submitter, checks it
against the contracts and confirms it by that number; the journey then books one payment to
each and moves on to post-loan. A refused instruction or confirmation exits 3 with the reason.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

import typer
from pydantic import ValidationError

from journey.actors import Actor, Role
from journey.entrusted_payment import Counterparty, PaymentConfirmation, PaymentInstruction
from starter.attempts import acting
from starter.errors import plain_errors
from starter.journey_cli import As, JourneyId, RoleOpt, send_update
from starter.typed_values import yuan


def instruction(actor: Actor, payees: list[str], accounts: list[str], banks: list[str],
                contracts: list[str], amounts: list[Decimal]) -> PaymentInstruction:
    """The instruction the options give, counterparty by counterparty, or BadParameter."""
    if len({len(payees), len(accounts), len(banks), len(contracts), len(amounts)}) != 1:
        raise typer.BadParameter(
            "give every counterparty all five: --payee, --account, --bank, --contract and "
            f"--amount (got {len(payees)}, {len(accounts)}, {len(banks)}, {len(contracts)} "
            f"and {len(amounts)})")
    try:
        return PaymentInstruction(actor=actor, counterparties=[
            Counterparty(name=n, account=a, bank=b, contract=c, amount=m)
            for n, a, b, c, m in zip(payees, accounts, banks, contracts, amounts, strict=True)
        ])
    except ValidationError as err:
        raise typer.BadParameter(plain_errors(err)) from None


@acting("record_payment_instruction")
def pay_to(
    workflow_id: JourneyId,
    payee: Annotated[list[str], typer.Option(help="the counterparty's name, as in the "
                                                  "commercial contract")],
    account: Annotated[list[str], typer.Option(help="its account number")],
    bank: Annotated[list[str], typer.Option(help="the bank keeping the account (开户行)")],
    contract: Annotated[list[str], typer.Option(help="the commercial contract's reference")],
    amount: Annotated[list[Decimal], typer.Option(parser=yuan, help="yuan paid to it")],
    actor: As,
    role: RoleOpt = Role.OPERATIONS,
) -> None:
    """Operations enter to whom an entrusted payout is paid (受托支付): the counterparties of
    the borrower's commercial contracts; once a second operations person confirms it
    (`confirm-payees`), the payout is booked to them."""
    send_update(workflow_id, "record_payment_instruction",
                instruction(Actor(id=actor, role=role), payee, account, bank, contract, amount))


@acting("confirm_payment_instruction")
def confirm_payees(
    workflow_id: JourneyId,
    number: Annotated[int, typer.Option(
        "--instruction", min=1,
        help="the number of the instruction confirmed, as `pay-to` and `status` give it")],
    actor: As,
    role: RoleOpt = Role.OPERATIONS,
) -> None:
    """A second operations person confirms the payment instruction `pay-to` entered, after
    checking it against the contracts: the payout is then booked to its counterparties."""
    send_update(workflow_id, "confirm_payment_instruction",
                PaymentConfirmation(actor=Actor(id=actor, role=role), instruction=number))


def register(app: typer.Typer) -> None:
    app.command("pay-to")(pay_to)
    app.command("confirm-payees")(confirm_payees)
