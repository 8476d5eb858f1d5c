"""Money returned to its payer: the record of each return of money received and not booked.

A repayment refused at delivery (store/pending.py: unbooked) that operations send back to the
payer is settled as returned, and its return kept here, once: who recorded it, as what role,
from where, when, under which return payment and why. With the archive key, each is sealed
as it is kept, next in the returns' chain (store/seals.py), over the return and the
instruction it settles (the money received, as kept), so that one changed, inserted or
deleted in the database is reported (`loan-journey records verify`); once one is sealed,
nothing is returned without the key (`KeyRequired`). A return payment's reference is one
return's: another under it is refused (`ReferenceUsed`). A return recorded before this table
was made has its row too, with only when: who and why are in its instruction's outcome, as
they were written then, which its seal covers.

Money paid beyond a loan's whole plan (journey/owed_back.py) is owed back to its payer: its
refund is kept here too (`PayerRefundRow`), with the journey, the payment that overpaid, how
much, to which account, who, as what role, from where, when, why and under which refund
payment, next in the same chain; refunds of one payment add up to at most what it overpaid
(`OverRefund`). A payment's reference in the bank's books is one return's or one refund's, and
neither a repayment's received (store/reference_claims.py claims those, under the same lock).

Since four eyes (store/payer_outflows.py), a return or a refund is entered by one operations
person and kept here only once a second confirms it: with the account it went to and who
confirmed it, when (`confirmed_by`, `confirmed_at`), which its seal then covers too; one kept
before has neither (its seal covers what it had).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy import Date, ForeignKey, String, Text, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from journey.bank_reference import same_reference
from store._dialect import affected
from store.db import session
from store.models import Base, BigId
from store.payer_outflows import CHAIN as ENTRIES_CHAIN
from store.payer_outflows import OutflowState, PayerOutflow, PayerOutflowRow, entry_facts
from store.payment_references import ReferenceClaim, claim_said, claim_under
from store.pending import Delivery, Instruction, PendingRow, repayment_under
from store.seals import KEY_SETTING, KeyRequired, add_sealed, any_sealed, sealing
from store.types import Money, UTCDateTime


class PayerReturn(BaseModel):
    instruction_id: int  # the unbooked repayment returned
    workflow_id: str
    returned_at: datetime
    # None on a return recorded before they had columns: its instruction's outcome says them
    returned_by: str | None = None
    role: str | None = None
    origin: str | None = None  # user@host pid of the command line that recorded it
    reference: str | None = None  # the return payment's, in the bank's books
    reason: str | None = None
    account: str | None = None  # the payer's account it went to (since four eyes)
    confirmed_by: str | None = None  # its checker (None: kept before four eyes)
    confirmed_at: datetime | None = None


class PayerReturnRow(Base):
    __tablename__ = "payer_returns"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    instruction_id: Mapped[int] = mapped_column(ForeignKey("pending_instructions.id"),
                                                unique=True)
    workflow_id: Mapped[str] = mapped_column(String(128), index=True)
    returned_at: Mapped[datetime] = mapped_column(UTCDateTime)
    returned_by: Mapped[str | None] = mapped_column(String(128))
    role: Mapped[str | None] = mapped_column(String(32))
    origin: Mapped[str | None] = mapped_column(String(200))
    reference: Mapped[str | None] = mapped_column(String(128))
    reason: Mapped[str | None] = mapped_column(Text)
    account: Mapped[str | None] = mapped_column(String(64))
    confirmed_by: Mapped[str | None] = mapped_column(String(128))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    seal: Mapped[str | None] = mapped_column(String(64))  # None: kept unsealed
    instruction: Mapped[PendingRow] = relationship(lazy="joined")


class PayerRefund(BaseModel):
    """Money paid beyond a loan's whole plan, owed back, refunded to its payer."""

    workflow_id: str
    payment: str  # the reference of the payment that overpaid
    paid_on: date  # its value date
    amount: Decimal
    account: str  # the payer's account the refund went to
    refunded_at: datetime
    refunded_by: str
    role: str
    origin: str  # user@host pid of the command line that recorded it
    reference: str  # the refund payment's, in the bank's books
    reason: str
    confirmed_by: str | None = None  # its checker (None: kept before four eyes)
    confirmed_at: datetime | None = None


