"""Commands on a running loan: repayments, settlement and prepayment quotes, early warnings
acknowledged, its class on judgement, the write-off vote."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

import typer

from journey.actors import Role
from journey.application import Channel
from journey.bank_accounts import account_refusal
from journey.class_judgement import ClassifyLoan
from journey.classification import RiskClass
from journey.decisions import Repayment, WriteOff
from journey.post_loan_warnings import AcknowledgeWarning, WarningAction
from journey.settings import Settings
from starter import loan_figures, operations, quotes
from starter.attempts import acting
from starter.bank_clock import bank_day
from starter.boundary import run
from starter.connect import connect
from starter.journey_cli import (
    As,
    JourneyId,
    Reason,
    RiskTeamRole,
    RoleOpt,
    as_actor,
    console,
    send_update,
    validated,
)
from starter.repayment_view import payoff_text, prepayment_text, settlement_text
from starter.typed_values import day, yuan

Shorten = Annotated[
    bool, typer.Option(help="a prepayment repays the last instalments first: the plan ends "
                            "sooner (default: every later instalment shrinks)")
]
Day = Annotated[
    datetime | None,
    typer.Option(parser=day, metavar="YYYY-MM-DD",
                 help="the day it would be paid (default: today, by the loan's days)"),
]


@acting("record_repayment")
def repay(
    workflow_id: JourneyId,
    amount: Annotated[Decimal, typer.Option(parser=yuan)],
    reference: Annotated[str, typer.Option()],
    actor: As,
    role: RoleOpt = Role.OPERATIONS,
    settle: Annotated[
        bool, typer.Option(help="settle the whole loan early: at least `settlement`'s quote")
    ] = False,
    prepay: Annotated[
        bool, typer.Option(help="repay part of the principal ahead of the plan (`prepayment`)")
    ] = False,
    shorten: Shorten = False,
    paid_on: Annotated[
        datetime | None,
        typer.Option("--paid-on", parser=day, metavar="YYYY-MM-DD",
                     help="the value date, the day the money arrived (default: today, the "
                          "bank's day, as typed: also when a worker books it later)"),
    ] = None,
    channel: Annotated[Channel, typer.Option(
        help="where the money came in: branch (the counter, by default), phone, "
             "relationship_manager, web, app; api is for system integrations")] = Channel.BRANCH,
    from_account: Annotated[str | None, typer.Option(
        "--from-account", help="the payer's account, as the bank statement shows it: a refund "
                               "or a return of this money goes back there")] = None,
) -> None:
    """Record a repayment (idempotent by reference), an early settlement or a prepayment."""
    if from_account is not None and (wrong := account_refusal(from_account)) is not None:
        # refused before it is sent or kept: a repayment the journey refuses at delivery is
        # money received and not booked
        raise typer.BadParameter(wrong, param_hint="--from-account")
    send_update(
        workflow_id,
        "record_repayment",
        validated(Repayment, actor=as_actor(actor, role), amount=amount, reference=reference,
                 settles=settle, prepays=prepay, shortens=shorten,
                 paid_on=paid_on.date() if paid_on else bank_day(), channel=channel,
                 from_account=from_account),
    )


def settlement(workflow_id: JourneyId, on: Day = None) -> None:
    """What settles a running loan on a day: early, the principal left, interest to the day
    and arrears; once the plan has all fallen due, everything owed with penalty interest; a
    project still drawing, today: its drawn principal, interest and commitment fee."""

    async def go() -> None:
        s = await operations.status(await connect(), workflow_id)
        if (payoff := loan_figures.payoff_while_drawing(s, on.date() if on else None)) is not None:
            console.print(payoff_text(workflow_id, payoff))
            return
        day = on.date() if on else loan_figures.payment_day(s)
        s, ahead = quotes.as_on(s, day, Settings())
        quote = loan_figures.settlement(s, day)
        console.print(settlement_text(workflow_id, day, quote,
                                      loan_figures.matured(s, day), ahead,
                                      loan_figures.paid_ahead_by(s, quote),
                                      loan_figures.accrued_by(s, day)))

    run(go())


def prepayment(
    workflow_id: JourneyId,
    amount: Annotated[Decimal, typer.Option(parser=yuan, help="what the customer would pay")],
    on: Day = None,
    shorten: Shorten = False,
) -> None:
    """What prepaying part of a running loan does: principal repaid, the plan after it."""

    async def go() -> None:
        s = await operations.status(await connect(), workflow_id)
        day = on.date() if on else loan_figures.payment_day(s)
        s, ahead = quotes.as_on(s, day, Settings())
        after = loan_figures.prepayment(s, amount, day, shorten)
        console.print(prepayment_text(workflow_id, day, amount, s.account, after,
                                      shorten, ahead))

    run(go())


@acting("acknowledge_warning")
def acknowledge(
    workflow_id: JourneyId,
    action: Annotated[WarningAction, typer.Option(help="what the risk team did about it")],
    note: Annotated[str, typer.Option(help="what was found and done; kept in the audit trail")],
    actor: As,
    role: RiskTeamRole = None,
    warning: Annotated[
        list[int] | None,
        typer.Option(help="an early warning's number from `status` (repeat); none: every open one"),
    ] = None,
) -> None:
    """Acknowledge a loan's early warnings (its risk team); none open: off the team's queue."""
    send_update(
        workflow_id,
        "acknowledge_warning",
        validated(
            AcknowledgeWarning, actor=as_actor(actor, role or Role.RISK_OFFICER),
            numbers=warning or [], action=action,
            note=note,
        ),
    )


@acting("classify_loan")
def classify(
    workflow_id: JourneyId,
    risk_class: Annotated[RiskClass, typer.Option(
        "--class", parser=RiskClass.named, metavar="CLASS",
        help="substandard (次级), doubtful (可疑), loss (损失); special_mention (关注) or "
             "normal (正常) to upgrade")],
    reason: Reason,
    actor: As,
    role: RiskTeamRole = None,
) -> None:
    """Classify a loan on the risk team's judgement (the borrower's condition): a risk
    officer proposes, the team's supervisor confirms with the same class (four eyes);
    never better than its days past due give."""
    send_update(workflow_id, "classify_loan",
                validated(ClassifyLoan, actor=as_actor(actor, role or Role.RISK_OFFICER),
                          risk_class=risk_class, reason=reason))


@acting("write_off")
def write_off(
    workflow_id: JourneyId,
    reason: Reason,
    actor: As,
    role: RoleOpt = Role.APPROVER,
) -> None:
    """A credit-committee member's vote to write a non-performing loan off (核销)."""
    send_update(workflow_id, "write_off",
                validated(WriteOff, actor=as_actor(actor, role), reason=reason))
