"""Whoever submitted each journey, on its exposure line, with their role: operations submit
cases too, and chase their customers as relationship managers do (`queue --rm <id>`). The
relationship manager kept before is that line's submitter, in that role.

Revision ID: 0020_exposure_submitter
Revises: 0019_exposure_parties
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020_exposure_submitter"
down_revision = "0019_exposure_parties"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("credit_exposures") as table:
        table.alter_column("relationship_manager", new_column_name="submitted_by",
                           existing_type=sa.String(128), existing_nullable=True)
        table.add_column(sa.Column("submitted_role", sa.String(32), nullable=True))
    op.execute("UPDATE credit_exposures SET submitted_role = 'relationship_manager' "
               "WHERE submitted_by IS NOT NULL")


def downgrade() -> None:
    op.execute("UPDATE credit_exposures SET submitted_by = NULL "
               "WHERE submitted_role != 'relationship_manager'")
    with op.batch_alter_table("credit_exposures") as table:
        table.drop_column("submitted_role")
        table.alter_column("submitted_by", new_column_name="relationship_manager",
                           existing_type=sa.String(128), existing_nullable=True)
