"""The document readings' chain of seals (store/seals.py): the readings say whose a credit
code is (store/documents.py `licences_printing`), so a licence's name or code changed in the
database would make its company the holder of a code that is not its own.

With the archive key, each reading is sealed as a worker keeps it, next in the chain, and
sealed again as it is kept again (a clerk's correction of its fields, or a document read
again), that change kept in its own row with the seal it replaced, so the chain stays
whole: a reading changed, inserted or deleted in the database is reported (`loan-journey
records verify`), and is not taken for a holder of its code.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from store.models import Base, BigId, DocumentReadingRow
from store.types import UTCDateTime


class DocumentReadingChangeRow(Base):
    """A sealed reading kept again: the reading sealed again over what it now says, this row
    keeps the seal it replaced (as a credit exposure change keeps its line's)."""

    __tablename__ = "document_reading_changes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    reading_id: Mapped[int] = mapped_column(ForeignKey("document_readings.id"), index=True)
    workflow_id: Mapped[str] = mapped_column(String(128))
    sha256: Mapped[str] = mapped_column(String(64))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    replaced_seal: Mapped[str | None] = mapped_column(String(64))  # the reading's, before
    seal: Mapped[str | None] = mapped_column(String(64), index=True)  # None: kept unsealed


# the readings' chain of seals: the readings (the chain is named by them), then their changes
CHAIN = [DocumentReadingRow.seal, DocumentReadingChangeRow.seal]


def facts(row: DocumentReadingRow) -> list[object]:
    """What a reading's seal covers: the whole row but the seal, its fields as JSON with
    sorted keys (as the database may hand them back in any order)."""
    return [row.id, row.workflow_id, row.sha256, row.filename, row.size, row.kind, row.status,
            json.dumps(row.fields, sort_keys=True, ensure_ascii=False), row.reason,
            f"{row.seconds:.3f}", row.recorded_at.astimezone(UTC).isoformat()]


def change_facts(row: DocumentReadingChangeRow) -> list[object]:
    """What a change's seal covers: the whole row but its seal."""
    return [row.id, row.reading_id, row.workflow_id, row.sha256,
            row.changed_at.astimezone(UTC).isoformat(), row.replaced_seal]
