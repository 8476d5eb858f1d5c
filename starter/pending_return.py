"""Money received and not booked, for operations: a repayment kept while no worker answered
and refused at delivery (starter/pending.py marks it unbooked) is money the bank holds for
no loan. `status` shows it beside its journey until it is booked (a `repay` under its
reference) or returned to the payer: operations record the return here, with who, when and
why, in the journey database (store/payer_returns.py), once, sealed where the archive key
is set; the instruction is then settled as returned."""

from __future__ import annotations

from datetime import UTC, datetime

from journey.actors import Actor, Role
from journey.decisions import Repayment
from journey.settings import Settings
from starter.errors import BadInput, NotFound, Refused
from starter.operations import attempt, authorized
from starter.records import key_needed
from store.payer_returns import PayerReturn, record_return, returns, told
from store.pending import Delivery, Instruction, instruction, instructions
from store.refusals import origin

ACTION = "pending return"  # what a refused attempt is kept under (store/refusals.py)


def return_to_payer(settings: Settings, number: int, actor: Actor, reason: str,
                    reference: str, now: datetime | None = None) -> Instruction:
    """Record that the money of the unbooked repayment `number` went back to its payer, by
    `actor` (operations), for `reason`, under the return payment's `reference`; the
    instruction as settled. `NotFound`: no such
    instruction; `Refused`: someone else than operations, or an instruction that is no money
    received and not booked (booked since, returned already, or no repayment); `KeysNeeded`,
    nothing written: the returns are sealed and the archive key is not set here."""
    kept = instruction(settings.db_url, number)
    if kept is None:
        raise NotFound(f"no pending instruction {number}: `loan-journey pending list --all` "
                       "shows them")
    not_recorded = f"the return of pending instruction {number} not recorded"
    authorized(settings, actor, {Role.OPERATIONS}, not_recorded, (kept.workflow_id, ACTION))
    if len(reason.strip()) < 2:
        raise BadInput(f"{not_recorded}: give --reason, how and why the money went back")
    if len(reference.strip()) < 3:
        raise BadInput(f"{not_recorded}: give --reference, the return payment's reference "
                       "in the bank's books (at least 3 characters)")
    if kept.state is not Delivery.UNBOOKED:
        why = (f"it is {kept.state}, not money received and not booked"
               + (f": {kept.outcome}" if kept.outcome else ""))
        raise Refused(f"{not_recorded}: {why}", attempt(kept.workflow_id, ACTION, actor, why))
    back = PayerReturn(instruction_id=number, workflow_id=kept.workflow_id,
                       returned_at=now or datetime.now(UTC), returned_by=actor.id,
                       role=actor.role, origin=origin(), reference=reference.strip(),
                       reason=reason.strip())
    with key_needed():
        done = record_return(settings.db_url, back, settings.archive_seal_key)
    if not done:  # booked or returned meanwhile
        return return_to_payer(settings, number, actor, reason, reference, now)
    return kept.model_copy(update={"state": Delivery.RETURNED, "outcome": told(back, ""),
                                   "settled_at": back.returned_at})

def _received(settings: Settings, workflow_id: str, state: Delivery
              ) -> list[tuple[Instruction, Repayment]]:
    """Journey `workflow_id`'s repayments kept in `state`, with the money each names."""
    return [(kept, Repayment.model_validate_json(kept.request))
            for kept in instructions(settings.db_url, states=(state,), workflow_id=workflow_id)]


def not_booked(settings: Settings, workflow_id: str) -> list[str]:
    """The money received for journey `workflow_id` and not booked, one line each: how much,
    under which reference, paid and typed when, refused since when, and the way out."""
    return [
        f"money received and not booked: {paid.amount:,} under {paid.reference}, paid "
        f"{paid.paid_on or f'{kept.typed_at:%Y-%m-%d}'}, typed by {kept.actor} at "
        f"{kept.typed_at:%Y-%m-%d %H:%M} UTC, refused at delivery "
        f"{kept.settled_at or kept.typed_at:%Y-%m-%d %H:%M} UTC (pending instruction "
        f"{kept.id}): book it under its reference as the loan takes it, or return it to the "
        f"payer and record that (`loan-journey pending return {kept.id}`)"
        for kept, paid in _received(settings, workflow_id, Delivery.UNBOOKED)]


def returned_to_payer(settings: Settings, workflow_id: str) -> list[str]:
    """The money received for journey `workflow_id` and returned to its payer, one line
    each, with who recorded it, when, why and under which payment."""
    received = _received(settings, workflow_id, Delivery.RETURNED)
    back = said(settings, [kept for kept, _ in received])
    return [f"money received and returned: {paid.amount:,} under {paid.reference} (pending "
            f"instruction {kept.id}), {back.get(kept.id, kept.outcome)}"
            for kept, paid in received]


def said(settings: Settings, kept: list[Instruction]) -> dict[int | None, str]:
    """What each instruction of `kept` returned to its payer says of its return, by number:
    its return's columns, or the outcome it was settled with before they were kept."""
    back = returns(settings.db_url, (k.id for k in kept
                                     if k.id is not None and k.state is Delivery.RETURNED))
    return {k.id: told(back[k.id], k.outcome) for k in kept if k.id in back}
