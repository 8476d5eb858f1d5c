"""The value date of a ledger booking: the bank's day its money moves and interest starts,
the next bank day for a payout booked on a non-working day; bookings made before stay without
one (their booked day stands).

Revision ID: 0024_booking_value_dates
Revises: 0023_document_reading_seals
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024_booking_value_dates"
down_revision = "0023_document_reading_seals"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ledger_bookings") as table:
        table.add_column(sa.Column("value_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ledger_bookings") as table:
        table.drop_column("value_on")
