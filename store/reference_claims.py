"""One payment in the bank's books under one reference, across every loan.

A repayment's reference is claimed here, for its loan, before the repayment is sent to the
journey: one row per reference (a unique key: store/payment_references.py), claimed under
the lock the returns and refunds of money to payers are recorded under
(store/payer_returns.py), so that two operators typing the same reference on two loans at
once, or a repayment and a return or refund under the same reference, cannot both pass: the
second finds the first's row. A claim the journey refuses is released (the journey recorded
nothing); one it took, or that was kept for delivery, or kept as money received and not
booked, stays. A reference claimed for another loan is refused, but for money received and
not booked under it (store/pending.py: refused at delivery, or sent to a loan that had ended)
of the same amount: that money is booked on the loan it pays, and the claim moves there.

Each journey checks the references of its own payments (workflows/post_loan_handlers.py);
this is the check across them. Repayments recorded before this table was made are known to
their own journey only.
"""

from __future__ import annotations

import json
from decimal import Decimal

from pydantic import BaseModel
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from store.payer_returns import (
    PayerRefund,
    PayerRefundRow,
    PayerReturn,
    PayerReturnRow,
    ReferenceUsed,
)
from store.payment_references import PaymentReferenceRow, ReferenceClaim
from store.pending import Delivery, PendingRow, repayment_under
from store.seals import sealing


class Claimed(BaseModel):
    """What a claim did, to undo it if the journey refuses the repayment: `new`, the row was
    written now; `moved_from`, it was another loan's, of money received and not booked."""

    claim: ReferenceClaim
    new: bool = False
    moved_from: str | None = None


# the lock returns and refunds are recorded under: one payment reference at a time
LOCK = PayerReturnRow.__tablename__


def claim(url: str, wanted: ReferenceClaim) -> Claimed:
    """Claim `wanted.reference` for loan `wanted.workflow_id`: already its own (a repayment
    typed again, which its journey answers), or written now; `ReferenceUsed`, nothing
    written, when a return, a refund, another loan's repayment or one kept for another loan
    holds it, but money received and not booked of the same amount, whose claim moves."""
    with sealing(url, LOCK) as s:
        return _claimed(s, wanted)


def _claimed(s: Session, wanted: ReferenceClaim) -> Claimed:
    reference, wid = wanted.reference, wanted.workflow_id
    for table, model in ((PayerReturnRow, PayerReturn), (PayerRefundRow, PayerRefund)):
        row = s.scalars(select(table).where(table.reference == reference)).first()
        if row is not None:
            raise ReferenceUsed(reference, model.model_validate(row, from_attributes=True))
    row = s.scalars(select(PaymentReferenceRow).where(
        PaymentReferenceRow.reference == reference)).first()
    if row is not None:
        held = ReferenceClaim.model_validate(row, from_attributes=True)
        if held.workflow_id == wid:
            return Claimed(claim=held)
        if not _unbooked(s, reference, held.workflow_id, wanted.amount):
            raise ReferenceUsed(reference, held)
        row.workflow_id = wid
        return Claimed(claim=wanted, moved_from=held.workflow_id)
    kept = repayment_under(s, reference)
    if kept is not None and kept.workflow_id != wid and not _unbooked(
            s, reference, kept.workflow_id, wanted.amount):
        raise ReferenceUsed(reference, kept)
    s.add(PaymentReferenceRow(**wanted.model_dump()))
    s.flush()
    return Claimed(claim=wanted, new=True)


def _unbooked(s: Session, reference: str, workflow_id: str, amount: Decimal) -> bool:
    """Whether money received for `workflow_id` under `reference`, of `amount`, is kept as not
    booked: refused at delivery, or sent to a loan that had ended."""
    for row in s.scalars(select(PendingRow).where(PendingRow.workflow_id == workflow_id,
                                                  PendingRow.state == Delivery.UNBOOKED)):
        paid = json.loads(row.request)
        if paid.get("reference") == reference and Decimal(str(paid.get("amount"))) == amount:
            return True
    return False


def release(url: str, claimed: Claimed) -> None:
    """Undo `claimed`: the journey refused the repayment, so its reference is free again (or,
    moved from money not booked, that money's again)."""
    c = claimed.claim
    with sealing(url, LOCK) as s:
        mine = PaymentReferenceRow.reference == c.reference
        if claimed.new:
            s.execute(delete(PaymentReferenceRow).where(
                mine, PaymentReferenceRow.workflow_id == c.workflow_id))
        elif claimed.moved_from is not None:
            s.execute(update(PaymentReferenceRow).where(
                mine, PaymentReferenceRow.workflow_id == c.workflow_id,
            ).values(workflow_id=claimed.moved_from))
