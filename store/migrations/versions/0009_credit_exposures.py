"""Credit exposures: each journey's borrower, amount applied for and principal owed, which
routing adds up by unified social credit code (统一授信).

Revision ID: 0009_credit_exposures
Revises: 0008_pending_instructions
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_credit_exposures"
down_revision = "0008_pending_instructions"
branch_labels = None
depends_on = None

# frozen here, not imported from store.types: a migration must not change with the code
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TS = sa.DateTime(timezone=True)
_MONEY = sa.Numeric(18, 2).with_variant(sa.String(32), "sqlite")  # exact text on SQLite


def upgrade() -> None:
    op.create_table(
        "credit_exposures",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("workflow_id", sa.String(128), nullable=False),
        sa.Column("credit_code", sa.String(18), nullable=False),
        sa.Column("amount", _MONEY, nullable=False),
        sa.Column("principal", _MONEY, nullable=True),
        sa.Column("updated_at", _TS, nullable=False),
        sa.UniqueConstraint("workflow_id", name="uq_credit_exposures_workflow_id"),
    )
    op.create_index("ix_credit_exposures_credit_code", "credit_exposures", ["credit_code"])


def downgrade() -> None:
    op.drop_index("ix_credit_exposures_credit_code", "credit_exposures")
    op.drop_table("credit_exposures")
