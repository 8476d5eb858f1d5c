"""Whose each journey is, on its exposure line (store/exposure.py): the applicant's name and
whoever submitted it, with their role (a relationship manager, or operations, who submit
cases too and chase their customers alike), as `start` keeps the line, so that `list` names
the applicant and `queue --waiting-on customer --rm <id>` lists a submitter's cases from one
read of the store (lines kept before have neither: "-").

Revision ID: 0019_exposure_parties
Revises: 0018_lending_policies
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019_exposure_parties"
down_revision = "0018_lending_policies"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("credit_exposures") as table:
        table.add_column(sa.Column("applicant_name", sa.String(200), nullable=True))
        table.add_column(sa.Column("submitted_by", sa.String(128), nullable=True))
        table.add_column(sa.Column("submitted_role", sa.String(32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("credit_exposures") as table:
        table.drop_column("submitted_role")
        table.drop_column("submitted_by")
        table.drop_column("applicant_name")
