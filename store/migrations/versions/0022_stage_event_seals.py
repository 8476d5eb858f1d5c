"""Seals (store/seals.py) on the stage events, the journey map's timing rows: each sealed as a
worker with the archive key writes it, in a chain of its own, over every field the journey
map, the report and the export show; those written before stay unsealed until `records seal`.

Revision ID: 0022_stage_event_seals
Revises: 0021_rename_and_claim_seals
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022_stage_event_seals"
down_revision = "0021_rename_and_claim_seals"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("stage_events") as table:
        table.add_column(sa.Column("seal", sa.String(64), nullable=True))
    # the chain's end is read as each batch is sealed: from the index, not a table scan
    op.create_index("ix_stage_events_seal", "stage_events", ["seal"])


def downgrade() -> None:
    op.drop_index("ix_stage_events_seal", "stage_events")
    op.drop_column("stage_events", "seal")
