"""Seals (store/seals.py) on the document readings, which say whose a credit code is: each
sealed as a worker with the archive key keeps it, in a chain of its own, and sealed again as
it is kept again (a clerk's correction), the seal it replaced kept in a change of its own;
those kept before stay unsealed until `records seal`.

Revision ID: 0023_document_reading_seals
Revises: 0022_stage_event_seals
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023_document_reading_seals"
down_revision = "0022_stage_event_seals"
branch_labels = None
depends_on = None

# frozen here, not imported from store.types: a migration must not change with the code
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("document_readings") as table:
        table.add_column(sa.Column("seal", sa.String(64), nullable=True))
    # the chain's end is read as each reading is sealed: from the index, not a table scan
    op.create_index("ix_document_readings_seal", "document_readings", ["seal"])
    op.create_table(
        "document_reading_changes",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("reading_id", _ID, sa.ForeignKey("document_readings.id"), nullable=False,
                  index=True),
        sa.Column("workflow_id", sa.String(128), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("changed_at", _TS, nullable=False),
        sa.Column("replaced_seal", sa.String(64), nullable=True),
        sa.Column("seal", sa.String(64), nullable=True),
    )
    op.create_index("ix_document_reading_changes_seal", "document_reading_changes", ["seal"])


def downgrade() -> None:
    op.drop_index("ix_document_reading_changes_seal", "document_reading_changes")
    op.drop_table("document_reading_changes")
    op.drop_index("ix_document_readings_seal", "document_readings")
    op.drop_column("document_readings", "seal")
