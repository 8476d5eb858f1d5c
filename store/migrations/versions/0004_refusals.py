"""Refused attempts, which never reach a workflow history, kept for auditors.

Revision ID: 0004_refusals
Revises: 0003_archived_histories
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_refusals"
down_revision = "0003_archived_histories"
branch_labels = None
depends_on = None

# frozen here, not imported from store.types: a migration must not change with the code
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "refusals",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("workflow_id", sa.String(128), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("at", _TS, nullable=False),
        sa.Column("origin", sa.String(200), nullable=False),
    )
    op.create_index("ix_refusals_workflow_at", "refusals", ["workflow_id", "at"])
    op.create_index("ix_refusals_at", "refusals", ["at"])


def downgrade() -> None:
    op.drop_table("refusals")
