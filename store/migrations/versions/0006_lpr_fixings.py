"""LPR fixings as the bank records them: floating-rate loans are repriced to them.

Revision ID: 0006_lpr_fixings
Revises: 0005_archive_seal
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_lpr_fixings"
down_revision = "0005_archive_seal"
branch_labels = None
depends_on = None

# frozen here, not imported from store.types: a migration must not change with the code
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TS = sa.DateTime(timezone=True)
_RATE = sa.Numeric(8, 6).with_variant(sa.String(32), "sqlite")  # exact text on SQLite


def upgrade() -> None:
    op.create_table(
        "lpr_fixings",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("fixed_on", sa.Date, nullable=False),
        sa.Column("one_year", _RATE, nullable=False),
        sa.Column("five_year", _RATE, nullable=False),
        sa.Column("recorded_by", sa.String(64), nullable=False),
        sa.Column("recorded_at", _TS, nullable=False),
        sa.UniqueConstraint("fixed_on", name="uq_lpr_fixings_fixed_on"),
    )


def downgrade() -> None:
    op.drop_table("lpr_fixings")
