"""Document readings: what OCR read from each stored document of a journey."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from journey.documents import (
    BusinessLicense,
    DocumentKind,
    DocumentReading,
    DocumentRef,
    FinancialStatement,
    ReadStatus,
    SupportingDocument,
)
from store._dialect import insert_for
from store.db import ready
from store.models import DocumentReadingRow


def _values(workflow_id: str, reading: DocumentReading) -> dict[str, Any]:
    fields = reading.license or reading.statement or reading.supporting
    return {
        "workflow_id": workflow_id,
        "sha256": reading.ref.sha256,
        "filename": reading.ref.filename,
        "size": reading.ref.size,
        "kind": reading.kind.value,
        "status": reading.status.value,
        "fields": fields.model_dump(mode="json") if fields else {},
        "reason": reading.reason,
        "seconds": reading.seconds,
        "recorded_at": datetime.now(UTC),
    }


def _reading(r: DocumentReadingRow) -> DocumentReading:
    kind = DocumentKind(r.kind)
    license_ = statement = supporting = None
    if r.fields and kind is DocumentKind.BUSINESS_LICENSE:
        license_ = BusinessLicense.model_validate(r.fields)
    elif r.fields and kind in (DocumentKind.BALANCE_SHEET, DocumentKind.INCOME_STATEMENT):
        statement = FinancialStatement.model_validate(r.fields)
    elif r.fields and kind is DocumentKind.OTHER:
        supporting = SupportingDocument.model_validate(r.fields)
    return DocumentReading(
        ref=DocumentRef(sha256=r.sha256, filename=r.filename, size=r.size),
        status=ReadStatus(r.status),
        kind=kind,
        license=license_,
        statement=statement,
        supporting=supporting,
        reason=r.reason,
        seconds=r.seconds,
    )


def record_reading(url: str, workflow_id: str, reading: DocumentReading) -> None:
    """Store a reading; reading the same document again for the journey replaces it."""
    engine = ready(url)
    values = _values(workflow_id, reading)
    stmt = insert_for(engine, DocumentReadingRow.__table__).values(values)
    stmt = stmt.on_conflict_do_update(
        index_elements=["workflow_id", "sha256"],
        set_={k: stmt.excluded[k] for k in values if k not in ("workflow_id", "sha256")},
    )
    with Session(engine) as s, s.begin():
        s.execute(stmt)


class DocumentHolder(BaseModel):
    """A journey that has a stored document, as its reading names it."""

    workflow_id: str
    sha256: str
    filename: str
    kind: DocumentKind
    status: ReadStatus


def holders(url: str, prefix: str) -> list[DocumentHolder]:
    """The journeys that have a document whose sha256 begins with `prefix` (hex, lower case),
    by digest, in the order they were first read."""
    with Session(ready(url)) as s:
        rows = s.scalars(
            select(DocumentReadingRow)
            .where(DocumentReadingRow.sha256.startswith(prefix))
            .order_by(DocumentReadingRow.sha256, DocumentReadingRow.id)
        )
        return [DocumentHolder(workflow_id=r.workflow_id, sha256=r.sha256, filename=r.filename,
                               kind=DocumentKind(r.kind), status=ReadStatus(r.status))
                for r in rows]


def readings_for(url: str, workflow_id: str) -> list[DocumentReading]:
    """A journey's document readings, in the order they were first recorded."""
    with Session(ready(url)) as s:
        rows = s.scalars(
            select(DocumentReadingRow)
            .where(DocumentReadingRow.workflow_id == workflow_id)
            .order_by(DocumentReadingRow.id)
        )
        return [_reading(r) for r in rows]


def licences_printing(url: str, credit_code: str) -> list[tuple[str, BusinessLicense]]:
    """Each business licence any journey read printing `credit_code` (checksum valid) whose
    name is sure (as a clerk corrected it, or read sure: `BusinessLicense.sure_name`), with the
    journey it was read in, in the order read: whose the code is, as the bank holds it. A name
    read unsure is no evidence that its company holds the code."""
    with Session(ready(url)) as s:
        rows = s.scalars(
            select(DocumentReadingRow)
            .where(DocumentReadingRow.kind == DocumentKind.BUSINESS_LICENSE.value,
                   DocumentReadingRow.status == ReadStatus.READ.value,
                   DocumentReadingRow.fields["credit_code"].as_string() == credit_code)
            .order_by(DocumentReadingRow.id)
        )
        found = [(r.workflow_id, BusinessLicense.model_validate(r.fields)) for r in rows]
    return [(wf, lic) for wf, lic in found if lic.credit_code_valid and lic.sure_name()]


def licences_of(url: str, workflow_ids: list[str]) -> dict[str, list[BusinessLicense]]:
    """The business licences each of `workflow_ids` read, by journey (none: left out)."""
    out: dict[str, list[BusinessLicense]] = {}
    if not workflow_ids:
        return out
    with Session(ready(url)) as s:
        for r in s.scalars(
            select(DocumentReadingRow)
            .where(DocumentReadingRow.workflow_id.in_(workflow_ids),
                   DocumentReadingRow.kind == DocumentKind.BUSINESS_LICENSE.value,
                   DocumentReadingRow.status == ReadStatus.READ.value)
            .order_by(DocumentReadingRow.id)
        ):
            out.setdefault(r.workflow_id, []).append(BusinessLicense.model_validate(r.fields))
    return out
