"""A repayment's reference across loans, and a repayment sent to a loan that has ended.

One bank payment is booked on one loan: before the command line sends a repayment, it claims
the payment's reference (in its normal form: journey/bank_reference.py) for its loan in the
journey database (store/reference_claims.py), so that the clerk is answered before anything
is sent (the journey claims it again before it books it, whoever sent it:
activities/references.py), and a reference another loan's repayment, a kept repayment, a
return or a refund holds is refused, naming which holds it; the claim is released when the
journey refuses the repayment. A loan no journey has (a mistyped id) is refused, kept in
`refusals` with its amount and reference; one that has ended takes no repayment: the same
payment recorded on it before its end (a settlement typed again after its answer was lost)
is answered as recorded, another payment under that reference is refused, and other money is
kept as received and not booked (starter/pending.py), with the steps that settle it.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from pydantic import BaseModel
from temporalio.client import Client

from journey.bank_reference import same_reference
from journey.decisions import Repayment, UpdateResult
from journey.repayment import money
from journey.settings import Settings
from starter import operations
from starter.errors import Ended, EndedUnread, NoAnswer, NotFound, Refused
from starter.pinned_policy import attempt
from store.payer_returns import ReferenceUsed
from store.payment_references import ReferenceClaim
from store.pending import REPAYMENT
from store.reference_claims import Claimed, claim, release
from store.refusals import origin
from store.seal_key import sealing_key
from store.sealed_records import CLAIMED

OWN_REFERENCE = "a different payment needs its own reference"


async def claimed(settings: Settings, workflow_id: str, request: BaseModel) -> Claimed | None:
    """A repayment's reference claimed for loan `workflow_id` (None for any other act);
    `Refused`, nothing claimed, when another payment holds it."""
    if not isinstance(request, Repayment):
        return None
    wanted = ReferenceClaim(
        reference=request.reference, workflow_id=workflow_id, kind=request.kind,
        amount=request.amount, claimed_by=request.actor.id, claimed_at=datetime.now(UTC),
        origin=origin()[:200])
    try:
        return await asyncio.to_thread(claim, settings.db_url, wanted, await _key(settings))
    except ReferenceUsed as used:
        why = f"{used}: {OWN_REFERENCE}"
        raise Refused(f"{REPAYMENT} refused: {why}",
                      attempt(workflow_id, REPAYMENT, request.actor, why)) from used


def no_such_loan(workflow_id: str, paid: Repayment) -> NotFound:
    """Money typed against `workflow_id`, which no journey has (a mistyped loan id): nothing
    recorded, the attempt kept for auditors with the amount and the reference, and what to
    do."""
    why = (f"no running journey {workflow_id!r}: the {paid.kind} of {money(paid.amount)} "
           f"under reference {paid.reference} is not recorded; check the loan id with "
           "`loan-journey list` (or `loan-journey book`) and enter it again")
    return NotFound(why, attempt(workflow_id, REPAYMENT, paid.actor, why))


async def released(settings: Settings, held: Claimed | None) -> None:
    """The claim `held` undone: the journey recorded nothing under it."""
    if held is not None:
        await asyncio.to_thread(release, settings.db_url, held, await _key(settings))


async def _key(settings: Settings) -> bytes | None:
    """The archive key, where it is the one the claims were sealed with (or none yet): a
    claim is written whatever the key, sealed where it can be (`records verify` names one
    kept unsealed after sealing began inserted)."""
    return await asyncio.to_thread(sealing_key, settings.db_url, settings.archive_seal_key,
                                   CLAIMED)


async def recorded_before_the_end(client: Client, workflow_id: str, paid: Repayment
                                  ) -> UpdateResult | None:
    """What loan `workflow_id`, which has ended, recorded under `paid.reference`: the same
    payment is answered as recorded (typed again after its answer was lost); another is
    `Refused`; None when it recorded none (or its status cannot be read: ended outside its
    course), so that the money is kept as received and not booked; `NoAnswer` when no worker
    answers, as what it recorded only a worker reads."""
    try:
        s = await operations.status(client, workflow_id)
    except EndedUnread as err:  # what it recorded needs a worker to read: not "none"
        raise NoAnswer(str(err)) from err
    except Ended:
        return None
    p = next((p for p in s.payments if same_reference(p.reference, paid.reference)), None)
    if p is None:
        return None
    if (p.amount, p.kind) != (paid.amount, paid.kind):
        why = (f"reference {p.reference} is already recorded on {workflow_id}, a {p.kind} of "
               f"{money(p.amount)} valued {p.paid_on}, and the loan has ended: {OWN_REFERENCE}")
        raise Refused(f"{REPAYMENT} refused: {why}",
                      attempt(workflow_id, REPAYMENT, paid.actor, why))
    what = (f"it settled the loan on {p.paid_on}" if p.kind == "settlement" else
            f"a {p.kind} of {money(p.amount)} valued {p.paid_on}, before the loan ended")
    return UpdateResult(stage=s.stage, message=f"{p.reference} was already recorded: {what}")
