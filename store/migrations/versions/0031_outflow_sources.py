"""The payment and the payer's account a refund or a return entered (store/payer_outflows.py)
was checked against (退回原账户, starter/payer_account.py), kept with it and sealed with what
its maker entered: its checker is shown, and its confirmation checks, that account, and an
auditor reads it on the entry. Entries made before keep neither: theirs is looked up, as
then, and their seals cover what they had.

Downgrading fails while a sealed entry keeps them: dropping them would leave a row its seal
no longer vouches for.

Revision ID: 0031_outflow_sources
Revises: 0030_amended_exposure
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0031_outflow_sources"
down_revision = "0030_amended_exposure"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("payer_outflows") as table:
        table.add_column(sa.Column("source_payment", sa.String(128), nullable=True))
        table.add_column(sa.Column("source_account", sa.String(64), nullable=True))


def downgrade() -> None:
    kept = op.get_bind().execute(sa.text(
        "select count(*) from payer_outflows where source_payment is not null "
        "and seal is not null")).scalar_one()
    if kept:
        raise RuntimeError(f"{kept} sealed refund or return entries keep the account they were "
                           "checked against: dropping it would break their seals")
    with op.batch_alter_table("payer_outflows") as table:
        table.drop_column("source_account")
        table.drop_column("source_payment")
