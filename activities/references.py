"""The reservation of a repayment's reference before its journey books it: the claim across
loans (store/reference_claims.py), made where the worker books the money, so that a repayment
sent straight to a journey (update `record_repayment`, a system integration) is claimed as
the command line's is. A reference another payment holds is not booked on this loan: the
money is kept as received and not booked (store/pending.py, under the update's id, once),
where `book`, `status` and `pending list` show it, with the steps that settle it. So is one
the journey refused once the repayments queued ahead of it were booked: its reference claimed
for the loan all the same, the claim staying with the money kept."""

from __future__ import annotations

from datetime import UTC, datetime

from temporalio import activity

from journey.reference_contracts import (
    RESERVE_REFERENCE,
    ReferenceReservation,
    ReserveReferenceInput,
)
from journey.settings import Settings
from store.payer_returns import ReferenceUsed, held_said
from store.payment_references import ReferenceClaim
from store.pending import REPAYMENT, Delivery, Instruction, keep_instruction, settle
from store.reference_claims import claim
from store.refusals import origin
from store.seal_key import sealing_key
from store.sealed_records import CLAIMED, KEPT


class ReferenceActivities:
    def __init__(self, settings: Settings) -> None:
        self._url, self._key = settings.db_url, settings.archive_seal_key

    @activity.defn(name=RESERVE_REFERENCE)
    def reserve_reference(self, request: ReserveReferenceInput) -> ReferenceReservation:
        """Claim the repayment's reference for its loan (its own already: the command line
        claimed it, or a retry); or, held by another payment, keep the money not booked. One
        the journey `refused` is claimed too, and kept not booked: the claim stays with the
        money it names (store/reference_claims.py)."""
        paid, now, by = request.repayment, datetime.now(UTC), f"worker {origin()}"[:200]
        wanted = ReferenceClaim(
            reference=paid.reference, workflow_id=request.workflow_id, kind=paid.kind,
            amount=paid.amount, claimed_by=paid.actor.id, claimed_at=now, origin=by)
        held = None
        try:
            claim(self._url, wanted, sealing_key(self._url, self._key, CLAIMED))
        except ReferenceUsed as used:
            held = used.held
        if held is None and request.refused is None:
            return ReferenceReservation()
        kept = Instruction(
            workflow_id=request.workflow_id, update=REPAYMENT, update_id=request.update_id,
            request=paid.model_dump_json(), actor=paid.actor.id, role=paid.actor.role,
            typed_at=now, origin=by)
        number = keep_instruction(self._url, kept, sealing_key(self._url, self._key, KEPT))
        kept_as = (f"{paid.kind} of {paid.amount:,.2f} is kept as money received for "
                   f"{request.workflow_id} and not booked (pending instruction {number}): "
                   "return it to the payer, or book it once the statement says which loan it "
                   "pays")
        said = (f"{request.refused}. Not booked: the {kept_as}" if held is None else
                f"reference {paid.reference} already holds a payment of {held.workflow_id} "
                f"({held_said(held)}): not booked; check the bank statement. The {kept_as}")
        settle(self._url, number, Delivery.UNBOOKED, said, now)
        return ReferenceReservation(held_by=held.workflow_id if held else None, kept=number,
                                    said=said)
