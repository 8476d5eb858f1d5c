"""Seals (store/seals.py) on the pending instructions (store/pending.py): each sealed as it is
kept, over what was typed; those kept before stay unsealed until `records seal`.

Revision ID: 0012_pending_seals
Revises: 0011_payer_returns
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_pending_seals"
down_revision = "0011_payer_returns"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("pending_instructions") as table:
        table.add_column(sa.Column("seal", sa.String(64), nullable=True))


def downgrade() -> None:
    # dropped in place (SQLite 3.35+ too): a batch copy of pending_instructions, which
    # payer_returns refers to, would be refused by SQLite's foreign keys
    op.drop_column("pending_instructions", "seal")
