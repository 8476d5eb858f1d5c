"""Claims on the outbox's notices (store/outbox.py `claim`): which notifier is sending one,
and until when its claim holds, so that two notifiers (the compose service scaled to two, or
an old one still running through a deploy) never send one notice both at once. A notice
neither claims is free; one whose claim has lapsed (its notifier killed mid-send) is free
again.

Revision ID: 0032_outbox_claims
Revises: 0030_amended_exposure
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0032_outbox_claims"
down_revision = "0031_outflow_sources"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("outbox") as table:
        table.add_column(sa.Column("claimed_by", sa.String(200), nullable=True))
        table.add_column(sa.Column("claimed_until", _TS, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as table:
        table.drop_column("claimed_until")
        table.drop_column("claimed_by")