class PayerRefundRow(Base):
    __tablename__ = "payer_refunds"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    workflow_id: Mapped[str] = mapped_column(String(128), index=True)
    payment: Mapped[str] = mapped_column(String(128))
    paid_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money)
    account: Mapped[str] = mapped_column(String(64))
    refunded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    refunded_by: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(32))
    origin: Mapped[str] = mapped_column(String(200))
    reference: Mapped[str] = mapped_column(String(128), unique=True)
    reason: Mapped[str] = mapped_column(Text)
    confirmed_by: Mapped[str | None] = mapped_column(String(128))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    seal: Mapped[str | None] = mapped_column(String(64))  # None: kept unsealed


_Row = TypeVar("_Row", PayerReturnRow, PayerRefundRow)

# the returns' chain of seals: the returns first (the chain is named, and its baseline kept,
# by its first table), then the refunds
CHAIN = [PayerReturnRow.seal, PayerRefundRow.seal]


class ReferenceUsed(Exception):
    """A payment's reference is already that of a return, a refund, or a repayment received
    (kept, or claimed for its loan: store/reference_claims.py), `held`: one payment in the
    bank's books is one payer's money, once."""

    def __init__(self, reference: str | None,
                 held: PayerReturn | PayerRefund | Instruction | ReferenceClaim | PayerOutflow
                 ) -> None:
        super().__init__(f"reference {reference} is already {held_said(held)}")
        self.held = held


class OverRefund(Exception):
    """A refund above what its payment overpaid less what was refunded of it already,
    `left`."""

    def __init__(self, left: Decimal) -> None:
        super().__init__(f"only {left} is left to refund")
        self.left = left


def held_said(held: PayerReturn | PayerRefund | Instruction | ReferenceClaim | PayerOutflow
              ) -> str:
    """What a reference is held by, to say why another payment may not take it."""
    if isinstance(held, PayerOutflow):
        return f"that of {held.said()}, awaiting its confirmation"
    if isinstance(held, ReferenceClaim):
        return claim_said(held)
    if isinstance(held, Instruction):
        paid = json.loads(held.request)
        return (f"that of the repayment of {Decimal(str(paid['amount'])):,.2f} received for "
                f"{held.workflow_id} (pending instruction {held.id}, typed by {held.actor} at "
                f"{held.typed_at:%Y-%m-%d %H:%M:%S} UTC)")
    if isinstance(held, PayerRefund):
        return (f"the refund of {held.amount:,.2f} owed back by {held.workflow_id} (paid under "
                f"{held.payment}), recorded by {held.refunded_by} at "
                f"{held.refunded_at:%Y-%m-%d %H:%M:%S} UTC")
    return (f"the return of pending instruction {held.instruction_id} ({held.workflow_id}), "
            f"recorded by {held.returned_by} at {held.returned_at:%Y-%m-%d %H:%M:%S} UTC")


def facts(row: PayerReturnRow) -> list[object]:
    """What a return's seal covers: the whole row but the seal, and the instruction it
    settles as it now stands (the money received, its state and outcome)."""
    kept = row.instruction
    return [row.id, row.instruction_id, row.workflow_id,
            row.returned_at.astimezone(UTC).isoformat(), row.returned_by, row.role, row.origin,
            row.reference, row.reason, kept.workflow_id, kept.update_id, kept.request,
            kept.state, kept.outcome, *_checked(row.confirmed_by, row.confirmed_at, row.account)]


def refund_facts(row: PayerRefundRow) -> list[object]:
    """What a refund's seal covers: the whole row but the seal."""
    return [row.id, row.workflow_id, row.payment, row.paid_on.isoformat(),
            f"{row.amount:.2f}", row.account, row.refunded_at.astimezone(UTC).isoformat(),
            row.refunded_by, row.role, row.origin, row.reference, row.reason,
            *_checked(row.confirmed_by, row.confirmed_at)]


def _checked(by: str | None, at: datetime | None, *more: object) -> list[object]:
    """What a seal covers of a row's checker (and `more` columns kept since four eyes): none
    for one kept before, so that its seal still covers what it had."""
    if by is None:
        return []
    return [by, at.astimezone(UTC).isoformat() if at else None, *more]


