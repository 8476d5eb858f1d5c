"""Pending instructions: acts typed while no worker answered, kept until delivered.

Revision ID: 0008_pending_instructions
Revises: 0007_lpr_corrections
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_pending_instructions"
down_revision = "0007_lpr_corrections"
branch_labels = None
depends_on = None

# frozen here, not imported from store.types: a migration must not change with the code
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "pending_instructions",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("workflow_id", sa.String(128), nullable=False),
        sa.Column("update", sa.String(64), nullable=False),
        sa.Column("update_id", sa.String(64), nullable=False),
        sa.Column("request", sa.Text, nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("typed_at", _TS, nullable=False),
        sa.Column("origin", sa.String(200), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("outcome", sa.Text, nullable=False),
        sa.Column("settled_at", _TS, nullable=True),
        sa.UniqueConstraint("update_id", name="uq_pending_instructions_update_id"),
    )
    op.create_index("ix_pending_instructions_workflow_id", "pending_instructions",
                    ["workflow_id"])
    op.create_index("ix_pending_instructions_state", "pending_instructions", ["state"])


def downgrade() -> None:
    op.drop_table("pending_instructions")
