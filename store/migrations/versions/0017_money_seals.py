"""Seals (store/seals.py) on the money and authority records: the ledger's bookings, each
journey's line in its borrower's credit exposure and the outbox's notices, each sealed as it
is written, in a chain of its own; those written before stay unsealed until `records seal`. A
line's principal, which changes as the loan is repaid, is sealed again over it each time,
the change kept in `credit_exposure_changes` with the seal it replaced (as an LPR correction
keeps its fixing's), so that the chain stays whole.

Revision ID: 0017_money_seals
Revises: 0016_payment_references
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017_money_seals"
down_revision = "0016_payment_references"
branch_labels = None
depends_on = None

# frozen here, not imported from store.types: a migration must not change with the code
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TS = sa.DateTime(timezone=True)
_MONEY = sa.Numeric(18, 2).with_variant(sa.String(32), "sqlite")  # exact text on SQLite
_SEALED = ("ledger_bookings", "credit_exposures", "outbox")


def upgrade() -> None:
    for name in _SEALED:
        with op.batch_alter_table(name) as table:
            table.add_column(sa.Column("seal", sa.String(64), nullable=True))
        # the chain's end is read as each row is sealed: from the index, not a table scan
        op.create_index(f"ix_{name}_seal", name, ["seal"])
    op.create_table(
        "credit_exposure_changes",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("exposure_id", _ID, sa.ForeignKey("credit_exposures.id"), nullable=False),
        sa.Column("workflow_id", sa.String(128), nullable=False),
        sa.Column("principal_before", _MONEY, nullable=True),
        sa.Column("principal", _MONEY, nullable=False),
        sa.Column("changed_at", _TS, nullable=False),
        sa.Column("replaced_seal", sa.String(64), nullable=True),
        sa.Column("seal", sa.String(64), nullable=True),
    )
    op.create_index("ix_credit_exposure_changes_exposure_id", "credit_exposure_changes",
                    ["exposure_id"])
    op.create_index("ix_credit_exposure_changes_seal", "credit_exposure_changes", ["seal"])


def downgrade() -> None:
    op.drop_index("ix_credit_exposure_changes_seal", "credit_exposure_changes")
    op.drop_index("ix_credit_exposure_changes_exposure_id", "credit_exposure_changes")
    op.drop_table("credit_exposure_changes")
    for name in _SEALED:
        op.drop_index(f"ix_{name}_seal", name)
        op.drop_column(name, "seal")
