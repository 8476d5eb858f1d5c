"""Each LPR fixing's first read by a loan as its own record (store/lpr.py `LprReadRow`), in the
fixings' chain of seals: who read it and when, as its `used_by` and `used_at` said. The fixings
read before are kept so, unsealed, until a supervisor who checked them seals them (`records
seal`); a chain sealed before keeps its baseline, which does not list this table: its rows
kept before its first seal are told from inserted ones by their ids, as in a chain sealed
before baselines.

Revision ID: 0014_lpr_fixing_reads
Revises: 0013_seal_baselines
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_lpr_fixing_reads"
down_revision = "0013_seal_baselines"
branch_labels = None
depends_on = None

# frozen here, not imported from store.types: a migration must not change with the code
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "lpr_fixing_reads",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("fixing_id", _ID, sa.ForeignKey("lpr_fixings.id"), nullable=False),
        sa.Column("read_by", sa.String(128), nullable=False),
        sa.Column("read_at", _TS, nullable=False),
        sa.Column("seal", sa.String(64), nullable=True),
        sa.UniqueConstraint("fixing_id", name="uq_lpr_fixing_reads_fixing_id"),
    )
    op.execute("INSERT INTO lpr_fixing_reads (fixing_id, read_by, read_at) "
               "SELECT id, used_by, COALESCE(used_at, recorded_at) FROM lpr_fixings "
               "WHERE used_by IS NOT NULL ORDER BY id")


def downgrade() -> None:
    op.drop_table("lpr_fixing_reads")
