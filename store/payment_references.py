"""The repayments' references claimed across loans: one row per reference in the bank's books
(a unique key), with the loan it pays, its kind and amount, who typed it, when and from where.
store/reference_claims.py claims and releases them; the returns' and refunds' checks read them
(store/payer_returns.py).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel
from sqlalchemy import String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from store.models import Base, BigId
from store.types import Money, UTCDateTime


class ReferenceClaim(BaseModel):
    """A repayment's reference as claimed for its loan."""

    reference: str
    workflow_id: str
    kind: str  # repayment | prepayment | settlement
    amount: Decimal
    claimed_by: str
    claimed_at: datetime
    origin: str  # user@host pid of the command line that claimed it


class PaymentReferenceRow(Base):
    __tablename__ = "payment_references"
    __table_args__ = (UniqueConstraint("reference", name="uq_payment_references_reference"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    reference: Mapped[str] = mapped_column(String(128))
    workflow_id: Mapped[str] = mapped_column(String(128), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    amount: Mapped[Decimal] = mapped_column(Money)
    claimed_by: Mapped[str] = mapped_column(String(128))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    origin: Mapped[str] = mapped_column(String(200))


def claim_said(held: ReferenceClaim) -> str:
    """What a claimed reference is held by, to say why another payment may not take it."""
    return (f"recorded on {held.workflow_id}: a {held.kind} of {held.amount:,.2f}, typed by "
            f"{held.claimed_by} at {held.claimed_at:%Y-%m-%d %H:%M:%S} UTC")


def claim_under(s: Session, reference: str | None) -> ReferenceClaim | None:
    """The repayment claimed under `reference`, any loan's, or None: in session `s`."""
    row = s.scalars(select(PaymentReferenceRow).where(
        PaymentReferenceRow.reference == reference)).first()
    return None if row is None else ReferenceClaim.model_validate(row, from_attributes=True)
