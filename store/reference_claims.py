"""One payment in the bank's books under one reference, across every loan.

A repayment's reference is claimed here, for its loan, before the repayment is sent to the
journey (by the command line), and by the journey before it books it (whoever sent it:
activities/references.py): one row per reference (its normal form the key it is looked up by:
store/payment_references.py), claimed under
the lock the returns and refunds of money to payers are recorded under
(store/payer_returns.py), so that two operators typing the same reference on two loans at
once, or a repayment and a return or refund under the same reference, cannot both pass: the
second finds the first's row. A claim the journey refuses is released (the journey recorded
nothing); one it took, or that was kept for delivery, or kept as money received and not
booked, stays. References are compared and claimed in their normal form
(journey/bank_reference.py): one payment typed `fin-pre-001` and ` FIN-PRE-001` is one claim.
A reference claimed for another loan is refused, but for money received and not booked under
it (store/pending.py: refused at delivery, or sent to a loan that had ended) of the same
amount: that money is booked on the loan it pays, and the claim moves there.

Each journey checks the references of its own payments (workflows/post_loan_handlers.py);
this is the check across them. Repayments recorded before this table was made, or sent
straight to a journey before it claimed them itself, are known to their own journey only
(`book` reports a reference two journeys record).

With the archive key, each claim is sealed as it is written, and a sealed claim moved or
released has its change kept, sealed, with the seal it replaced (store/payment_references.py).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from journey.bank_reference import bank_reference, same_reference
from store.payer_returns import (
    PayerRefund,
    PayerRefundRow,
    PayerReturn,
    PayerReturnRow,
    ReferenceUsed,
    awaiting_under,
    row_under,
)
from store.payment_references import (
    CHAIN,
    PaymentReferenceChangeRow,
    PaymentReferenceRow,
    ReferenceClaim,
    change_facts,
    claim_row,
    facts,
)
from store.pending import Delivery, PendingRow, repayment_under
from store.seals import add_sealed, replaced_seal, seal_next, sealing


class Claimed(BaseModel):
    """What a claim did, to undo it if the journey refuses the repayment: `new`, the row was
    written now; `moved_from`, it was another loan's, of money received and not booked."""

    claim: ReferenceClaim
    new: bool = False
    moved_from: str | None = None


# the lock returns and refunds are recorded under: one payment reference at a time
LOCK = PayerReturnRow.__tablename__


def claim(url: str, wanted: ReferenceClaim, key: bytes | None = None) -> Claimed:
    """Claim `wanted.reference` for loan `wanted.workflow_id`: already its own (a repayment
    typed again, which its journey answers), or written now, sealed with `key` when given,
    next in the claims' chain; `ReferenceUsed`, nothing written, when a return, a refund
    (kept, or entered and awaiting its checker: store/payer_outflows.py),
    another loan's repayment or one kept for another loan holds it, but money received and
    not booked of the same amount, whose claim moves."""
    with sealing(url, LOCK) as s:
        return _claimed(s, wanted, key)


def _claimed(s: Session, wanted: ReferenceClaim, key: bytes | None) -> Claimed:
    reference, wid = bank_reference(wanted.reference), wanted.workflow_id
    wanted = wanted.model_copy(update={"reference": reference})
    for table, model in ((PayerReturnRow, PayerReturn), (PayerRefundRow, PayerRefund)):
        if (held := row_under(s, table, reference)) is not None:
            raise ReferenceUsed(reference, model.model_validate(held, from_attributes=True))
    if (entered := awaiting_under(s, reference)) is not None:  # awaiting its checker
        raise ReferenceUsed(reference, entered)
    row = claim_row(s, reference)
    if row is not None:
        held = ReferenceClaim.model_validate(row, from_attributes=True)
        if held.workflow_id == wid:
            return Claimed(claim=held)
        if not _unbooked(s, reference, held.workflow_id, wanted.amount):
            raise ReferenceUsed(reference, held)
        _moved(s, key, row, wid)
        return Claimed(claim=wanted.model_copy(update={"reference": row.reference}),
                       moved_from=held.workflow_id)
    kept = repayment_under(s, reference)
    if kept is not None and kept.workflow_id != wid and not _unbooked(
            s, reference, kept.workflow_id, wanted.amount):
        raise ReferenceUsed(reference, kept)
    add_sealed(s, key, PaymentReferenceRow(**wanted.model_dump(), reference_key=reference),
               facts, CHAIN)
    s.flush()
    return Claimed(claim=wanted, new=True)


def _unbooked(s: Session, reference: str, workflow_id: str, amount: Decimal) -> bool:
    """Whether money received for `workflow_id` under `reference`, of `amount`, is kept as not
    booked: refused at delivery, or sent to a loan that had ended."""
    for row in s.scalars(select(PendingRow).where(PendingRow.workflow_id == workflow_id,
                                                  PendingRow.state == Delivery.UNBOOKED)):
        paid = json.loads(row.request)
        if (same_reference(paid.get("reference"), reference)
                and Decimal(str(paid.get("amount"))) == amount):
            return True
    return False


def release(url: str, claimed: Claimed, key: bytes | None = None) -> None:
    """Undo `claimed`: the journey refused the repayment, so its reference is free again (or,
    moved from money not booked, that money's again); a sealed claim's change kept, sealed
    with `key` when given."""
    c = claimed.claim
    if not claimed.new and claimed.moved_from is None:
        return
    with sealing(url, LOCK) as s:
        row = claim_row(s, c.reference)
        if row is not None and row.workflow_id == c.workflow_id:
            _moved(s, key, row, None if claimed.new else claimed.moved_from)


def _moved(s: Session, key: bytes | None, row: PaymentReferenceRow, to: str | None) -> None:
    """The claim `row` moved to loan `to` (None: released, its row deleted). A sealed one's
    change is kept first, next in the chain while the claim still holds its seal, with that
    seal; then the claim is sealed again over its new loan (left unsealed without `key`)."""
    sealed = row.seal is not None
    if sealed:
        add_sealed(s, key, PaymentReferenceChangeRow(
            claim_id=row.id, reference=row.reference, workflow_id_before=row.workflow_id,
            workflow_id=to, changed_at=datetime.now(UTC),
            replaced_seal=replaced_seal(s, key, row, facts, CHAIN, "payment reference claim")),
            change_facts, CHAIN)
    if to is None:
        s.delete(row)
        return
    row.workflow_id, row.seal = to, None
    if sealed and key is not None:
        seal_next(s, key, row, facts, CHAIN)
