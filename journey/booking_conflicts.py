"""A payout the ledger refused: its idempotency key already booked, with other content.

The ledger books each key once (store/ledger.py); a key booked before with another amount,
payee or account (a journey reset by Temporal to before its booking and then amended, a row
written by hand) is a `BookingConflict`. The journey does not fail on it: it holds the payout
at the disbursement on operations' queue (`HeldBooking`) until operations settle it with a
`BookingResolution`: the ledger's booking is this payout (`TAKE_BOOKED`: only one booked for
this journey), or it is booked again under a new key (`BOOK_AGAIN`: `{key}:retry-{n}`, so it
is booked exactly once however often the journey replays). Booking again pays money out
again, so it takes four eyes: asked by one operations person, confirmed by another.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from journey.actors import Actor
from journey.status import Disbursement

CONFLICT = "IdempotencyConflict"  # the ledger's ApplicationError type (activities/ledger.py)


class BookingConflict(Disbursement):
    """The ledger's booking under the key asked for (as the payout it would be), the journey
    it was booked for, and what of it differs from the booking asked for ("amount 999.00,
    not 100.00")."""

    key: str
    workflow_id: str  # the journey it was booked for
    differs: list[str] = Field(default_factory=list)

    def as_disbursement(self) -> Disbursement:
        """The ledger's booking as the payout, with its booked figures."""
        return Disbursement.model_validate(self.model_dump(include=set(Disbursement.model_fields)))


class Settlement(StrEnum):
    TAKE_BOOKED = "take_booked"  # the ledger's booking is this payout
    BOOK_AGAIN = "book_again"  # book it under a new key


class BookingResolution(BaseModel):
    """Operations settle a held payout: which way, and why. `key`: the held booking's
    idempotency key, needed only when several are held (an entrusted payout's counterparties)."""

    actor: Actor
    settlement: Settlement
    reason: str = Field(min_length=3, max_length=500)
    key: str | None = None


class HeldBooking(BaseModel):
    """A payout held on a conflict, from `held_at`, until operations settle it."""

    key: str  # the key the journey booked under, the one in conflict
    retries: int = 0  # books again so far: the next is under `{original}:retry-{retries + 1}`
    original: str  # the key the payout was first booked under
    conflict: BookingConflict
    held_at: datetime
    again_asked: BookingResolution | None = None  # a book-again awaiting a second person
    resolution: BookingResolution | None = None

    def why(self) -> str:
        """Why the payout is held, for operations: the booking under the key and what
        differs, and what they may do."""
        c = self.conflict
        return (f"payout held: the ledger already has booking {c.booking_id} under key "
                f"{self.key!r} ({c.amount:,.2f} to {c.payee} for {c.workflow_id}, booked "
                f"{c.booked_at:%Y-%m-%d %H:%M:%S} UTC), which differs: {'; '.join(c.differs)}. "
                "Check it on the ledger, then settle it: `resolve-booking --take-booked` if it "
                "is this payout, else `resolve-booking --book-again`, asked by one operations "
                "person and confirmed by another, books it under a new key")

    def next_key(self) -> str:
        """The key a book-again books under: the original's, numbered."""
        return f"{self.original}:retry-{self.retries + 1}"


def again_refusal(held: HeldBooking, actor: Actor) -> str | None:
    """Why `actor` cannot confirm booking `held` again: they asked for it themselves."""
    asked = held.again_asked
    if asked is None or asked.actor.id != actor.id:
        return None
    return (f"{actor.id} asked to book it again: booking again pays the money out again, so a "
            "second operations person confirms it (four eyes): ask another")


def take_refusal(held: HeldBooking, workflow_id: str) -> str | None:
    """Why the ledger's booking cannot be taken as `workflow_id`'s payout: it was booked
    for another journey."""
    booked_for = held.conflict.workflow_id
    if booked_for == workflow_id:
        return None
    return (f"booking {held.conflict.booking_id} was booked for {booked_for}, not this journey: "
            "it cannot be this payout; book it again under a new key (`--book-again`)")
