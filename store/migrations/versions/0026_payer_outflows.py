"""Four eyes on money going back to payers (store/payer_outflows.py): a refund or a return is
entered by one operations person (`payer_outflows`, numbered, awaiting) and kept as paid
only once a second confirms it; the refunds and returns kept since say who confirmed them and
when, a return the account it went to too (none on those kept before).

Revision ID: 0026_payer_outflows
Revises: 0025_post_loan_policies_recorded
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0026_payer_outflows"
down_revision = "0025_post_loan_policies_recorded"
branch_labels = None
depends_on = None

# frozen here, not imported from store.types: a migration must not change with the code
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TS = sa.DateTime(timezone=True)
_MONEY = sa.Numeric(18, 2).with_variant(sa.String(32), "sqlite")  # exact text on SQLite


def upgrade() -> None:
    op.create_table(
        "payer_outflows",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("workflow_id", sa.String(128), nullable=False),
        sa.Column("instruction_id", sa.Integer, nullable=True),
        sa.Column("payment", sa.String(128), nullable=True),
        sa.Column("paid_on", sa.Date, nullable=True),
        sa.Column("amount", _MONEY, nullable=False),
        sa.Column("account", sa.String(64), nullable=False),
        sa.Column("reference", sa.String(128), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("entered_by", sa.String(128), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("origin", sa.String(200), nullable=False),
        sa.Column("entered_at", _TS, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("settled_by", sa.String(128), nullable=True),
        sa.Column("settled_at", _TS, nullable=True),
        sa.Column("settled_why", sa.Text, nullable=True),
    )
    op.create_index("ix_payer_outflows_workflow_id", "payer_outflows", ["workflow_id"])
    for table in ("payer_refunds", "payer_returns"):
        with op.batch_alter_table(table) as t:
            t.add_column(sa.Column("confirmed_by", sa.String(128), nullable=True))
            t.add_column(sa.Column("confirmed_at", _TS, nullable=True))
    with op.batch_alter_table("payer_returns") as t:
        t.add_column(sa.Column("account", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("payer_returns") as t:
        t.drop_column("account")
    for table in ("payer_refunds", "payer_returns"):
        with op.batch_alter_table(table) as t:
            t.drop_column("confirmed_at")
            t.drop_column("confirmed_by")
    op.drop_index("ix_payer_outflows_workflow_id", "payer_outflows")
    op.drop_table("payer_outflows")
