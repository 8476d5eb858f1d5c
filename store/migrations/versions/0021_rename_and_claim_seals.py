"""Seals (store/seals.py) on two records an auditor relies on: the credit codes' renames
(store/code_names.py), which link two names' exposure (统一授信), and the payment references
claimed across loans (store/payment_references.py), each sealed as it is written, in a chain
of its own; those written before stay unsealed until `records seal`. A sealed rename withdrawn
(its start failed) is deleted with its withdrawal kept, and a sealed claim moved to another
loan or released is sealed again (or deleted) with its change kept, each with the seal it
replaced (as an exposure line's change keeps the line's), so that the chain stays whole.

Revision ID: 0021_rename_and_claim_seals
Revises: 0020_credit_code_names
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021_rename_and_claim_seals"
down_revision = "0020_credit_code_names"
branch_labels = None
depends_on = None

# frozen here, not imported from store.types: a migration must not change with the code
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TS = sa.DateTime(timezone=True)
_SEALED = ("credit_code_names", "payment_references")


def upgrade() -> None:
    for name in _SEALED:
        with op.batch_alter_table(name) as table:
            table.add_column(sa.Column("seal", sa.String(64), nullable=True))
        # the chain's end is read as each row is sealed: from the index, not a table scan
        op.create_index(f"ix_{name}_seal", name, ["seal"])
    op.create_table(
        "credit_code_name_withdrawals",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("name_id", _ID, nullable=False),  # the rename's row, deleted
        sa.Column("credit_code", sa.String(18), nullable=False),
        sa.Column("former_name", sa.String(200), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("workflow_id", sa.String(128), nullable=False),
        sa.Column("withdrawn_at", _TS, nullable=False),
        sa.Column("replaced_seal", sa.String(64), nullable=True),
        sa.Column("seal", sa.String(64), nullable=True),
    )
    op.create_index("ix_credit_code_name_withdrawals_seal", "credit_code_name_withdrawals",
                    ["seal"])
    op.create_table(
        "payment_reference_changes",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("claim_id", _ID, nullable=False),  # the claim's row, deleted if released
        sa.Column("reference", sa.String(128), nullable=False),
        sa.Column("workflow_id_before", sa.String(128), nullable=False),
        sa.Column("workflow_id", sa.String(128), nullable=True),  # None: released
        sa.Column("changed_at", _TS, nullable=False),
        sa.Column("replaced_seal", sa.String(64), nullable=True),
        sa.Column("seal", sa.String(64), nullable=True),
    )
    op.create_index("ix_payment_reference_changes_seal", "payment_reference_changes", ["seal"])


def downgrade() -> None:
    op.drop_index("ix_payment_reference_changes_seal", "payment_reference_changes")
    op.drop_table("payment_reference_changes")
    op.drop_index("ix_credit_code_name_withdrawals_seal", "credit_code_name_withdrawals")
    op.drop_table("credit_code_name_withdrawals")
    for name in _SEALED:
        op.drop_index(f"ix_{name}_seal", name)
        op.drop_column(name, "seal")
