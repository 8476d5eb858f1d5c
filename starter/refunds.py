"""Money owed back to payers, for operations and finance: a loan paid beyond its whole plan
(a settlement paid over its quote) owes the excess back to its payer, the borrower. The work
list (`pending refunds`) reads the journeys that told operations so at their close (the
notice `overpayment_refund_due` in the journey database's outbox), each by its status query,
as `book` reads its loans: the payments that overpaid (journey/owed_back.py), less what was
refunded of them. Operations record each refund (`pending refund`) in the journey database,
beside the returns of money not booked (store/payer_returns.py: who, as what role, from
where, when, why, to which account, under which refund payment), once per refund payment,
sealed where the archive key is set; the money refunded leaves the list, and `book`'s money
received shows it returned to the payer. Four eyes (starter/outflow_checks.py): one operations
person enters a refund (`pending refund`), and it is paid and kept as refunded only once a
second confirms it (`pending confirm`); until then the list shows it entered, by whom, and
it is no refund: what is owed back stays owed, and another refund may not take it too."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from decimal import Decimal

from pydantic import BaseModel
from temporalio.client import Client

from journey.actors import Actor, Role
from journey.bank_reference import same_reference
from journey.drawdowns import account_number
from journey.loan_account import ZERO
from journey.owed_back import REFUND_DUE, overpaid
from journey.repayment import CENT, money
from journey.settings import Settings
from journey.status import JourneyStatus
from starter import operations, pinned_policy, work_lists
from starter.bank_clock import when
from starter.errors import BadInput, Ended, NotFound, Refused
from starter.outflow_checks import CONFIRM, checker_told, enter_awaiting, settled_meanwhile
from starter.payer_account import came_from, elsewhere, source_moved
from starter.records import key_needed
from store import sealed_records
from store.outbox import journeys_told
from store.payer_outflows import OutflowKind, PayerOutflow, awaiting_total, outflows
from store.payer_returns import (
    NotAwaiting,
    OverRefund,
    PayerRefund,
    ReferenceUsed,
    record_refund,
    refunds,
)
from store.refusals import origin

ACTION = "refund"  # what a refused attempt is kept under (store/refusals.py)
OWN_REFERENCE = "give this refund payment's own reference in the bank's books"


class RefundOwed(BaseModel):
    """What one payment paid beyond its loan's whole plan and is still owed back."""

    workflow_id: str
    payer: str  # the borrower's name
    credit_code: str
    payment: str  # the reference of the payment that overpaid
    paid_on: date  # its value date: owed back since
    overpaid: Decimal
    refunded: Decimal  # refunded of it so far
    # of `refunded`, refunded under another payment of its day: recorded while a day's money
    # paid beyond the plan was owed back under its last payment, whatever paid it
    carried: Decimal = ZERO
    age_days: int  # since its value date, to the bank's today
    # the account the payment came from, as its repayment named it (None: it named none):
    # the refund goes back there (starter/payer_account.py)
    from_account: str | None = None

    @property
    def left(self) -> Decimal:
        return self.overpaid - self.refunded


class RefundsOwed(BaseModel):
    on: date  # the bank's today
    owed: list[RefundOwed]  # oldest first
    not_read: list[str]  # journeys that told operations of money owed back, unread: why
    entered: list[PayerOutflow] = []  # refunds entered, awaiting their checker: not paid yet

    @property
    def total(self) -> Decimal:
        return sum((o.left for o in self.owed), ZERO)


def owed_of(s: JourneyStatus, done: list[PayerRefund], today: date) -> list[RefundOwed]:
    """What journey `s` still owes back by payment, after the refunds `done` (its own). A
    payment refunded beyond what it paid over (refunded while the day's money was owed back
    under the day's last payment) leaves the rest refunded of its day's other payments, in
    the order they were booked: money refunded once is never owed back again."""
    lines = []
    for o in overpaid(s):
        refunded = sum((r.amount for r in done if r.payment == o.payment), ZERO)
        lines.append(RefundOwed(
            workflow_id=s.workflow_id, payer=s.applicant or "-", credit_code=s.customer or "-",
            payment=o.payment, paid_on=o.paid_on, overpaid=o.amount, refunded=refunded,
            age_days=(today - o.paid_on).days, from_account=came_from(s, o.payment)))
    for day in {o.paid_on for o in lines}:
        of_day = [o for o in lines if o.paid_on == day]
        over = sum((max(o.refunded - o.overpaid, ZERO) for o in of_day), ZERO)
        for o in of_day:
            carried = min(over, max(o.overpaid - o.refunded, ZERO))
            o.refunded, o.carried, over = (min(o.refunded + carried, o.overpaid), carried,
                                           over - carried)
    return lines


