"""A repayment's claimed reference keyed by its normal form (journey/bank_reference.py), so
that `fin-pre-001` and ` FIN-PRE-001` are one bank payment's reference, not two.

The key is indexed, not unique: claims typed before it may hold one payment under two
spellings (the same loan's, or two loans'), and which loan that money pays is for finance
to say; the migration keeps every one as it is, keyed, and `book` reports those that share a
key as not reconciled. New claims are looked up by the key under the claims' lock
(store/reference_claims.py), which keeps one claim a key from here on.

Revision ID: 0027_payment_reference_keys
Revises: 0026_payer_outflows
Create Date: 2026-12-07
"""

from __future__ import annotations

import re
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0027_payment_reference_keys"
down_revision = "0026_payer_outflows"
branch_labels = None
depends_on = None

_WHITESPACE = re.compile(r"\s+")


def _key(reference: str) -> str:
    """The normal form as it was when this migration was written: frozen here, not imported
    from journey/, as a migration must not change with the code."""
    return _WHITESPACE.sub(" ", unicodedata.normalize("NFKC", reference).strip()).upper()


def upgrade() -> None:
    with op.batch_alter_table("payment_references") as table:
        table.add_column(sa.Column("reference_key", sa.String(128), nullable=True))
    claims = sa.table("payment_references", sa.column("id", sa.Integer),
                      sa.column("reference", sa.String), sa.column("reference_key", sa.String))
    bind = op.get_bind()
    for claim_id, reference in bind.execute(sa.select(claims.c.id, claims.c.reference)).all():
        bind.execute(claims.update().where(claims.c.id == claim_id).values(
            reference_key=_key(reference)))
    op.create_index("ix_payment_references_reference_key", "payment_references",
                    ["reference_key"])


def downgrade() -> None:
    op.drop_index("ix_payment_references_reference_key", "payment_references")
    with op.batch_alter_table("payment_references") as table:
        table.drop_column("reference_key")
