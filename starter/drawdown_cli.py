"""`loan-journey drawdown ...`: project-finance drawdowns by milestone.

    loan-journey drawdown request ID --tranche t1 --amount 4500000 \\
        planning_permit=permit.pdf capital_proof=capital.png --as <credit code>
    loan-journey drawdown request ID --tranche t2 --amount 6000000 \\
        --payee "某建设集团" --payee-account 6222... construction_progress=report.pdf \\
        insurance=policy.pdf --as rm-liu --role relationship_manager
    loan-journey drawdown decide ID --verdict approve --reason "milestone verified" --as risk-pf-1
    loan-journey drawdown show ID
    loan-journey drawdown waive-fee ID --reason "project cancelled by the regulator" --as sup-pf

Each document is LABEL=PATH: the label names the condition precedent it answers
(`drawdown show` lists the labels each tranche needs). Files go to the document store; the
journey gets references. A refused request exits 3 with the journey's reason; so does one
whose conditions precedent are not met, naming each and what to do (the history records it).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.markup import escape
from temporalio.client import Client

from journey.actors import Actor, Role
from journey.application import Channel
from journey.drawdowns import (
    DrawdownDecision,
    DrawdownOutcome,
    DrawdownRecord,
    DrawdownRequest,
    DrawdownState,
    DrawdownVerdict,
    Payee,
    SupportingDocument,
    drawn_on,
    paid_under,
)
from journey.fee_waiver import FeeWaiver
from journey.repayment import money
from journey.settings import Settings
from journey.status import JourneyStatus
from starter import applications, operations, pending
from starter.application_cli import Category
from starter.attempts import acting
from starter.audit_summary import duration
from starter.bank_clock import when
from starter.boundary import run
from starter.connect import connect
from starter.errors import BadInput, NotMet, plain_errors
from starter.journey_cli import As, JourneyId, Reason, RoleOpt, send_update
from starter.terminal import wide_console
from starter.typed_values import yuan

console = wide_console()
drawdown_app = typer.Typer(help="Project finance: drawdowns by milestone.", no_args_is_help=True)



# -- the library API the commands are thin over ------------------------------------------------


async def send(client: Client | None, settings: Settings, workflow_id: str, update: str,
               request: DrawdownRequest | DrawdownDecision) -> DrawdownOutcome:
    """One drawdown update, as `operations.act` sends any update (without a `client`, to the
    settings' server); one no worker takes in time, or that the server could not be reached
    for, is kept in the settings' database until delivered (starter/pending.py)."""
    return await pending.act_or_keep(client, settings, workflow_id, update, request,
                                     DrawdownOutcome)


def supporting(settings: Settings, items: list[str]) -> list[SupportingDocument]:
    """LABEL=PATH arguments stored in the document store, as labelled references."""
    pairs: list[tuple[str, Path]] = []
    for item in items:
        label, sep, path = item.partition("=")
        if not sep or not label or not path:
            raise BadInput(
                f"{item!r}: give each document as LABEL=PATH, e.g. planning_permit=permit.pdf "
                "(`loan-journey drawdown show ID` lists the labels a tranche needs)"
            )
        pairs.append((label.strip().lower(), Path(path)))
    refs = applications.store_documents(settings, [p for _, p in pairs], by_page=False)
    try:
        return [SupportingDocument(label=label, ref=ref) for (label, _), ref in zip(pairs, refs,
                                                                                    strict=True)]
    except ValidationError as err:
        raise BadInput(
            f"a label is not valid (lower-case letters, digits, _): {plain_errors(err)}"
        ) from None


# -- commands --------------------------------------------------------------------------------


@drawdown_app.command("request")
@acting("request_drawdown")
def request_(
    workflow_id: JourneyId,
    tranche: Annotated[str, typer.Option(help="tranche id from the plan, e.g. t1")],
    amount: Annotated[Decimal, typer.Option(
        parser=yuan, help="yuan, at most what the tranche allows")],
    documents: Annotated[list[str], typer.Argument(help="LABEL=PATH per document")],
    actor: As,
    role: RoleOpt = Role.CUSTOMER,
    payee: Annotated[str | None, typer.Option(help="entrusted payment: the counterparty")] = None,
    payee_account: Annotated[str | None, typer.Option(help="the counterparty's account")] = None,
    payee_bank: Annotated[str | None, typer.Option(help="the bank of its account (开户行)")] = None,
    payee_contract: Annotated[str | None, typer.Option(
        help="the commercial contract it is paid under")] = None,
    channel: Channel = Channel.WEB,
) -> None:
    """Ask for a tranche; conditions are checked at once, then the risk team decides."""
    named = (payee, payee_account, payee_bank, payee_contract)
    if any(n is not None for n in named) and any(n is None for n in named):
        raise typer.BadParameter("entrusted payment needs --payee, --payee-account, "
                                 "--payee-bank and --payee-contract")
    settings = Settings()

    async def go() -> None:
        try:
            body = DrawdownRequest(
                actor=Actor(id=actor, role=role), tranche_id=tranche, amount=amount,
                payee=Payee(name=payee, account=payee_account, bank=payee_bank,
                            contract=payee_contract) if payee and payee_account else None,
                documents=supporting(settings, documents), channel=channel,
            )
        except ValidationError as err:
            raise BadInput(plain_errors(err)) from None
        outcome = await send(None, settings, workflow_id, "request_drawdown", body)
        _print(outcome)
        if outcome.state is DrawdownState.CONDITIONS_FAILED:
            failed = "; ".join(f"{c.condition}: {c.explanation}"
                               for c in outcome.conditions if not c.met)
            raise NotMet(f"drawdown {outcome.tranche_id} is refused, its conditions precedent "
                         "not met (the journey's history records it); ask again once you "
                         f"have done what each says: {failed}")

    run(go())


@drawdown_app.command()
@acting("decide_drawdown")
def decide(
    workflow_id: JourneyId,
    verdict: Annotated[DrawdownVerdict, typer.Option()],
    reason: Annotated[str, typer.Option(help="why; kept in the audit trail")],
    actor: As,
    role: RoleOpt = Role.RISK_OFFICER,
    tranche: Annotated[str | None, typer.Option(
        help="default: the one waiting when the decision is taken")] = None,
    category: Category = None,
) -> None:
    """The risk team approves or rejects the drawdown waiting for a decision; the customer
    is told a rejection's --category, not its --reason."""

    settings = Settings()

    async def go() -> None:
        try:  # no tranche: the one waiting when sent, or delivered if kept (pending_send.py)
            body = DrawdownDecision(actor=Actor(id=actor, role=role), tranche_id=tranche or "",
                                    verdict=verdict, reason=reason, category=category)
        except ValidationError as err:
            raise BadInput(plain_errors(err)) from None
        _print(await send(None, settings, workflow_id, "decide_drawdown", body))

    run(go())


@drawdown_app.command("waive-fee")
@acting("waive_commitment_fee")
def waive_fee(workflow_id: JourneyId, reason: Reason, actor: As,
              role: RoleOpt = Role.SUPERVISOR) -> None:
    """The supervisor of the loan's risk team waives the commitment fee a project closed with
    nothing drawn still owes (费用减免): what is left of it and its penalty interest; the
    journey then ends as if it were paid."""
    try:
        body = FeeWaiver(actor=Actor(id=actor, role=role), reason=reason)
    except ValidationError as err:
        raise typer.BadParameter(plain_errors(err)) from None
    send_update(workflow_id, "waive_commitment_fee", body)


@drawdown_app.command()
def show(workflow_id: JourneyId) -> None:
    """The drawdown plan, the commitment and every drawdown so far."""

    async def go() -> None:
        current = await operations.status(await connect(), workflow_id)
        if current.drawdown_plan is None:
            raise BadInput(f"{workflow_id} has no drawdown plan: only project finance has one")
        for t in current.drawdown_plan.tranches:
            drawn = drawn_on(t, current.drawdowns)
            console.print(escape(f"{t.id}  cap {money(t.cap)}, drawn {money(drawn)}  "
                                 f"{t.milestone}; documents: "
                                 f"{', '.join(t.documents)}; checks: "
                                 f"{', '.join(c.describe() for c in t.checks)}"))
        if current.commitment is not None:
            c = current.commitment
            console.print(f"commitment {money(c.total)}: drawn {money(c.drawn)}, cancelled "
                          f"{money(c.cancelled)}, available {money(c.available)} until "
                          f"{c.available_until:%Y-%m-%d}")
            if c.interest_accrued is not None:
                console.print(f"interest on the drawdowns until they closed: "
                              f"{money(c.interest_accrued)}, due with the first instalment")
        for d in current.drawdowns:
            console.print(f"#{d.number} [bold]{d.state}[/] {escape(_drawdown_line(current, d))}")

    run(go())


def _drawdown_line(s: JourneyStatus, d: DrawdownRecord) -> str:
    """One drawdown for the record: what was asked, who decided and why, where the money
    went and when (on the bank's clock, as `status` shows the journey of status `s`), and
    how long the customer waited."""
    line = f"{d.request.tranche_id} {money(d.request.amount)} asked {when(s, d.requested_at)}"
    if d.decided_by:
        line += f"; {d.decided_by}: {d.reason}"
    elif d.reason:
        line += f"; {d.reason}"
    if d.paid_to:  # entrusted, on operations' confirmed instruction: whom it paid
        line += f"; paid to {d.paid_to} at {when(s, d.booked_at)}"
    elif d.booking_id:
        payee = d.payee or "the borrower"
        if d.request.payee is not None:  # entrusted payment (受托支付): to whose account
            payee += f", {paid_under(d.request.payee)}"
        line += f"; paid to {payee} ({d.booking_id}) at {when(s, d.booked_at)}"
    if d.waited is not None:
        line += f"; waited {duration(d.waited)}"
    return line


def _print(outcome: DrawdownOutcome) -> None:
    c = outcome.commitment
    console.print(
        f"drawdown {outcome.tranche_id}: [bold]{outcome.state}[/] {escape(outcome.message)}"
    )
    for cond in outcome.conditions:
        mark = "[green]met[/]" if cond.met else "[red]not met[/]"
        console.print(f"  {mark} {cond.condition}: {escape(cond.explanation)}")
    console.print(f"commitment {money(c.total)}: drawn {money(c.drawn)}, available "
                  f"{money(c.available)}")


def register(app: typer.Typer) -> None:
    app.add_typer(drawdown_app, name="drawdown")
