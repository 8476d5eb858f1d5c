"""Seals (store/seals.py) on the bank's own records: LPR fixings and their corrections (with
the seal a correction replaced, which the chain still covers), and refused attempts.

Revision ID: 0010_record_seals
Revises: 0009_credit_exposures
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_record_seals"
down_revision = "0009_credit_exposures"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("lpr_fixings") as table:
        table.add_column(sa.Column("seal", sa.String(64), nullable=True))
    with op.batch_alter_table("lpr_fixing_corrections") as table:
        table.add_column(sa.Column("seal", sa.String(64), nullable=True))
        table.add_column(sa.Column("replaced_seal", sa.String(64), nullable=True))
    with op.batch_alter_table("refusals") as table:
        table.add_column(sa.Column("seal", sa.String(64), nullable=True))


def downgrade() -> None:
    # dropped in place (SQLite 3.35+ too): a batch copy of lpr_fixings, which corrections
    # refer to, would be refused by SQLite's foreign keys
    op.drop_column("refusals", "seal")
    op.drop_column("lpr_fixing_corrections", "replaced_seal")
    op.drop_column("lpr_fixing_corrections", "seal")
    op.drop_column("lpr_fixings", "seal")
