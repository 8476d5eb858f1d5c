"""LPR fixings: the first loan that read each, and corrections of a fixing no loan read.

Revision ID: 0007_lpr_corrections
Revises: 0006_lpr_fixings
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_lpr_corrections"
down_revision = "0006_lpr_fixings"
branch_labels = None
depends_on = None

# frozen here, not imported from store.types: a migration must not change with the code
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TS = sa.DateTime(timezone=True)
_RATE = sa.Numeric(8, 6).with_variant(sa.String(32), "sqlite")  # exact text on SQLite


def upgrade() -> None:
    with op.batch_alter_table("lpr_fixings") as table:
        table.add_column(sa.Column("used_by", sa.String(128), nullable=True))
        table.add_column(sa.Column("used_at", _TS, nullable=True))
    op.create_table(
        "lpr_fixing_corrections",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("fixing_id", _ID, sa.ForeignKey("lpr_fixings.id"), nullable=False),
        sa.Column("one_year", _RATE, nullable=False),
        sa.Column("five_year", _RATE, nullable=False),
        sa.Column("corrected_by", sa.String(64), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("corrected_at", _TS, nullable=False),
    )
    op.create_index("ix_lpr_fixing_corrections_fixing_id", "lpr_fixing_corrections",
                    ["fixing_id"])


def downgrade() -> None:
    op.drop_index("ix_lpr_fixing_corrections_fixing_id", "lpr_fixing_corrections")
    op.drop_table("lpr_fixing_corrections")
    with op.batch_alter_table("lpr_fixings") as table:
        table.drop_column("used_at")
        table.drop_column("used_by")
