"""The tables. The Alembic migrations in `store/migrations/versions/` create them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, Float, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from store.types import Money, UTCDateTime

# BIGINT on PostgreSQL, INTEGER (the rowid alias, autoincrementing) on SQLite
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    pass


class StageEventRow(Base):
    """One journey timing event (journey.timeline.TimingEvent)."""

    __tablename__ = "stage_events"
    __table_args__ = (
        UniqueConstraint("workflow_id", "sequence", name="uq_stage_events_workflow_sequence"),
        Index("ix_stage_events_span", "workflow_id", "stage", "attempt"),
        Index("ix_stage_events_stage_type", "stage", "type"),
        Index("ix_stage_events_at", "at"),
        Index("ix_stage_events_seal", "seal"),  # the chain's end, read as each batch is sealed
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    workflow_id: Mapped[str] = mapped_column(String(128))
    sequence: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(16))
    stage: Mapped[str] = mapped_column(String(32))
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    waits_on: Mapped[str] = mapped_column(String(16))
    product: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str | None] = mapped_column(String(128))
    team: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str | None] = mapped_column(String(32))
    channel: Mapped[str | None] = mapped_column(String(32))
    detail: Mapped[str | None] = mapped_column(Text)
    seal: Mapped[str | None] = mapped_column(String(64))  # None: kept unsealed


class BookingRow(Base):
    """A disbursement booked with core banking, exactly once per idempotency key."""

    __tablename__ = "ledger_bookings"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    booking_id: Mapped[str] = mapped_column(String(36), unique=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    workflow_id: Mapped[str] = mapped_column(String(128), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    payee: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(String(200))
    booked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # the bank's day the money moves and interest starts: the next bank day for a payout
    # booked on a non-working day; None: booked before value dates were kept (its booked day)
    value_on: Mapped[date | None] = mapped_column(Date)
    # the account the money goes into and its bank (开户行): the borrower's settlement
    # account or a counterparty's; None: booked before accounts were kept (an entrusted
    # booking's purpose names its account), or a payout to a borrower whose application
    # named none
    account: Mapped[str | None] = mapped_column(String(64))
    bank: Mapped[str | None] = mapped_column(String(200))
    seal: Mapped[str | None] = mapped_column(String(64), index=True)  # None: kept unsealed


class OutboxRow(Base):
    """A notification to send, at most once per key; `sent_at` is set when delivered."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    workflow_id: Mapped[str] = mapped_column(String(128), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(200))
    template: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # None: kept unsealed; it does not cover `sent_at`; indexed: the chain's end, per message
    seal: Mapped[str | None] = mapped_column(String(64), index=True)
    # the notifier sending it, and until when its claim holds (store/outbox.py `claim`):
    # neither sealed, as `sent_at` is not
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DocumentReadingRow(Base):
    """What OCR read from one stored document of one journey (as a clerk corrected it), sealed
    with the archive key as it is kept (store/reading_seals.py)."""

    __tablename__ = "document_readings"
    __table_args__ = (
        UniqueConstraint("workflow_id", "sha256", name="uq_document_readings_workflow_sha"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    workflow_id: Mapped[str] = mapped_column(String(128))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    fields: Mapped[dict[str, Any]] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    seal: Mapped[str | None] = mapped_column(String(64), index=True)  # None: kept unsealed