def credit_refunded(settings: Settings, workflow_id: str) -> Decimal:
    """What was refunded of journey `workflow_id`'s credit (paid beyond its whole plan)."""
    return sum((r.amount for r in refunds(settings.db_url, workflow_id)), ZERO)


def owed_said(settings: Settings, s: JourneyStatus, today: date) -> list[str]:
    """For `status`: journey `s`'s money owed back, a line per payment that overpaid and per
    refund of it (when, on the bank's clock), with what is left and the way to refund it."""
    done = refunds(settings.db_url, s.workflow_id)
    lines = []
    for o in owed_of(s, done, today):
        lines.append(f"money owed back: {money(o.overpaid)} paid beyond the whole plan under "
                     f"{o.payment} ({o.paid_on})"
                     + (f", from account {o.from_account}, where a refund goes back"
                        if o.from_account else "") + f", {money(o.left)} left to refund"
                     + (f" ({money(o.carried)} of it refunded under another payment of its "
                        "day, as owed back before each payment's part was)" if o.carried else "")
                     + (f" (`loan-journey pending refund {s.workflow_id} --payment "
                        f"{o.payment} ...`)" if o.left else ""))
        lines += [f"refunded: {money(r.amount)} of it to account {r.account} under "
                  f"{r.reference}: {r.reason} (recorded by {r.refunded_by}, {r.role}, at "
                  f"{when(s, r.refunded_at)})"
                  + (f", confirmed by {r.confirmed_by}" if r.confirmed_by else "")
                  for r in done if r.payment == o.payment]
    lines += [f"refund entered, not paid: {checker_told(e, came_from(s, e.payment or ''))}; "
              f"awaiting a second operations person (`loan-journey pending confirm {e.id}`)"
              for e in outflows(settings.db_url, OutflowKind.REFUND, s.workflow_id)]
    return lines


async def refunds_owed(client: Client, settings: Settings, today: date) -> RefundsOwed:
    """Every journey's money owed back and not refunded yet, oldest first: the journeys that
    told operations of a credit balance, each read by its status query (a few at a time);
    one whose status cannot be read (gone from the server, ended outside the engine) is named
    in `not_read`, with why."""
    done = refunds(settings.db_url)
    reads = asyncio.Semaphore(work_lists.BOOK_READS)  # as the book reads its loans

    async def read(workflow_id: str) -> list[RefundOwed] | str:
        async with reads:
            try:
                s = await operations.status(client, workflow_id)
            except (NotFound, Ended) as err:
                return (f"{workflow_id} told operations it owes money back, but its status "
                        f"cannot be read: {err}")
        return owed_of(s, [r for r in done if r.workflow_id == workflow_id], today)

    read_all = await asyncio.gather(*(read(w) for w in journeys_told(settings.db_url,
                                                                      REFUND_DUE)))
    owed = [o for r in read_all if not isinstance(r, str) for o in r if o.left > 0]
    return RefundsOwed(on=today, owed=sorted(owed, key=lambda o: (o.paid_on, o.workflow_id)),
                       not_read=[r for r in read_all if isinstance(r, str)],
                       entered=outflows(settings.db_url, OutflowKind.REFUND))


class RefundRequest(BaseModel):
    """A refund as operations type it (`pending refund`)."""

    workflow_id: str
    amount: Decimal  # yuan, to the fen
    account: str  # the payer's account the refund goes to
    reference: str  # the refund payment's, in the bank's books
    reason: str
    actor: Actor
    payment: str | None = None  # the payment that overpaid: the oldest owed back when None


