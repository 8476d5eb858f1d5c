"""Pending instructions: acts typed while no worker answered, kept until a journey takes them.

A repayment (money received), a decision, documents, feedback or an inquiry typed while no
worker polls the journeys' task queue is not lost: the command line keeps it here
(starter/pending.py) with who typed it, from where, when, and the whole request (but fields
that never reach SQL: starter/pending_request.py), and delivers it later under the same update
id, so that the server, which may still hold the first attempt, takes it once. With the archive
key, each is sealed as it is kept, next in the pending instructions' chain (store/seals.py),
over what was typed (`facts`), so that one changed, inserted or deleted in the database is
reported (`loan-journey records verify`); its later state and outcome change as it is
delivered, and are not sealed (a return to the payer seals them: store/payer_returns.py).
Without the key it is kept unsealed all the same: nothing typed is lost.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel
from sqlalchemy import String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from journey.bank_reference import same_reference
from store.db import session
from store.models import Base, BigId
from store.seals import add_sealed, sealing
from store.types import UTCDateTime

REPAYMENT = "record_repayment"  # the update money received is kept and delivered as


class Delivery(StrEnum):
    PENDING = "pending"  # not taken by the journey yet
    DELIVERED = "delivered"  # the journey took it: `outcome` is its answer
    REFUSED = "refused"  # the journey refused it, or has ended: `outcome` says why
    # money received that the journey refused at delivery: not booked, listed as pending
    # until booked (typed again under its reference) or returned; `outcome` says what to type
    UNBOOKED = "unbooked"
    # money received and not booked, returned to the payer: its return says by whom, when
    # and why (store/payer_returns.py)
    RETURNED = "returned"


class Instruction(BaseModel):
    id: int | None = None  # None until kept
    workflow_id: str
    update: str  # the update's name: record_repayment, decide, ...
    update_id: str  # the id it was first sent under, and is delivered under
    request: str  # the update's input as JSON, whole
    actor: str  # as typed (--as)
    role: str
    typed_at: datetime
    origin: str  # user@host pid of the command line that kept it
    state: Delivery = Delivery.PENDING
    outcome: str = ""
    settled_at: datetime | None = None


class PendingRow(Base):
    __tablename__ = "pending_instructions"
    __table_args__ = (UniqueConstraint("update_id", name="uq_pending_instructions_update_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    workflow_id: Mapped[str] = mapped_column(String(128), index=True)
    update: Mapped[str] = mapped_column(String(64))
    update_id: Mapped[str] = mapped_column(String(64))
    request: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(32))
    typed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    origin: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(16), index=True)
    outcome: Mapped[str] = mapped_column(Text)
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    seal: Mapped[str | None] = mapped_column(String(64))  # None: kept unsealed


def facts(row: PendingRow) -> list[object]:
    """What an instruction's seal covers: what was typed, which never changes (not its state,
    outcome and when it was settled, which its delivery changes)."""
    return [row.id, row.workflow_id, row.update, row.update_id, row.request, row.actor,
            row.role, row.origin, row.typed_at.astimezone(UTC).isoformat()]


def keep_instruction(url: str, instruction: Instruction, key: bytes | None = None) -> int:
    """Keep an instruction the journey did not take, sealed with `key` when given; its
    number. One kept before under the same update id is that one (a keep tried again keeps
    it once)."""
    with sealing(url, PendingRow.__tablename__) as s:
        known = s.scalars(select(PendingRow.id).where(
            PendingRow.update_id == instruction.update_id)).first()
        if known is not None:
            return known
        row = PendingRow(**instruction.model_dump(exclude={"id"}))
        add_sealed(s, key, row, facts, [PendingRow.seal])
        s.flush()
        return row.id


def instructions(url: str, every: bool = False, states: tuple[Delivery, ...] = (
        Delivery.PENDING,), workflow_id: str | None = None) -> list[Instruction]:
    """The instructions in `states` (`every`: all; `workflow_id`: of that journey only),
    oldest first."""
    query = select(PendingRow).order_by(PendingRow.typed_at, PendingRow.id)
    if not every:
        query = query.where(PendingRow.state.in_(states))
    if workflow_id is not None:
        query = query.where(PendingRow.workflow_id == workflow_id)
    with session(url) as s:
        return [Instruction.model_validate(r, from_attributes=True) for r in s.scalars(query)]


def settle(url: str, number: int, state: Delivery, outcome: str, at: datetime) -> None:
    """Mark instruction `number` delivered or refused, with what the journey said."""
    with session(url) as s:
        row = s.get(PendingRow, number)
        if row is not None:
            row.state, row.outcome, row.settled_at = state, outcome, at


def booked_at_last(url: str, workflow_id: str, reference: str, amount: Decimal,
                   outcome: str, at: datetime) -> None:
    """Mark the repayments under `reference` refused at delivery (unbooked) booked, with what
    the journey said when it was typed again: those of journey `workflow_id`, and those of
    the same amount kept for another (a journey mistyped, or ended: booked on the right one)."""
    with session(url) as s:
        for row in s.scalars(select(PendingRow).where(PendingRow.state == Delivery.UNBOOKED)):
            kept = json.loads(row.request)
            if kept.get("reference") == reference and (
                    row.workflow_id == workflow_id or Decimal(str(kept.get("amount"))) == amount):
                row.state, row.outcome, row.settled_at = Delivery.DELIVERED, outcome, at


def repayment_under(s: Session, reference: str) -> Instruction | None:
    """The repayment kept under `reference` in its normal form (money received, any
    journey's, in any state), or None: in session `s`."""
    for row in s.scalars(select(PendingRow).where(PendingRow.update == REPAYMENT)):
        if same_reference(json.loads(row.request).get("reference"), reference):
            return Instruction.model_validate(row, from_attributes=True)
    return None


def instruction(url: str, number: int) -> Instruction | None:
    """Instruction `number`, in whatever state, or None: there is none by that number."""
    with session(url) as s:
        row = s.get(PendingRow, number)
        return None if row is None else Instruction.model_validate(row, from_attributes=True)
