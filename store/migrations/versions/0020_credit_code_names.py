"""The name history of each credit code: a company renamed (名称变更) keeps its unified social
credit code, and `start --renamed-from` records the rename, with who declared it and when, so
that the old name's journeys and the new one's are one borrower's (store/code_names.py).

Revision ID: 0020_credit_code_names
Revises: 0019_exposure_parties
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020_credit_code_names"
down_revision = "0019_exposure_parties"
branch_labels = None
depends_on = None

# frozen here, not imported from store.types: a migration must not change with the code
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "credit_code_names",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("credit_code", sa.String(18), nullable=False),
        sa.Column("former_name", sa.String(200), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("declared_by", sa.String(128), nullable=False),
        sa.Column("declared_role", sa.String(32), nullable=False),
        sa.Column("declared_at", _TS, nullable=False),
        sa.Column("workflow_id", sa.String(128), nullable=False),
        sa.UniqueConstraint("credit_code", "former_name", "name",
                            name="uq_credit_code_names_rename"),
    )
    op.create_index("ix_credit_code_names_credit_code", "credit_code_names", ["credit_code"])


def downgrade() -> None:
    op.drop_index("ix_credit_code_names_credit_code", table_name="credit_code_names")
    op.drop_table("credit_code_names")
