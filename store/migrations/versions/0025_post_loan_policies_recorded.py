"""The post-loan policies the workers have run, recorded beside the lending policies: a kind
for each row (those recorded before: lending), and each version once per kind, so that one
post-loan policy's version label too stands for one text, and a worker started on a changed
post-loan file under a version already recorded is refused.

Revision ID: 0025_post_loan_policies_recorded
Revises: 0024_booking_value_dates
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025_post_loan_policies_recorded"
down_revision = "0024_booking_value_dates"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("lending_policies") as table:
        table.add_column(sa.Column("kind", sa.String(16), nullable=False,
                                   server_default="lending"))
        table.drop_constraint("uq_lending_policies_version", type_="unique")
        table.create_unique_constraint("uq_lending_policies_kind_version", ["kind", "version"])


def downgrade() -> None:
    op.execute("DELETE FROM lending_policies WHERE kind <> 'lending'")
    with op.batch_alter_table("lending_policies") as table:
        table.drop_constraint("uq_lending_policies_kind_version", type_="unique")
        table.create_unique_constraint("uq_lending_policies_version", ["version"])
        table.drop_column("kind")
