"""The lending policies the workers have run: each version once, with the sha256 of its text,
the text itself and when a worker first and last loaded it. The one loaded last is the policy
in force, which the command line checks by; a version whose content changed is refused at a
worker's start.

Revision ID: 0018_lending_policies
Revises: 0017_money_seals
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018_lending_policies"
down_revision = "0017_money_seals"
branch_labels = None
depends_on = None

# frozen here, not imported from store.types: a migration must not change with the code
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "lending_policies",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("first_loaded_at", _TS, nullable=False),
        sa.Column("last_loaded_at", _TS, nullable=False),
        sa.UniqueConstraint("version", name="uq_lending_policies_version"),
    )


def downgrade() -> None:
    op.drop_table("lending_policies")
