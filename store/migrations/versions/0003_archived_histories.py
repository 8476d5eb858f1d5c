"""Closed runs' histories kept past the namespace's retention, one row per run, and the
archivist's complete passes.

Revision ID: 0003_archived_histories
Revises: 0002_feedback
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_archived_histories"
down_revision = "0002_feedback"
branch_labels = None
depends_on = None

# frozen here, not imported from store.types: a migration must not change with the code
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "archived_histories",
        sa.Column("workflow_id", sa.String(128), primary_key=True),
        sa.Column("run_id", sa.String(64), primary_key=True),
        sa.Column("workflow_type", sa.String(128), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("closed_at", _TS, nullable=False),
        sa.Column("events", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("archived_at", _TS, nullable=False),
    )
    op.create_index("ix_archived_histories_closed_at", "archived_histories", ["closed_at"])
    op.create_table(
        "archive_passes",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("started_at", _TS, nullable=False),
        sa.Column("finished_at", _TS, nullable=False),
        sa.Column("closed_since", _TS),
        sa.Column("archived", sa.Integer, nullable=False),
        sa.Column("held", sa.Integer, nullable=False),
        sa.Column("gone", sa.Integer, nullable=False),
    )
    op.create_index("ix_archive_passes_started_at", "archive_passes", ["started_at"])


def downgrade() -> None:
    op.drop_table("archive_passes")
    op.drop_table("archived_histories")
