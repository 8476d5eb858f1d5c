"""Customer feedback scores: one row per feedback, idempotent by (workflow_id, sequence).

Revision ID: 0002_feedback
Revises: 0001_initial
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_feedback"
down_revision = "0001_initial"
branch_labels = None
depends_on = None

# frozen here, not imported from store.types: a migration must not change with the code
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "feedback",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("workflow_id", sa.String(128), nullable=False),
        sa.Column("sequence", sa.Integer, nullable=False),
        sa.Column("at", _TS, nullable=False),
        sa.Column("product", sa.String(32), nullable=False),
        sa.Column("stage", sa.String(32), nullable=False),
        sa.Column("attempt", sa.Integer, nullable=False),
        sa.Column("given_at", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("score", sa.Integer, nullable=False),
        sa.Column("category", sa.String(32)),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("has_comment", sa.Boolean, nullable=False),
        sa.UniqueConstraint("workflow_id", "sequence", name="uq_feedback_workflow_sequence"),
    )
    op.create_index("ix_feedback_stage", "feedback", ["stage", "kind"])


def downgrade() -> None:
    op.drop_table("feedback")