def told(back: PayerReturn, outcome: str) -> str:
    """What a return says: from its columns, or, recorded before it had them, the outcome its
    instruction was settled with."""
    if back.returned_by is None:
        return outcome
    checked = (f"; to account {back.account}, confirmed by {back.confirmed_by} at "
               f"{back.confirmed_at:%Y-%m-%d %H:%M:%S} UTC" if back.confirmed_by else "")
    return (f"returned to the payer under {back.reference}: {back.reason} (recorded by "
            f"{back.returned_by}, {back.role}, from {back.origin} at "
            f"{back.returned_at:%Y-%m-%d %H:%M:%S} UTC{checked})")


def record_return(url: str, back: PayerReturn, key: bytes | None = None,
                  entry: int | None = None) -> bool:
    """Settle the unbooked repayment `back.instruction_id` as returned and keep its return,
    sealed with `key` when given; False, nothing written, when it is not unbooked (any more:
    booked or returned meanwhile). KeyRequired, nothing written, when `key` is None and the
    returns are sealed; ReferenceUsed, nothing written, when another return or a refund was
    recorded under `back.reference`; NotAwaiting, nothing written, when its `entry` (the
    maker's, store/payer_outflows.py) was confirmed or cancelled meanwhile."""
    with sealing(url, PayerReturnRow.__tablename__) as s:
        _reference_free(s, key, back.reference, back.instruction_id, entry)
        if not affected(s, update(PendingRow).where(
                PendingRow.id == back.instruction_id, PendingRow.state == Delivery.UNBOOKED,
        ).values(state=Delivery.RETURNED, outcome=told(back, ""), settled_at=back.returned_at)):
            return False
        _settle_entry(s, entry, OutflowState.CONFIRMED, back.confirmed_by, back.confirmed_at)
        row = PayerReturnRow(**back.model_dump())
        add_sealed(s, key, row, facts, CHAIN)
        return True


def record_refund(url: str, refund: PayerRefund, overpaid: Decimal,
                  key: bytes | None = None, entry: int | None = None) -> None:
    """Keep `refund` of money its payment `refund.payment` paid beyond the whole plan,
    `overpaid` in all, sealed with `key` when given, next in the returns' chain. OverRefund,
    nothing written, when it is more than `overpaid` less what was refunded of that payment
    already; KeyRequired, ReferenceUsed and NotAwaiting as `record_return`."""
    with sealing(url, PayerReturnRow.__tablename__) as s:
        _reference_free(s, key, refund.reference, entry=entry)
        _settle_entry(s, entry, OutflowState.CONFIRMED, refund.confirmed_by,
                      refund.confirmed_at)
        already = sum((r.amount for r in s.scalars(select(PayerRefundRow).where(
            PayerRefundRow.workflow_id == refund.workflow_id,
            PayerRefundRow.payment == refund.payment))), Decimal(0))
        if refund.amount > overpaid - already:
            raise OverRefund(overpaid - already)
        add_sealed(s, key, PayerRefundRow(**refund.model_dump()), refund_facts, CHAIN)


def _reference_free(s: Session, key: bytes | None, reference: str | None,
                    instruction_id: int | None = None, entry: int | None = None) -> None:
    """KeyRequired when `key` is None and the returns' chain, or the entries' awaiting their
    checker, is sealed (an entry confirmed without the key is one whose seal nobody checked);
    ReferenceUsed when
    another return (not that of `instruction_id`) or a refund holds `reference`, or a
    repayment received: kept as typed, or sent to its loan (claimed: any journey's, the one
    returned too); or another entry awaiting its checker (not `entry`)."""
    if key is None and any(any_sealed(s, column) for column in [*CHAIN, *ENTRIES_CHAIN]):
        raise KeyRequired(f"the returns of money to payers are sealed: set {KEY_SETTING} to "
                          "enter or record one (one unsealed among them would be one nobody "
                          "vouches for)")
    returned = row_under(s, PayerReturnRow, reference,
                         PayerReturnRow.instruction_id != instruction_id)
    if returned is not None:
        raise ReferenceUsed(reference, PayerReturn.model_validate(returned, from_attributes=True))
    refunded = row_under(s, PayerRefundRow, reference)
    if refunded is not None:
        raise ReferenceUsed(reference, PayerRefund.model_validate(refunded, from_attributes=True))
    if reference is not None and (paid := repayment_under(s, reference)) is not None:
        raise ReferenceUsed(reference, paid)
    if (claimed := claim_under(s, reference)) is not None:
        raise ReferenceUsed(reference, claimed)
    entered = awaiting_under(s, reference, entry)
    if entered is not None:
        raise ReferenceUsed(reference, entered)


