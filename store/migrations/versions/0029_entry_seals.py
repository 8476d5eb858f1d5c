"""Seals (store/seals.py) on the refunds and returns entered and awaiting their checker
(store/payer_outflows.py): each sealed as its maker enters it, over what was entered, in a
chain of its own under the returns' lock, so that one changed in the database before its
checker confirms it is refused and reported; those entered before stay unsealed until
`records seal`.

Revision ID: 0029_entry_seals
Revises: 0028_booking_accounts
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0029_entry_seals"
down_revision = "0028_booking_accounts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("payer_outflows") as table:
        table.add_column(sa.Column("seal", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("payer_outflows") as table:
        table.drop_column("seal")
