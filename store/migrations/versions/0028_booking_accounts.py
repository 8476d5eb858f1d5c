"""The account a ledger booking pays into and the bank it is kept at, beside its payee: a
payout to the borrower's settlement account (结算账户) and each entrusted payment (受托支付),
so that finance matches a booking to the bank's payment by its account. Bookings made before
keep none (an entrusted one names its account in its purpose, as it did).

Revision ID: 0028_booking_accounts
Revises: 0027_payment_reference_keys
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0028_booking_accounts"
down_revision = "0027_payment_reference_keys"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ledger_bookings") as table:
        table.add_column(sa.Column("account", sa.String(64), nullable=True))
        table.add_column(sa.Column("bank", sa.String(200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ledger_bookings") as table:
        table.drop_column("bank")
        table.drop_column("account")