def awaiting_under(s: Session, reference: str | None, entry: int | None = None
                   ) -> PayerOutflow | None:
    """The refund or return awaiting its checker under `reference` in its normal form
    (journey/bank_reference.py), but `entry`, or None: compared row by row, as few await."""
    if reference is None:
        return None
    rows = s.scalars(select(PayerOutflowRow).where(
        PayerOutflowRow.id != (entry or 0), PayerOutflowRow.state == OutflowState.AWAITING.value))
    row = next((r for r in rows if same_reference(r.reference, reference)), None)
    return None if row is None else PayerOutflow.model_validate(row, from_attributes=True)


class NotAwaiting(Exception):
    """An entry confirmed or cancelled already (by someone else, meanwhile): `entry` as it
    stands."""

    def __init__(self, entry: PayerOutflow) -> None:
        super().__init__(f"{entry.kind} {entry.id} is {entry.state} already"
                         + (f" (by {entry.settled_by})" if entry.settled_by else ""))
        self.entry = entry


def _settle_entry(s: Session, entry: int | None, state: OutflowState, by: str | None,
                  at: datetime | None, why: str | None = None) -> None:
    """Settle the awaiting `entry` as `state` (inside the transaction that keeps what it
    settles into), or NotAwaiting; nothing for no entry (a return kept before four eyes)."""
    if entry is None:
        return
    if not affected(s, update(PayerOutflowRow).where(
            PayerOutflowRow.id == entry, PayerOutflowRow.state == OutflowState.AWAITING.value,
    ).values(state=state.value, settled_by=by, settled_at=at, settled_why=why)):
        row = s.get(PayerOutflowRow, entry)
        assert row is not None, "an entry is never deleted"
        raise NotAwaiting(PayerOutflow.model_validate(row, from_attributes=True))


def enter_outflow(url: str, entry: PayerOutflow, key: bytes | None = None) -> int:
    """Keep a refund or a return as its maker entered it, awaiting its checker (nothing paid
    or booked yet), sealed with `key` when given, next in the entries' chain; its number.
    KeyRequired and ReferenceUsed, nothing written, as `record_return`: a reference is checked
    as it is typed, not first at its confirmation."""
    with sealing(url, PayerReturnRow.__tablename__) as s:
        _reference_free(s, key, entry.reference, entry.instruction_id)
        row = PayerOutflowRow(**entry.model_dump(exclude={"id"}))
        add_sealed(s, key, row, entry_facts, ENTRIES_CHAIN)
        s.flush()
        return row.id


def cancel_outflow(url: str, number: int, by: str, at: datetime, why: str) -> None:
    """Cancel the awaiting entry `number`: nothing is paid; NotAwaiting when it is not
    awaiting any more."""
    with sealing(url, PayerReturnRow.__tablename__) as s:
        _settle_entry(s, number, OutflowState.CANCELLED, by, at, why)


def row_under(s: Session, table: type[_Row], reference: str | None, *where: Any
              ) -> _Row | None:
    """The return or refund (`table`) under `reference` in its normal form
    (journey/bank_reference.py), or None: compared row by row, as their references are kept
    as typed, and they are few (one for each payment sent back)."""
    if reference is None:
        return None
    rows = s.scalars(select(table).where(table.reference.is_not(None), *where))
    return next((r for r in rows if same_reference(r.reference, reference)), None)


def refunds(url: str, workflow_id: str | None = None) -> list[PayerRefund]:
    """The refunds of money owed back: journey `workflow_id`'s, or every journey's; oldest
    first."""
    with session(url) as s:
        query = select(PayerRefundRow).order_by(PayerRefundRow.id)
        if workflow_id is not None:
            query = query.where(PayerRefundRow.workflow_id == workflow_id)
        return [PayerRefund.model_validate(r, from_attributes=True) for r in s.scalars(query)]


def returns(url: str, instruction_ids: Iterable[int]) -> dict[int, PayerReturn]:
    """The returns of the instructions `instruction_ids` that were returned, by instruction."""
    with session(url) as s:
        rows = s.scalars(select(PayerReturnRow).where(
            PayerReturnRow.instruction_id.in_(list(instruction_ids))))
        return {r.instruction_id: PayerReturn.model_validate(r, from_attributes=True)
                for r in rows}
