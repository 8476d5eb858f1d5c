"""A seal (HMAC-SHA256 with the archive key) on each archived history's row.

Revision ID: 0005_archive_seal
Revises: 0004_refusals
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_archive_seal"
down_revision = "0004_refusals"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("archived_histories") as table:
        table.add_column(sa.Column("seal", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("archived_histories") as table:
        table.drop_column("seal")