async def refund(client: Client, settings: Settings, request: RefundRequest,
                 today: date, now: datetime | None = None) -> PayerOutflow:
    """Enter the refund of `request.amount` owed back by journey `request.workflow_id` to its
    payer's account, awaiting its checker: nothing is paid until a second operations person
    confirms it (`confirm_refund`). `BadInput`: an amount that is none, or above what is
    still owed back less the refunds entered of it; a reason, account or reference too short;
    `NotFound`: no such journey; `Refused`: someone else than operations, a journey that owes
    nothing back (any more), a payment that did not overpay, an account other than the one
    that payment came from (starter/payer_account.py), a reference another return or
    refund (or one entered) holds, or a repayment received (the journey's own, or any kept
    as typed while no worker answered: store/pending.py); `KeysNeeded`: the returns are
    sealed and the archive key is not set here. Nothing is written on any of them."""
    r, wid = request, request.workflow_id
    not_recorded = f"the refund of money owed back by {wid} not entered"
    pinned_policy.authorized(settings, r.actor, {Role.OPERATIONS}, not_recorded, (wid, ACTION))
    amount = _amount(r.amount, not_recorded)
    for given, name, least, what in (
            (r.reason, "reason", 2, "why the money goes back"),
            (account_number(r.account), "to-account", 4, "the payer's account it goes to"),
            (r.reference, "reference", 3, "the refund payment's reference in the bank's books")):
        if len(given.strip()) < least:
            raise BadInput(f"{not_recorded}: give --{name}, {what} (at least {least} "
                           "characters)")
    s = await operations.status(client, wid)
    _own_reference(s, r.reference, not_recorded, r.actor)
    line = _owed_line(owed_of(s, refunds(settings.db_url, wid), today), r, not_recorded)
    if (why := elsewhere(ACTION, line.payment, line.from_account, r.account, wid)) is not None:
        raise Refused(f"{not_recorded}: {why}",
                      pinned_policy.attempt(wid, ACTION, r.actor, why))
    entered = awaiting_total(e for e in outflows(settings.db_url, OutflowKind.REFUND, wid)
                             if e.payment == line.payment)
    if amount > line.left - entered:
        waits = (f", less {money(entered)} entered and awaiting confirmation): refund at most "
                 f"{money(line.left - entered)}" if entered else "): refund at most that")
        raise BadInput(f"{not_recorded}: {money(amount)} is more than is owed back of payment "
                       f"{line.payment} ({money(line.left)}{waits}")
    entry = PayerOutflow(
        kind=OutflowKind.REFUND, workflow_id=wid, payment=line.payment, paid_on=line.paid_on,
        amount=amount, account=account_number(r.account), reference=r.reference.strip(),
        reason=r.reason.strip(), entered_by=r.actor.id, role=r.actor.role, origin=origin(),
        entered_at=now or datetime.now(UTC), source_payment=line.payment,
        source_account=line.from_account)
    return enter_awaiting(settings, entry, OWN_REFERENCE, lambda why: Refused(
        f"{not_recorded}: {why}", pinned_policy.attempt(wid, ACTION, r.actor, why)))


