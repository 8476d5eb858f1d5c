"""The repayments' references claimed across loans: one row per reference in the bank's books
(a unique key), with the loan it pays, its kind and amount, who typed it, when and from where.
store/reference_claims.py claims and releases them; the returns' and refunds' checks read them
(store/payer_returns.py).

With the archive key, each claim is sealed as it is written, next in the claims' chain
(store/seals.py): a claim changed, inserted or deleted in the database is reported
(`loan-journey records verify`). A sealed claim moved to another loan, or released, is sealed
again over its new loan (or deleted) with its change kept, which keeps the seal it replaced,
so that the chain stays whole.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from pydantic import BaseModel
from sqlalchemy import ColumnElement, String, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from journey.bank_reference import bank_reference
from store.db import session
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
    reference: Mapped[str] = mapped_column(String(128))  # as typed: what the seal covers
    # its normal form (journey/bank_reference.py), the key a claim is looked up by; not
    # unique: claims typed before it may hold one key under two spellings (`key_shared`)
    reference_key: Mapped[str | None] = mapped_column(String(128), index=True)
    workflow_id: Mapped[str] = mapped_column(String(128), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    amount: Mapped[Decimal] = mapped_column(Money)
    claimed_by: Mapped[str] = mapped_column(String(128))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    origin: Mapped[str] = mapped_column(String(200))
    seal: Mapped[str | None] = mapped_column(String(64), index=True)  # None: kept unsealed


class PaymentReferenceChangeRow(Base):
    """A sealed claim's loan changed, or the claim released (its row deleted): this row keeps
    the seal it replaced (as an exposure line's change keeps the line's), so the chain stays
    whole."""

    __tablename__ = "payment_reference_changes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    claim_id: Mapped[int] = mapped_column(BigId)  # the claim's row, deleted if released
    reference: Mapped[str] = mapped_column(String(128))
    workflow_id_before: Mapped[str] = mapped_column(String(128))
    workflow_id: Mapped[str | None] = mapped_column(String(128), nullable=True)  # None: released
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    replaced_seal: Mapped[str | None] = mapped_column(String(64))  # the claim's, before
    seal: Mapped[str | None] = mapped_column(String(64), index=True)  # None: kept unsealed


# the claims' chain of seals: the claims (the chain is named by them), then their changes
CHAIN = [PaymentReferenceRow.seal, PaymentReferenceChangeRow.seal]


def facts(row: PaymentReferenceRow) -> list[object]:
    """What a claim's seal covers: the whole row but the seal."""
    return [row.id, row.reference, row.workflow_id, row.kind, f"{row.amount:.2f}",
            row.claimed_by, row.claimed_at.astimezone(UTC).isoformat(), row.origin]


def change_facts(row: PaymentReferenceChangeRow) -> list[object]:
    """What a change's seal covers: the whole row but its seal."""
    return [row.id, row.claim_id, row.reference, row.workflow_id_before, row.workflow_id,
            row.changed_at.astimezone(UTC).isoformat(), row.replaced_seal]


def claim_said(held: ReferenceClaim) -> str:
    """What a claimed reference is held by, to say why another payment may not take it."""
    return (f"recorded on {held.workflow_id}: a {held.kind} of {held.amount:,.2f}, typed by "
            f"{held.claimed_by} at {held.claimed_at:%Y-%m-%d %H:%M:%S} UTC")


def claim_row(s: Session, reference: str | None) -> PaymentReferenceRow | None:
    """The claim under `reference` in its normal form, any loan's, or None: in session `s`
    (the oldest, where claims typed before the normal form hold it twice: `key_shared`)."""
    if reference is None:
        return None
    key = bank_reference(reference)
    keyed = s.scalars(select(PaymentReferenceRow).where(
        PaymentReferenceRow.reference_key == key).order_by(PaymentReferenceRow.id)).first()
    if keyed is not None:
        return keyed
    # one written without its key (a command line older than migration 0027 against a
    # database migrated under it): compared row by row, as they are few
    return next((r for r in s.scalars(select(PaymentReferenceRow).where(
        PaymentReferenceRow.reference_key.is_(None)).order_by(PaymentReferenceRow.id))
        if bank_reference(r.reference) == key), None)


def claim_under(s: Session, reference: str | None) -> ReferenceClaim | None:
    """The repayment claimed under `reference` (in its normal form), any loan's, or None: in
    session `s`."""
    row = claim_row(s, reference)
    return None if row is None else ReferenceClaim.model_validate(row, from_attributes=True)


def claims_of(url: str, workflow_id: str) -> list[ReferenceClaim]:
    """The references claimed for journey `workflow_id`'s loan, oldest first."""
    return _claims(url, PaymentReferenceRow.workflow_id == workflow_id)


def claims_since(url: str, since: datetime) -> list[ReferenceClaim]:
    """The references claimed at or after `since`, any loan's, oldest first."""
    return _claims(url, PaymentReferenceRow.claimed_at >= since)


def _claims(url: str, where: ColumnElement[bool]) -> list[ReferenceClaim]:
    with session(url) as s:
        return [ReferenceClaim.model_validate(r, from_attributes=True) for r in s.scalars(
            select(PaymentReferenceRow).where(where).order_by(PaymentReferenceRow.claimed_at))]


def key_shared(url: str) -> dict[str, list[ReferenceClaim]]:
    """The claims that share one normal form under two or more spellings, by it: claimed
    before the normal form (migration 0027), each is a payment the bank's books hold once,
    and which loan it pays is for finance to say, so they are reported (`book`), not
    merged."""
    with session(url) as s:
        keys = s.scalars(select(PaymentReferenceRow.reference_key).group_by(
            PaymentReferenceRow.reference_key).having(func.count() > 1)).all()
        rows = s.scalars(select(PaymentReferenceRow).where(
            PaymentReferenceRow.reference_key.in_(keys)).order_by(PaymentReferenceRow.id))
        shared: dict[str, list[ReferenceClaim]] = {}
        for row in rows:
            shared.setdefault(row.reference_key or "", []).append(
                ReferenceClaim.model_validate(row, from_attributes=True))
        return shared


def claimed_when(url: str, references: list[str]) -> dict[str, datetime]:
    """When each of `references` (in its normal form) was first claimed, that is typed for
    its loan (or, sent straight to a journey, reserved by it), by its normal form: those
    claimed (none for a payment recorded before claims were kept)."""
    keys = list(dict.fromkeys(bank_reference(r) for r in references))
    found: dict[str, datetime] = {}
    with session(url) as s:
        for n in range(0, len(keys), 500):  # within any database's bound parameters
            rows = s.execute(select(PaymentReferenceRow.reference_key,
                                    PaymentReferenceRow.claimed_at)
                             .where(PaymentReferenceRow.reference_key.in_(keys[n:n + 500])))
            for key, at in rows:
                if key is not None and (key not in found or at < found[key]):
                    found[key] = at
    return found
