"""Resets of a journey's run acknowledged by a supervisor (`loan-journey records
acknowledge-reset`, store/reset_acknowledgements.py): one row per reset, sealed with the
archive key in a chain of its own (store/seals.py), so that `records verify` holds the stage
exits a reset threw away to the run they were written in, not to the run the reset made.

Downgrading fails while the table keeps an acknowledgement: dropping it would bring back the
findings every acknowledged reset settled.

Revision ID: 0035_reset_acknowledgements
Revises: 0034_policy_seals
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0035_reset_acknowledgements"
down_revision = "0034_policy_seals"
branch_labels = None
depends_on = None

# frozen here, not imported from store.types: a migration must not change with the code
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "reset_acknowledgements",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("workflow_id", sa.String(128), nullable=False),
        sa.Column("run_id", sa.String(64), nullable=False),
        sa.Column("reset_event_id", sa.Integer, nullable=False),
        sa.Column("base_run_id", sa.String(64), nullable=False),
        sa.Column("reset_at", _TS, nullable=False),
        sa.Column("reset_by", sa.String(200), nullable=False),
        sa.Column("reset_reason", sa.Text, nullable=False),
        sa.Column("acknowledged_by", sa.String(128), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("why", sa.Text, nullable=False),
        sa.Column("acknowledged_at", _TS, nullable=False),
        sa.Column("origin", sa.String(200), nullable=False),
        sa.Column("seal", sa.String(64), nullable=True),
    )
    op.create_index("ix_reset_acknowledgements_workflow_id", "reset_acknowledgements",
                    ["workflow_id"])
    # the chain's end is read as each acknowledgement is sealed: from the index
    op.create_index("ix_reset_acknowledgements_seal", "reset_acknowledgements", ["seal"])


def downgrade() -> None:
    kept = op.get_bind().execute(
        sa.text("select count(*) from reset_acknowledgements")).scalar_one()
    if kept:
        raise RuntimeError(f"{kept} reset acknowledgement(s) kept: dropping them would bring "
                           "back the findings of the resets they acknowledged "
                           "(`records verify`)")
    op.drop_index("ix_reset_acknowledgements_seal", "reset_acknowledgements")
    op.drop_index("ix_reset_acknowledgements_workflow_id", "reset_acknowledgements")
    op.drop_table("reset_acknowledgements")
