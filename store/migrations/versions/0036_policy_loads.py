"""Each policy a worker loads as it starts (store/policies.py `PolicyLoadRow`): the newest load
of a kind is the policy in force, in place of `lending_policies.last_loaded_at`, which is not
sealed. With the archive key each load is sealed as it is kept, in the policies' chain, so a
load moved to another version, or inserted to bring an older policy back in force, is found.

Downgrading drops the loads while none is sealed; a sealed one would leave its place in the
policies' chain empty (`records verify`: deleted), so it refuses then.

Revision ID: 0036_policy_loads
Revises: 0035_reset_acknowledgements
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0036_policy_loads"
down_revision = "0035_reset_acknowledgements"
branch_labels = None
depends_on = None

# frozen here, not imported from store.types: a migration must not change with the code
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "policy_loads",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("loaded_at", _TS, nullable=False),
        sa.Column("origin", sa.String(200), nullable=False),
        sa.Column("seal", sa.String(64), nullable=True),
    )
    # the newest load of a kind is read for every decision the command line checks
    op.create_index("ix_policy_loads_kind", "policy_loads", ["kind"])
    # the chain's end is read as each load is sealed: from the index
    op.create_index("ix_policy_loads_seal", "policy_loads", ["seal"])


def downgrade() -> None:
    sealed = op.get_bind().execute(
        sa.text("select count(*) from policy_loads where seal is not null")).scalar_one()
    if sealed:
        raise RuntimeError(f"{sealed} sealed policy load(s) kept: dropping them would leave "
                           "their places in the policies' chain empty (`records verify`)")
    op.drop_index("ix_policy_loads_seal", "policy_loads")
    op.drop_index("ix_policy_loads_kind", "policy_loads")
    op.drop_table("policy_loads")
