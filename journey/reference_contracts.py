"""The reservation of a repayment's reference, which the journey asks before it books the
money (activities/references.py): whoever sent it, the command line or a system straight to
the journey, one bank payment is booked on one loan."""

from __future__ import annotations

from pydantic import BaseModel

from journey.decisions import Repayment

RESERVE_REFERENCE = "reserve_reference"


class ReserveReferenceInput(BaseModel):
    workflow_id: str  # the loan the repayment is sent to
    update_id: str  # the update it came in: the money kept not booked is kept under it, once
    repayment: Repayment  # its reference in the normal form (journey/bank_reference.py)
    # why the journey will not book it (one queued behind others that no longer fits the
    # account they left): claimed all the same, and the money kept as received, not booked
    refused: str | None = None


class ReferenceReservation(BaseModel):
    """Reserved for this loan (`held_by` None: claimed now, or its own already), or held by
    another payment: that of loan `held_by`; then, or when the journey refused it, the money
    is kept as received and not booked (pending instruction `kept`), and `said` is what the
    update answers."""

    held_by: str | None = None
    kept: int | None = None
    said: str = ""

    @property
    def not_booked(self) -> bool:
        return self.held_by is not None or self.kept is not None
