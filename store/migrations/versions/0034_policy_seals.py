"""Seals (store/seals.py) on the policies the workers recorded (store/policies.py): each sealed
as a worker with the archive key records it, in a chain of its own, over its kind, version,
text and the sha256 kept with it, so that a text changed together with its sha256 is found;
those recorded before stay unsealed until `records seal`.

Downgrading drops the seals and the policies' chain's baseline with them (store/seals.py):
upgraded again, every policy reads as one recorded before sealing began, unsealed until
`records seal`, not as one inserted around the key (which nothing would act by).

Revision ID: 0034_policy_seals
Revises: 0033_scan_erasures
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0034_policy_seals"
down_revision = "0033_scan_erasures"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("lending_policies") as table:
        table.add_column(sa.Column("seal", sa.String(64), nullable=True))
    # the chain's end is read as each policy is sealed: from the index, not a table scan
    op.create_index("ix_lending_policies_seal", "lending_policies", ["seal"])


def downgrade() -> None:
    op.execute("DELETE FROM seal_baselines WHERE chain = 'lending_policies'")
    op.drop_index("ix_lending_policies_seal", "lending_policies")
    with op.batch_alter_table("lending_policies") as table:
        table.drop_column("seal")
