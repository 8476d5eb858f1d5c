"""Disbursement bookings, exactly once per idempotency key.

The core-banking adapter calls `book` with a key derived from the journey (for example
`f"{workflow_id}:disburse:1"`); a retried activity gets the first booking back, marked
`was_duplicate`, and no second row is ever written.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from store._dialect import insert_for, inserted
from store.db import ready
from store.models import BookingRow

_CENT = Decimal("0.01")


class IdempotencyConflictError(ValueError):
    """The key was used before for a different booking: a caller bug, never retry it."""


class Booking(BaseModel):
    booking_id: str
    key: str
    workflow_id: str
    amount: Decimal
    payee: str
    purpose: str
    booked_at: datetime
    was_duplicate: bool = False


def _booking(r: BookingRow, *, duplicate: bool) -> Booking:
    return Booking(
        booking_id=r.booking_id,
        key=r.idempotency_key,
        workflow_id=r.workflow_id,
        amount=r.amount,
        payee=r.payee,
        purpose=r.purpose,
        booked_at=r.booked_at,
        was_duplicate=duplicate,
    )


def book(
    url: str, idempotency_key: str, workflow_id: str, amount: Decimal, payee: str, purpose: str
) -> Booking:
    """Book `amount` to `payee` once; the same key again returns the first booking."""
    amount = Decimal(amount).quantize(_CENT)
    if amount <= 0:
        raise ValueError(f"a booking needs a positive amount, got {amount}")
    engine = ready(url)
    with Session(engine) as s, s.begin():
        stmt = (
            insert_for(engine, BookingRow.__table__)
            .values(
                booking_id=str(uuid.uuid4()),
                idempotency_key=idempotency_key,
                workflow_id=workflow_id,
                amount=amount,
                payee=payee,
                purpose=purpose,
                booked_at=datetime.now(UTC),
            )
            .on_conflict_do_nothing(index_elements=["idempotency_key"])
        )
        is_new = inserted(s, stmt)
        row = s.scalars(
            select(BookingRow).where(BookingRow.idempotency_key == idempotency_key)
        ).one()
        if (row.workflow_id, row.amount, row.payee) != (workflow_id, amount, payee):
            raise IdempotencyConflictError(
                f"idempotency key {idempotency_key!r} already booked {row.amount} to "
                f"{row.payee!r} for {row.workflow_id}; use a new key for a different booking"
            )
        return _booking(row, duplicate=not is_new)


def bookings_for(url: str, workflow_id: str) -> list[Booking]:
    """A journey's bookings, oldest first."""
    with Session(ready(url)) as s:
        rows = s.scalars(
            select(BookingRow).where(BookingRow.workflow_id == workflow_id).order_by(BookingRow.id)
        )
        return [_booking(r, duplicate=False) for r in rows]
