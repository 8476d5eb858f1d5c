"""Initial tables: stage events, ledger bookings, outbox, document readings.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None

# frozen here, not imported from store.types: a migration must not change with the code
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TS = sa.DateTime(timezone=True)
_MONEY = sa.Numeric(18, 2).with_variant(sa.String(32), "sqlite")  # exact text on SQLite


def upgrade() -> None:
    op.create_table(
        "stage_events",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("workflow_id", sa.String(128), nullable=False),
        sa.Column("sequence", sa.Integer, nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("stage", sa.String(32), nullable=False),
        sa.Column("attempt", sa.Integer, nullable=False),
        sa.Column("at", _TS, nullable=False),
        sa.Column("waits_on", sa.String(16), nullable=False),
        sa.Column("product", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(128)),
        sa.Column("team", sa.String(64)),
        sa.Column("outcome", sa.String(32)),
        sa.Column("channel", sa.String(32)),
        sa.Column("detail", sa.Text),
        sa.UniqueConstraint("workflow_id", "sequence", name="uq_stage_events_workflow_sequence"),
    )
    op.create_index("ix_stage_events_span", "stage_events", ["workflow_id", "stage", "attempt"])
    op.create_index("ix_stage_events_stage_type", "stage_events", ["stage", "type"])
    op.create_index("ix_stage_events_at", "stage_events", ["at"])

    op.create_table(
        "ledger_bookings",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("booking_id", sa.String(36), nullable=False, unique=True),
        sa.Column("idempotency_key", sa.String(200), nullable=False, unique=True),
        sa.Column("workflow_id", sa.String(128), nullable=False),
        sa.Column("amount", _MONEY, nullable=False),
        sa.Column("payee", sa.String(200), nullable=False),
        sa.Column("purpose", sa.String(200), nullable=False),
        sa.Column("booked_at", _TS, nullable=False),
    )
    op.create_index("ix_ledger_bookings_workflow_id", "ledger_bookings", ["workflow_id"])

    op.create_table(
        "outbox",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(200), nullable=False, unique=True),
        sa.Column("workflow_id", sa.String(128), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("recipient", sa.String(200), nullable=False),
        sa.Column("template", sa.String(100), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("sent_at", _TS),
    )
    op.create_index("ix_outbox_workflow_id", "outbox", ["workflow_id"])
    op.create_index("ix_outbox_sent_at", "outbox", ["sent_at"])

    op.create_table(
        "document_readings",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("workflow_id", sa.String(128), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("fields", sa.JSON, nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("seconds", sa.Float, nullable=False),
        sa.Column("recorded_at", _TS, nullable=False),
        sa.UniqueConstraint("workflow_id", "sha256", name="uq_document_readings_workflow_sha"),
    )
    op.create_index("ix_document_readings_sha256", "document_readings", ["sha256"])


def downgrade() -> None:
    op.drop_table("document_readings")
    op.drop_table("outbox")
    op.drop_table("ledger_bookings")
    op.drop_table("stage_events")
