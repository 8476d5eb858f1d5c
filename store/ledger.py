"""Disbursement bookings, exactly once per idempotency key.

The core-banking adapter calls `book` with a key derived from the journey (for example
`f"{workflow_id}:disburse:1"`); a retried activity gets the first booking back, marked
`was_duplicate`, and no second row is ever written. With the archive key, each booking is
sealed as it is written, next in the bookings' chain (store/seals.py), so that its payee or
amount changed, or a booking inserted or deleted, in the database is reported (`loan-journey
records verify`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from pydantic import BaseModel
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from store.db import ready
from store.models import BookingRow
from store.seals import add_sealed, sealing

_CENT = Decimal("0.01")


class IdempotencyConflictError(ValueError):
    """The key was used before for a different booking: never retry it. `booked` is the
    ledger's booking under the key, `differs` what of it differs from the one asked for
    ("amount 999.00, not 100.00"), for the people who settle it (journey/booking_conflicts.py)."""

    def __init__(self, message: str, booked: Booking, differs: list[str]) -> None:
        super().__init__(message)
        self.booked, self.differs = booked, differs


class Booking(BaseModel):
    booking_id: str
    key: str
    workflow_id: str
    amount: Decimal
    payee: str
    purpose: str
    booked_at: datetime
    value_on: date | None = None  # the day the money moves; None: its booked day
    account: str | None = None  # the account it goes into; None: not kept (before accounts)
    bank: str | None = None
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
        value_on=r.value_on,
        account=r.account,
        bank=r.bank,
        was_duplicate=duplicate,
    )


def facts(row: BookingRow) -> list[object]:
    """What a booking's seal covers: the whole row but the seal (its value date and account
    where it has them: the seals of bookings made before they were kept stand)."""
    value = [] if row.value_on is None else [row.value_on.isoformat()]
    account = [] if row.account is None else [
        *([] if value else [None]), f"account {row.account}", row.bank]
    return [row.id, row.booking_id, row.idempotency_key, row.workflow_id, f"{row.amount:.2f}",
            row.payee, row.purpose, row.booked_at.astimezone(UTC).isoformat(), *value,
            *account]


def book(
    url: str, idempotency_key: str, workflow_id: str, amount: Decimal, payee: str, purpose: str,
    key: bytes | None = None, value_on: date | None = None, account: str | None = None,
    bank: str | None = None,
) -> Booking:
    """Book `amount` to `payee` once, into its `account` at `bank` (None: not named), its
    money moving on `value_on` (None: the day booked), sealed with `key` when given, next in
    the bookings' chain (store/seals.py); the same idempotency key again returns the first
    booking."""
    amount = Decimal(amount).quantize(_CENT)
    if amount <= 0:
        raise ValueError(f"a booking needs a positive amount, got {amount}")
    # one booker at a time (the chain's sealer): the idempotency key is booked once
    with sealing(url, BookingRow.__tablename__) as s:
        row = s.scalars(
            select(BookingRow).where(BookingRow.idempotency_key == idempotency_key)
        ).first()
        if row is None:
            row = BookingRow(
                booking_id=str(uuid.uuid4()), idempotency_key=idempotency_key,
                workflow_id=workflow_id, amount=amount, payee=payee, purpose=purpose,
                booked_at=datetime.now(UTC), value_on=value_on, account=account, bank=bank)
            add_sealed(s, key, row, facts, [BookingRow.seal])
            s.flush()
            return _booking(row, duplicate=False)
        if differs := _differs(row, workflow_id, amount, payee, account, bank):
            raise IdempotencyConflictError(
                f"idempotency key {idempotency_key!r} already booked {row.amount} to "
                f"{row.payee!r} for {row.workflow_id} (booking {row.booking_id}: "
                f"{'; '.join(differs)}); use a new key for a different booking",
                _booking(row, duplicate=True), differs)
        return _booking(row, duplicate=True)


def _differs(row: BookingRow, workflow_id: str, amount: Decimal, payee: str,
             account: str | None, bank: str | None) -> list[str]:
    """What of the booking `row` differs from the one asked for under its key, each as
    "<what> <booked>, not <asked>": its journey, amount, payee, and its account and bank
    where the row keeps them (one booked before accounts were kept names none)."""
    pairs = [("journey", row.workflow_id, workflow_id), ("amount", row.amount, amount),
             ("payee", row.payee, payee)]
    if row.account is not None:
        pairs += [("account", row.account, account), ("bank", row.bank, bank)]
    return [f"{what} {booked}, not {asked}" for what, booked, asked in pairs if booked != asked]


def bookings_for(url: str, workflow_id: str) -> list[Booking]:
    """A journey's bookings, oldest first."""
    with Session(ready(url)) as s:
        rows = s.scalars(
            select(BookingRow).where(BookingRow.workflow_id == workflow_id).order_by(BookingRow.id)
        )
        return [_booking(r, duplicate=False) for r in rows]


def bookings_moving(url: str, first: date, last: date) -> list[Booking]:
    """The bookings whose money may move from `first` to `last`, oldest first: those value
    dated then, and those kept before value dates were (`value_on` None) booked from the day
    before `first` to the day after `last` in UTC, whose day on the bank's clock the caller
    tells (any zone within a day of UTC)."""
    since = datetime.combine(first - timedelta(days=1), time.min, UTC)
    until = datetime.combine(last + timedelta(days=2), time.min, UTC)
    with Session(ready(url)) as s:
        rows = s.scalars(select(BookingRow).where(or_(
            BookingRow.value_on.between(first, last),
            BookingRow.value_on.is_(None) & (BookingRow.booked_at >= since)
            & (BookingRow.booked_at < until))).order_by(BookingRow.id))
        return [_booking(r, duplicate=False) for r in rows]


def booked_by_journey(url: str, workflow_ids: Iterable[str]) -> dict[str, Decimal]:
    """What the ledger has booked to each of `workflow_ids`, whenever: those with a booking.
    Summed here, not in SQL: SQLite keeps amounts as exact text, which its SUM reads as
    floats."""
    ids = list(dict.fromkeys(workflow_ids))
    out: dict[str, Decimal] = {}
    with Session(ready(url)) as s:
        for n in range(0, len(ids), 500):  # within any database's bound parameters
            rows = s.execute(select(BookingRow.workflow_id, BookingRow.amount)
                             .where(BookingRow.workflow_id.in_(ids[n:n + 500])))
            for workflow_id, amount in rows:
                out[workflow_id] = out.get(workflow_id, Decimal("0.00")) + amount
    return out
