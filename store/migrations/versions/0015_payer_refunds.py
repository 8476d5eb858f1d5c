"""Money owed back to its payer refunded (store/payer_returns.py `PayerRefundRow`): a loan
paid beyond its whole plan owes the excess back; each refund is kept with the journey, the
payment that overpaid, how much, to which account, who, as what role, from where, when, why
and under which refund payment, in the returns' chain of seals (its baseline, kept before,
does not list this table: its rows are told as a chain sealed before baselines tells them).

Revision ID: 0015_payer_refunds
Revises: 0014_lpr_fixing_reads
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_payer_refunds"
down_revision = "0014_lpr_fixing_reads"
branch_labels = None
depends_on = None

# frozen here, not imported from store.types: a migration must not change with the code
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TS = sa.DateTime(timezone=True)
_MONEY = sa.Numeric(18, 2).with_variant(sa.String(32), "sqlite")  # exact text on SQLite


def upgrade() -> None:
    op.create_table(
        "payer_refunds",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("workflow_id", sa.String(128), nullable=False),
        sa.Column("payment", sa.String(128), nullable=False),
        sa.Column("paid_on", sa.Date, nullable=False),
        sa.Column("amount", _MONEY, nullable=False),
        sa.Column("account", sa.String(64), nullable=False),
        sa.Column("refunded_at", _TS, nullable=False),
        sa.Column("refunded_by", sa.String(128), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("origin", sa.String(200), nullable=False),
        sa.Column("reference", sa.String(128), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("seal", sa.String(64), nullable=True),
        sa.UniqueConstraint("reference", name="uq_payer_refunds_reference"),
    )
    op.create_index("ix_payer_refunds_workflow_id", "payer_refunds", ["workflow_id"])


def downgrade() -> None:
    op.drop_index("ix_payer_refunds_workflow_id", "payer_refunds")
    op.drop_table("payer_refunds")
