"""Money returned to its payer (store/payer_returns.py): who, when, why and under which
payment in their own columns, sealed (store/seals.py). Each return recorded before has its
row, with only when: who and why stay in its instruction's outcome, read as before.

Revision ID: 0011_payer_returns
Revises: 0010_record_seals
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_payer_returns"
down_revision = "0010_record_seals"
branch_labels = None
depends_on = None

# frozen here, not imported from store.types: a migration must not change with the code
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "payer_returns",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("instruction_id", _ID, sa.ForeignKey("pending_instructions.id"),
                  nullable=False, unique=True),
        sa.Column("workflow_id", sa.String(128), nullable=False),
        sa.Column("returned_at", _TS, nullable=False),
        sa.Column("returned_by", sa.String(128), nullable=True),
        sa.Column("role", sa.String(32), nullable=True),
        sa.Column("origin", sa.String(200), nullable=True),
        sa.Column("reference", sa.String(128), nullable=True),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("seal", sa.String(64), nullable=True),
    )
    op.create_index("ix_payer_returns_workflow_id", "payer_returns", ["workflow_id"])
    # the returns recorded before, in the order they were: unsealed until `records seal`
    op.execute("INSERT INTO payer_returns (instruction_id, workflow_id, returned_at) "
               "SELECT id, workflow_id, settled_at FROM pending_instructions "
               "WHERE state = 'returned' ORDER BY settled_at, id")


def downgrade() -> None:
    op.drop_table("payer_returns")
