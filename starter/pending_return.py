"""Money received and not booked, for operations: a repayment kept while no worker answered
and refused at delivery (starter/pending_delivery.py marks it unbooked) is money the bank holds for
no loan. `status` (and `--json`) shows it beside its journey, and `book` with every journey's,
until it is booked (a `repay` under its reference) or returned to the payer: operations
record the return here, with who, when and why, in the journey database
(store/payer_returns.py), once, sealed where the archive key is set; the instruction is then
settled as returned, which `status` keeps showing. Four eyes (starter/outflow_checks.py): one
operations person enters the return with the payer's account (`pending return`), and it is
recorded, the instruction settled, only once a second confirms it (`pending confirm`); until
then the money stays received and not booked, the return listed as entered, by whom."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from journey.actors import Actor, Role
from journey.decisions import Repayment
from journey.drawdowns import account_number
from journey.repayment import money
from journey.settings import Settings
from journey.status import JourneyStatus
from starter.bank_clock import bank_day, noted, when
from starter.errors import BadInput, NotFound, Refused
from starter.outflow_checks import CONFIRM, checker_told, enter_awaiting, settled_meanwhile
from starter.payer_account import elsewhere, source_moved
from starter.pinned_policy import attempt, authorized
from starter.records import key_needed
from starter.refunds import credit_refunded
from store import sealed_records
from store.payer_outflows import OutflowKind, PayerOutflow, outflows
from store.payer_returns import (
    NotAwaiting,
    PayerReturn,
    ReferenceUsed,
    record_return,
    returns,
    told,
)
from store.pending import REPAYMENT, Delivery, Instruction, instruction, instructions
from store.refusals import origin

ACTION = "pending return"  # what a refused attempt is kept under (store/refusals.py)


def return_to_payer(settings: Settings, number: int, actor: Actor, reason: str,
                    reference: str, account: str, now: datetime | None = None) -> PayerOutflow:
    """Enter the return of the money of the unbooked repayment `number` to its payer's
    `account`, by `actor` (operations), for `reason`, under the return payment's `reference`,
    awaiting its checker: nothing is returned until a second operations person confirms it
    (`confirm_return`). `NotFound`: no such instruction; `Refused`: someone else than
    operations, an instruction that is no money received and not booked (booked since,
    returned already, or no repayment), one whose return is entered already, an `account`
    other than the one the money came from (starter/payer_account.py), or a `reference`
    another return or refund holds; `KeysNeeded`, nothing written: the returns
    are sealed and the archive key is not set here."""
    kept = instruction(settings.db_url, number)
    if kept is None:
        raise NotFound(f"no pending instruction {number}: `loan-journey pending list --all` "
                       "shows them")
    not_recorded = f"the return of pending instruction {number} not entered"
    authorized(settings, actor, {Role.OPERATIONS}, not_recorded, (kept.workflow_id, ACTION))
    if len(reason.strip()) < 2:
        raise BadInput(f"{not_recorded}: give --reason, how and why the money goes back")
    if len(reference.strip()) < 3:
        raise BadInput(f"{not_recorded}: give --reference, the return payment's reference "
                       "in the bank's books (at least 3 characters)")
    if len(account_number(account)) < 4:
        raise BadInput(f"{not_recorded}: give --to-account, the payer's account it goes to "
                       "(at least 4 characters)")
    if kept.state is not Delivery.UNBOOKED:
        why = (f"it is {kept.state}, not money received and not booked"
               + (f": {kept.outcome}" if kept.outcome else ""))
        raise Refused(f"{not_recorded}: {why}", attempt(kept.workflow_id, ACTION, actor, why))
    if waiting := [e for e in outflows(settings.db_url, OutflowKind.RETURN, kept.workflow_id)
                   if e.instruction_id == number]:
        why = (f"its {waiting[0].said()}, awaits its confirmation: confirm it, or cancel it "
               f"to enter another (`pending cancel {waiting[0].id}`)")
        raise Refused(f"{not_recorded}: {why}", attempt(kept.workflow_id, ACTION, actor, why))
    paid = Repayment.model_validate_json(kept.request)
    if (why := elsewhere("return", paid.reference, paid.from_account, account,
                         kept.workflow_id)) is not None:
        raise Refused(f"{not_recorded}: {why}", attempt(kept.workflow_id, ACTION, actor, why))
    entry = PayerOutflow(
        kind=OutflowKind.RETURN, workflow_id=kept.workflow_id, instruction_id=number,
        amount=paid.amount, account=account_number(account), reference=reference.strip(),
        reason=reason.strip(), entered_by=actor.id, role=actor.role, origin=origin(),
        entered_at=now or datetime.now(UTC), source_payment=paid.reference,
        source_account=paid.from_account)
    return enter_awaiting(
        settings, entry, "give this return payment's own reference in the bank's books",
        lambda why: Refused(f"{not_recorded}: {why}",
                            attempt(kept.workflow_id, ACTION, actor, why)))


def confirm_return(settings: Settings, entry: PayerOutflow, checker: Actor,
                   now: datetime | None = None) -> Instruction:
    """Return the money of `entry` its checker `checker` confirmed (starter/outflow_checks.py
    allowed them): kept as returned, with its maker as who recorded it and `checker` as who
    confirmed it, the instruction settled as returned and the entry confirmed, in one
    transaction; the instruction as settled. Its account is checked against the one the
    entry kept (checked at its entry; the repayment's, read now, for one entered before
    entries kept it), and the repayment kept, read again, must name that same account
    (`source_moved`). `Refused`: the money was booked meanwhile, the entry settled meanwhile,
    its reference taken, it goes to another account than the money came from (entered
    before the rule), or the repayment now names another account than the entry was
    checked against."""
    number = entry.instruction_id
    assert number is not None
    kept = instruction(settings.db_url, number)
    assert kept is not None, "an instruction is never deleted"
    not_recorded = f"return {entry.id} of pending instruction {number} not confirmed"
    paid = Repayment.model_validate_json(kept.request)
    source = entry.source_account if entry.source_kept else paid.from_account
    why = elsewhere("return", paid.reference, source, entry.account, kept.workflow_id)
    if why is None and entry.source_kept:
        why = source_moved("return", paid.reference, entry.source_account, paid.from_account)
    if why is not None:
        why += f"; cancel it (`pending cancel {entry.id}`)"
        raise Refused(f"{not_recorded}: {why}", attempt(kept.workflow_id, CONFIRM, checker, why))
    at = now or datetime.now(UTC)
    back = PayerReturn(instruction_id=number, workflow_id=entry.workflow_id, returned_at=at,
                       returned_by=entry.entered_by, role=entry.role, origin=entry.origin,
                       reference=entry.reference, reason=entry.reason, account=entry.account,
                       confirmed_by=checker.id, confirmed_at=at)
    try:
        with key_needed(settings, sealed_records.RETURNED):
            done = record_return(settings.db_url, back, settings.archive_seal_key, entry.id)
    except ReferenceUsed as used:
        why = f"{used}: give this return payment's own reference in the bank's books"
        raise Refused(f"{not_recorded}: {why}",
                      attempt(kept.workflow_id, CONFIRM, checker, why)) from used
    except NotAwaiting as gone:
        raise settled_meanwhile(entry, gone) from gone
    if not done:  # booked meanwhile: nothing to return
        why = (f"it is {kept.state}, not money received and not booked any more"
               + (f": {kept.outcome}" if kept.outcome else "") + "; cancel it "
               f"(`pending cancel {entry.id}`)")
        raise Refused(f"{not_recorded}: {why}", attempt(kept.workflow_id, CONFIRM, checker, why))
    return kept.model_copy(update={"state": Delivery.RETURNED, "outcome": told(back, ""),
                                   "settled_at": back.returned_at})


class ReceivedMoney(BaseModel):
    """A repayment kept, refused at delivery and not booked: money the bank received for no
    loan, until booked under its reference or returned to its payer (`returned_at`)."""

    instruction: int  # the pending instruction's number (`pending return N`)
    workflow_id: str
    amount: Decimal
    reference: str
    from_account: str | None = None  # the payer's, as the repayment named it: it goes back there
    paid_on: date  # the value date
    typed_by: str
    typed_at: datetime
    refused_at: datetime | None  # at delivery
    returned_at: datetime | None = None
    returned: str = ""  # by whom, why, under which payment


def received_money(settings: Settings, state: Delivery, workflow_id: str | None = None
                   ) -> list[ReceivedMoney]:
    """The money received and left in `state` (unbooked, or returned to the payer; or any
    other, of the repayments kept): journey `workflow_id`'s, or every journey's; oldest
    first."""
    money = []
    kept_ones = [k for k in instructions(settings.db_url, states=(state,),
                                         workflow_id=workflow_id) if k.update == REPAYMENT]
    back = state is Delivery.RETURNED
    returns_said = said(settings, kept_ones) if back else {}
    for kept in kept_ones:
        paid = Repayment.model_validate_json(kept.request)
        money.append(ReceivedMoney(
            instruction=kept.id or 0, workflow_id=kept.workflow_id, amount=paid.amount,
            reference=paid.reference, from_account=paid.from_account,
            paid_on=paid.paid_on or bank_day(kept.typed_at),
            typed_by=kept.actor, typed_at=kept.typed_at,
            refused_at=None if back else kept.settled_at or kept.typed_at,
            returned_at=kept.settled_at if back else None,
            returned=returns_said.get(kept.id, kept.outcome) if back else ""))
    return money


def status_json(s: JourneyStatus, settings: Settings) -> dict[str, Any]:
    """`status --json`: the journey's status, and the money received for it that is not
    booked (`money_received_not_booked`) or was returned to its payer
    (`money_received_returned`), as `status` shows them beside it; a loan's account with
    what of its credit was refunded (`credit_refunded`) and is still owed back
    (`credit_owed_back`), as `status` says them."""
    data = s.model_dump(mode="json")
    for reading in data["readings"]:  # what clerks corrected, on the bank's clock as status
        for read in filter(None, (reading.get(p) for p in ("license", "statement",
                                                           "supporting"))):
            read["corrected"] = {f: noted(s, note)
                                 for f, note in read.get("corrected", {}).items()}
    if s.account is not None:
        refunded = credit_refunded(settings, s.workflow_id)
        data["account"] |= {"credit_refunded": f"{refunded:.2f}",
                            "credit_owed_back": f"{s.account.credit - refunded:.2f}"}
    for key, state in (("money_received_not_booked", Delivery.UNBOOKED),
                       ("money_received_returned", Delivery.RETURNED)):
        data[key] = [m.model_dump(mode="json")
                     for m in received_money(settings, state, s.workflow_id)]
    return data


def not_booked(settings: Settings, s: JourneyStatus) -> list[str]:
    """The money received for journey `s` and not booked, one line each: how much, under
    which reference, paid and typed when, refused since when (on the bank's clock, `when`),
    and the way out."""
    return [
        f"money received and not booked: {money(m.amount)} under {m.reference}"
        + (f" from account {m.from_account}" if m.from_account else "") + f", paid "
        f"{m.paid_on}, typed by {m.typed_by} at {when(s, m.typed_at)}, refused at delivery "
        f"{when(s, m.refused_at)} (pending instruction {m.instruction}): book it under its "
        "reference as the loan takes it, or return it to the payer: one operations person "
        f"enters it (`loan-journey pending return {m.instruction}`), a second confirms it"
        for m in received_money(settings, Delivery.UNBOOKED, s.workflow_id)] + [
        f"return entered, not paid: {checker_told(e, came_from(settings, e))}; awaiting a "
        f"second operations person (`loan-journey pending confirm {e.id}`)"
        for e in outflows(settings.db_url, OutflowKind.RETURN, s.workflow_id)]


def returned_to_payer(settings: Settings, s: JourneyStatus) -> list[str]:
    """The money received for journey `s` and returned to its payer, one line each, with who
    recorded it, when (on the bank's clock: `noted`, as the return's text says it in UTC),
    why and under which payment."""
    return [f"money received and returned: {money(m.amount)} under {m.reference} (pending "
            f"instruction {m.instruction}), {noted(s, m.returned)}"
            for m in received_money(settings, Delivery.RETURNED, s.workflow_id)]


def came_from(settings: Settings, entry: PayerOutflow) -> str | None:
    """The account the money a return `entry` sends back came from, as its repayment named
    it (None: it named none)."""
    kept = instruction(settings.db_url, entry.instruction_id or 0)
    return Repayment.model_validate_json(kept.request).from_account if kept else None


def said(settings: Settings, kept: list[Instruction]) -> dict[int | None, str]:
    """What each instruction of `kept` returned to its payer says of its return, by number:
    its return's columns, or the outcome it was settled with before they were kept."""
    back = returns(settings.db_url, (k.id for k in kept
                                     if k.id is not None and k.state is Delivery.RETURNED))
    return {k.id: told(back[k.id], k.outcome) for k in kept if k.id in back}
