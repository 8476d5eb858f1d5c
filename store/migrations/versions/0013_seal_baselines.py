"""Each chain of seals' baseline (store/seals.py): the rows its tables held unsealed when its
first row was sealed, so that a row written unsealed afterwards is told from them whatever its
id. Chains sealed before keep none, and are checked as before.

Revision ID: 0013_seal_baselines
Revises: 0012_pending_seals
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_seal_baselines"
down_revision = "0012_pending_seals"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "seal_baselines",
        sa.Column("chain", sa.String(64), primary_key=True),
        sa.Column("ids", sa.Text, nullable=False),
        sa.Column("seal", sa.String(64), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("seal_baselines")
