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
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from pydantic import BaseModel
from sqlalchemy import ForeignKey, String, Text, select, update
from sqlalchemy.orm import Mapped, mapped_column, relationship

from store._dialect import affected
from store.db import session
from store.models import Base, BigId
from store.pending import Delivery, PendingRow
from store.seals import KEY_SETTING, KeyRequired, add_sealed, any_sealed, sealing
from store.types import UTCDateTime


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
    seal: Mapped[str | None] = mapped_column(String(64))  # None: kept unsealed
    instruction: Mapped[PendingRow] = relationship(lazy="joined")


class ReferenceUsed(Exception):
    """A return payment's reference is already that of another return, `held`: one payment
    returns one payer's money."""

    def __init__(self, held: PayerReturn) -> None:
        super().__init__(f"reference {held.reference} is already the return of pending "
                         f"instruction {held.instruction_id}")
        self.held = held


def facts(row: PayerReturnRow) -> list[object]:
    """What a return's seal covers: the whole row but the seal, and the instruction it
    settles as it now stands (the money received, its state and outcome)."""
    kept = row.instruction
    return [row.id, row.instruction_id, row.workflow_id,
            row.returned_at.astimezone(UTC).isoformat(), row.returned_by, row.role, row.origin,
            row.reference, row.reason, kept.workflow_id, kept.update_id, kept.request,
            kept.state, kept.outcome]


def told(back: PayerReturn, outcome: str) -> str:
    """What a return says: from its columns, or, recorded before it had them, the outcome its
    instruction was settled with."""
    if back.returned_by is None:
        return outcome
    return (f"returned to the payer under {back.reference}: {back.reason} (recorded by "
            f"{back.returned_by}, {back.role}, from {back.origin} at "
            f"{back.returned_at:%Y-%m-%d %H:%M:%S} UTC)")


def record_return(url: str, back: PayerReturn, key: bytes | None = None) -> bool:
    """Settle the unbooked repayment `back.instruction_id` as returned and keep its return,
    sealed with `key` when given; False, nothing written, when it is not unbooked (any more:
    booked or returned meanwhile). KeyRequired, nothing written, when `key` is None and the
    returns are sealed; ReferenceUsed, nothing written, when another return was recorded
    under `back.reference`."""
    with sealing(url, PayerReturnRow.__tablename__) as s:
        if key is None and any_sealed(s, PayerReturnRow.seal):
            raise KeyRequired(f"the returns of money to payers are sealed: set {KEY_SETTING} to "
                              "record one (one unsealed among them would be one nobody vouches "
                              "for)")
        held = s.scalars(select(PayerReturnRow).where(
            PayerReturnRow.reference == back.reference,
            PayerReturnRow.instruction_id != back.instruction_id)).first()
        if held is not None:
            raise ReferenceUsed(PayerReturn.model_validate(held, from_attributes=True))
        if not affected(s, update(PendingRow).where(
                PendingRow.id == back.instruction_id, PendingRow.state == Delivery.UNBOOKED,
        ).values(state=Delivery.RETURNED, outcome=told(back, ""), settled_at=back.returned_at)):
            return False
        row = PayerReturnRow(**back.model_dump())
        add_sealed(s, key, row, facts, [PayerReturnRow.seal])
        return True


def returns(url: str, instruction_ids: Iterable[int]) -> dict[int, PayerReturn]:
    """The returns of the instructions `instruction_ids` that were returned, by instruction."""
    with session(url) as s:
        rows = s.scalars(select(PayerReturnRow).where(
            PayerReturnRow.instruction_id.in_(list(instruction_ids))))
        return {r.instruction_id: PayerReturn.model_validate(r, from_attributes=True)
                for r in rows}
