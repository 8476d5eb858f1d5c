"""The repayments' references claimed across loans (store/payment_references.py): one row per
reference in the bank's books, with the loan it pays, its kind and amount, who typed it, when
and from where, so that one bank payment is not booked on two loans
(store/reference_claims.py).

Revision ID: 0016_payment_references
Revises: 0015_payer_refunds
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016_payment_references"
down_revision = "0015_payer_refunds"
branch_labels = None
depends_on = None

# frozen here, not imported from store.types: a migration must not change with the code
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TS = sa.DateTime(timezone=True)
_MONEY = sa.Numeric(18, 2).with_variant(sa.String(32), "sqlite")  # exact text on SQLite


def upgrade() -> None:
    op.create_table(
        "payment_references",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("reference", sa.String(128), nullable=False),
        sa.Column("workflow_id", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("amount", _MONEY, nullable=False),
        sa.Column("claimed_by", sa.String(128), nullable=False),
        sa.Column("claimed_at", _TS, nullable=False),
        sa.Column("origin", sa.String(200), nullable=False),
        sa.UniqueConstraint("reference", name="uq_payment_references_reference"),
    )
    op.create_index("ix_payment_references_workflow_id", "payment_references",
                    ["workflow_id"])


def downgrade() -> None:
    op.drop_index("ix_payment_references_workflow_id", "payment_references")
    op.drop_table("payment_references")
