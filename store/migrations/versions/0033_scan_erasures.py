"""Scans erased once their retention passed (`loan-journey scans erase`, PIPL art. 19, 47):
one row per file erased, its digest, the journeys that had it, when the last of them ended,
when it was erased, by whom and under which rule; sealed with the archive key in a chain of
its own (store/seals.py), so that `records verify` tells a scan erased from one deleted.

Downgrading fails while the table keeps an erasure: dropping it would leave the erased scans
looking deleted.

Revision ID: 0033_scan_erasures
Revises: 0032_outbox_claims
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0033_scan_erasures"
down_revision = "0032_outbox_claims"
branch_labels = None
depends_on = None

# frozen here, not imported from store.types: a migration must not change with the code
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "scan_erasures",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("journeys", sa.Text, nullable=False),
        sa.Column("ended_at", _TS, nullable=False),
        sa.Column("erased_at", _TS, nullable=False),
        sa.Column("erased_by", sa.String(128), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("rule", sa.Text, nullable=False),
        sa.Column("origin", sa.String(200), nullable=False),
        sa.Column("seal", sa.String(64), nullable=True),
    )
    op.create_index("ix_scan_erasures_sha256", "scan_erasures", ["sha256"])
    # the chain's end is read as each erasure is sealed: from the index, not a table scan
    op.create_index("ix_scan_erasures_seal", "scan_erasures", ["seal"])


def downgrade() -> None:
    kept = op.get_bind().execute(sa.text("select count(*) from scan_erasures")).scalar_one()
    if kept:
        raise RuntimeError(f"{kept} scan erasure(s) kept: dropping them would leave the "
                           "erased scans looking deleted (`records verify`)")
    op.drop_index("ix_scan_erasures_seal", "scan_erasures")
    op.drop_index("ix_scan_erasures_sha256", "scan_erasures")
    op.drop_table("scan_erasures")
