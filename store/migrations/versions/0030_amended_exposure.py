"""An amendment's change of a line's amount applied for (workflows/amendments.py), kept as a
change of its principal is: in `credit_exposure_changes`, with the amount before and after,
the line sealed again over it (store/exposure.py). Before the loan runs a line owes no
principal, so an amendment's change keeps none: `principal` may be empty. The changes kept
before keep no amount, and their seals cover what they did.

Downgrading fails while an amendment's change is kept (its principal empty): dropping its
amount would leave a row its seal no longer vouches for.

Revision ID: 0030_amended_exposure
Revises: 0029_entry_seals
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0030_amended_exposure"
down_revision = "0029_entry_seals"
branch_labels = None
depends_on = None

# frozen here, not imported from store.types: a migration must not change with the code
_MONEY = sa.Numeric(18, 2).with_variant(sa.String(32), "sqlite")  # exact text on SQLite


def upgrade() -> None:
    with op.batch_alter_table("credit_exposure_changes") as table:
        table.add_column(sa.Column("amount_before", _MONEY, nullable=True))
        table.add_column(sa.Column("amount", _MONEY, nullable=True))
        table.alter_column("principal", existing_type=_MONEY, nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("credit_exposure_changes") as table:
        table.alter_column("principal", existing_type=_MONEY, nullable=False)
        table.drop_column("amount")
        table.drop_column("amount_before")
