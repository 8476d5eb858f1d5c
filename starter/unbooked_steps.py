"""How money received and refused at delivery is booked on its own journey: only as it takes it.

A repayment kept while no worker answered and refused at delivery (starter/pending_delivery.py)
is money received and not booked; typed again under its reference in a form its journey takes,
it is booked. Each form offered is one that journey takes for that payment: a prepayment only
on a running loan, paid since its payout, that `loan-journey prepayment` quotes for that amount
on that day, with no payment recorded after that day (whose allocation it would change) nor
under its reference (another payment's); a payment dated before the payout predates the loan,
and is booked only with its right value date, where that one was mistyped. Where none is
offered, the money goes back to the payer (`pending return`).
"""

from __future__ import annotations

import logging
from datetime import date, datetime

from temporalio.client import Client
from temporalio.service import RPCError

from journey.bank_reference import same_reference
from journey.decisions import Repayment
from journey.settings import Settings
from journey.status import JourneyStatus, plan_start
from starter import loan_figures, operations, quotes
from starter.errors import BadInput, JourneyError, SealBroken

log = logging.getLogger(__name__)


async def loan_of(client: Client, workflow_id: str) -> JourneyStatus | None:
    """The status of journey `workflow_id`, which refused money at delivery, to say how it
    books it; None when it cannot be read: then only its return to the payer is offered."""
    try:
        return await operations.status(client, workflow_id)
    except (JourneyError, RPCError) as err:
        log.warning("%s not read (%s): its money refused at delivery is offered for return "
                    "only", workflow_id, err)
        return None


def booking(paid: Repayment, paid_on: date | str | None) -> str:
    """The options of a `repay` that books `paid`, with its value date `paid_on` (None: none
    given), and the payer's account it came from where it named one: not written out (this
    is logged), but where to copy it from, so that the payment booked keeps it."""
    return (f"--amount {paid.amount} --reference {paid.reference}"
            f"{f' --paid-on {paid_on}' if paid_on else ''}"
            f"{' --from-account <as pending list shows it>' if paid.from_account else ''}"
            " --as <operations>")


def on_its_loan(s: JourneyStatus, paid: Repayment, typed_at: datetime,
                settings: Settings) -> list[str]:
    """The ways to book `paid`, a repayment typed at `typed_at` and refused at delivery, on
    its journey of status `s` (`settings`: where the LPR fixings a floating loan is quoted on
    are), each one it takes: none before a payout, nor for what was refused as a prepayment
    or a settlement already."""
    wid, start = s.workflow_id, plan_start(s.offer, s.disbursement)
    if start is None:
        return []
    day = paid.paid_on or loan_figures.loan_day(s, typed_at)  # as it was delivered
    if day < start:
        kind = " --prepay" if paid.prepays else " --settle" if paid.settles else ""
        right = booking(paid, f"<its right value date, {start} or later>")
        return [f"it is dated {day}, before the payout of {wid} on {start}: it predates the "
                f"loan; if that value date is mistyped, book it with the right one "
                f"(`loan-journey repay {wid} {right}{kind}`)"]
    if paid.prepays or paid.settles or not _prepayable(s, paid, day, settings):
        return []
    return [f"book it as a prepayment, which {wid} takes on {day} (`loan-journey prepayment "
            f"{wid} --amount {paid.amount} --on {day}` quotes it): `loan-journey repay {wid} "
            f"{booking(paid, day)} --prepay`"]


def _prepayable(s: JourneyStatus, paid: Repayment, day: date, settings: Settings) -> bool:
    """Whether the loan of status `s` takes `paid` as a prepayment on `day`: `prepayment`
    quotes it (not on a fixing that fails its seal), and no payment is recorded after `day`
    or under its reference."""
    if any(p.paid_on > day or same_reference(p.reference, paid.reference) for p in s.payments):
        return False
    try:
        loan_figures.prepayment(quotes.as_on(s, day, settings)[0], paid.amount, day)
    except (BadInput, SealBroken):
        return False
    return True