async def confirm_refund(client: Client, settings: Settings, entry: PayerOutflow,
                         checker: Actor, today: date, now: datetime | None = None
                         ) -> PayerRefund:
    """Pay the refund `entry` its checker `checker` confirmed (starter/outflow_checks.py
    allowed them): kept as refunded, with its maker as who recorded it and `checker` as who
    confirmed it, and the entry settled, in one transaction. Its account is checked against
    the one the entry kept (checked at its entry; looked up now for one entered before
    entries kept it), and the journey's status, read again for what is still owed back, must
    name that same account for the payment (`source_moved`). `BadInput` when what is owed
    back no longer covers it (refunded meanwhile); `Refused` as `refund` for its reference
    and its account (one entered before the rule, to another account than the payment came
    from), where the payment now names another account than the entry was checked against,
    or when it was settled meanwhile."""
    assert entry.id is not None and entry.payment is not None and entry.paid_on is not None
    wid, at = entry.workflow_id, now or datetime.now(UTC)
    not_recorded = f"refund {entry.id} of money owed back by {wid} not confirmed"
    s = await operations.status(client, wid)
    line = next((o for o in owed_of(s, refunds(settings.db_url, wid), today)
                 if o.payment == entry.payment), None)
    if line is None:
        raise Refused(f"{not_recorded}: payment {entry.payment} paid nothing beyond the "
                      f"whole plan of {wid} (any more): cancel it (`pending cancel "
                      f"{entry.id}`)")
    source = entry.source_account if entry.source_kept else line.from_account
    why = elsewhere(ACTION, line.payment, source, entry.account, wid)
    if why is None and entry.source_kept:
        why = source_moved(ACTION, line.payment, entry.source_account, line.from_account)
    if why is not None:
        why += f"; cancel it (`pending cancel {entry.id}`)"
        raise Refused(f"{not_recorded}: {why}", pinned_policy.attempt(wid, CONFIRM, checker, why))
    done = PayerRefund(
        workflow_id=wid, payment=entry.payment, paid_on=entry.paid_on, amount=entry.amount,
        account=entry.account, refunded_at=at, refunded_by=entry.entered_by, role=entry.role,
        origin=entry.origin, reference=entry.reference, reason=entry.reason,
        confirmed_by=checker.id, confirmed_at=at)
    try:
        with key_needed(settings, sealed_records.RETURNED):
            # what its own refunds may come to: less what its day's others refunded of it
            record_refund(settings.db_url, done, line.overpaid - line.carried,
                          settings.archive_seal_key,
                          entry.id)
    except ReferenceUsed as used:
        why = f"{used}: {OWN_REFERENCE}"
        raise Refused(f"{not_recorded}: {why}",
                      pinned_policy.attempt(wid, CONFIRM, checker, why)) from used
    except OverRefund as over:  # refunded meanwhile
        raise BadInput(f"{not_recorded}: only {money(over.left)} is left owed back of payment "
                       f"{entry.payment}: cancel it and enter what is left") from over
    except NotAwaiting as gone:
        raise settled_meanwhile(entry, gone) from gone
    return done


def _own_reference(s: JourneyStatus, reference: str, not_recorded: str, actor: Actor) -> None:
    """`Refused` when `reference` is a payment's recorded for journey `s`."""
    own = next((p for p in s.payments if same_reference(p.reference, reference)), None)
    if own is not None:
        why = (f"reference {own.reference} is already that of the {own.kind} of "
               f"{money(own.amount)} recorded for {s.workflow_id} (valued {own.paid_on}): "
               f"{OWN_REFERENCE}")
        raise Refused(f"{not_recorded}: {why}",
                      pinned_policy.attempt(s.workflow_id, ACTION, actor, why))


def _amount(amount: Decimal, not_recorded: str) -> Decimal:
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(CENT):
        raise BadInput(f"{not_recorded}: --amount {amount} is no amount to refund: give yuan "
                       "to the fen, more than 0, e.g. 50.00")
    return amount


def _owed_line(lines: list[RefundOwed], r: RefundRequest, not_recorded: str) -> RefundOwed:
    """The payment the refund is of: `r.payment`, or the oldest still owed back."""
    wid = r.workflow_id
    if not lines:
        why = f"{wid} owes nothing back: it was paid nothing beyond its whole plan"
        raise Refused(f"{not_recorded}: {why}", pinned_policy.attempt(wid, ACTION, r.actor, why))
    if r.payment is not None:
        line = next((o for o in lines if o.payment == r.payment), None)
        if line is None:
            why = (f"payment {r.payment} paid nothing beyond the whole plan of {wid}: give one "
                   f"that did ({', '.join(o.payment for o in lines)})")
            raise Refused(f"{not_recorded}: {why}",
                          pinned_policy.attempt(wid, ACTION, r.actor, why))
        if line.left > 0:
            return line
    elif (line := next((o for o in lines if o.left > 0), None)) is not None:
        return line
    why = (f"{wid} owes nothing back any more: "
           + ", ".join(f"{money(o.refunded)} paid beyond its plan under {o.payment} is refunded"
                       for o in lines if r.payment in (None, o.payment)))
    raise Refused(f"{not_recorded}: {why}", pinned_policy.attempt(wid, ACTION, r.actor, why))
