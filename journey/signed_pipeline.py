"""The loan book's pipeline: loans whose offer is signed and whose money is not paid out yet
(waiting at disbursement: an entrusted payout's instruction, a booking), any product but a
project's, whose signed facility is an undrawn commitment (journey/undrawn_commitments.py).
The bank is bound to pay each out: risk counts it in the borrower's exposure as committed
(journey/borrower_exposure.py)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel

from journey.stages import Stage
from journey.status import JourneyStatus
from journey.undrawn_commitments import borrower_of


class PipelineLine(BaseModel):
    workflow_id: str
    borrower: str = ""
    credit_code: str = ""
    product: str
    amount: Decimal  # what the signed offer pays out
    waiting_since: datetime | None  # at disbursement since (the offer's signature)
    waiting_for: str  # what the payout waits for, as status says it


def pipeline_line(s: JourneyStatus, product: str) -> PipelineLine | None:
    """A loan signed and not paid out: at disbursement, nothing booked, not a project (whose
    facility is a commitment); None for any other journey."""
    if (s.stage is not Stage.DISBURSEMENT or s.disbursement is not None
            or s.commitment is not None or s.amount is None):
        return None
    return PipelineLine(
        workflow_id=s.workflow_id, **borrower_of(s), product=product, amount=s.amount,
        waiting_since=next((v.entered_at for v in reversed(s.timeline)
                            if v.stage is Stage.DISBURSEMENT), None),
        waiting_for="; ".join(s.waiting_for) or "the payout's booking")


def largest_first(lines: list[PipelineLine]) -> list[PipelineLine]:
    return sorted(lines, key=lambda p: (-p.amount, p.workflow_id))


def pipeline_total(lines: list[PipelineLine]) -> Decimal:
    return sum((p.amount for p in lines), Decimal(0))
