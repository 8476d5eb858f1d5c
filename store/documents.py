"""Document readings: what OCR read from each stored document of a journey."""

from __future__ import annotations

import logging
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
from store.db import ready
from store.models import DocumentReadingRow
from store.reading_seals import CHAIN, DocumentReadingChangeRow, change_facts
from store.reading_seals import facts as reading_facts
from store.seal_check import rows_checked
from store.sealed_records import READ, READINGS
from store.seals import KEY_SETTING, add_sealed, replaced_seal, seal_next, sealing

_log = logging.getLogger(__name__)

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


def record_reading(url: str, workflow_id: str, reading: DocumentReading,
                   key: bytes | None = None) -> None:
    """Store a reading, sealed with `key` when given, next in the readings' chain
    (store/reading_seals.py); reading the same document again for the journey replaces it
    (the same reading kept again changes nothing), a sealed one sealed again over it, its
    change kept with the seal it replaced. Without `key` it is kept unsealed (`records verify`
    names it inserted once the readings are sealed), the change kept all the same."""
    values = _values(workflow_id, reading)
    with sealing(url, DocumentReadingRow.__tablename__) as s:
        row = s.scalars(select(DocumentReadingRow).where(
            DocumentReadingRow.workflow_id == workflow_id,
            DocumentReadingRow.sha256 == reading.ref.sha256)).first()
        if row is None:
            add_sealed(s, key, DocumentReadingRow(**values), reading_facts, CHAIN)
            return
        if all(getattr(row, k) == v for k, v in values.items() if k != "recorded_at"):
            return
        sealed = row.seal is not None  # one kept before the key is sealed by `records seal`
        if sealed:  # the change first, next in the chain while the reading holds its seal
            add_sealed(s, key, DocumentReadingChangeRow(
                reading_id=row.id, workflow_id=workflow_id, sha256=row.sha256,
                changed_at=values["recorded_at"],
                replaced_seal=replaced_seal(s, key, row, reading_facts, CHAIN, "document reading")),
                change_facts, CHAIN)
        for column, value in values.items():
            setattr(row, column, value)
        row.seal = None
        if sealed and key is not None:
            seal_next(s, key, row, reading_facts, CHAIN)


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


def licences_printing(url: str, credit_code: str, key: bytes | None = None
                      ) -> list[tuple[str, BusinessLicense]]:
    """Each business licence any journey read printing `credit_code` (checksum valid) whose
    name is sure (as a clerk corrected it, or read sure: `BusinessLicense.sure_name`), with the
    journey it was read in, in the order read: whose the code is, as the bank holds it. A name
    read unsure is no evidence that its company holds the code. With `key`, each reading is
    checked against its seal as it is read (`vouched`): one changed or inserted in the
    database is no evidence either."""
    with Session(ready(url)) as s:
        rows = list(s.scalars(
            select(DocumentReadingRow)
            .where(DocumentReadingRow.kind == DocumentKind.BUSINESS_LICENSE.value,
                   DocumentReadingRow.status == ReadStatus.READ.value,
                   DocumentReadingRow.fields["credit_code"].as_string() == credit_code)
            .order_by(DocumentReadingRow.id)
        ))
        if key is not None:
            rows = vouched(s, key, rows)
        found = [(r.workflow_id, BusinessLicense.model_validate(r.fields)) for r in rows]
    return [(wf, lic) for wf, lic in found if lic.credit_code_valid and lic.sure_name()]


def vouched(s: Session, key: bytes, rows: list[DocumentReadingRow]
            ) -> list[DocumentReadingRow]:
    """`rows`, but those that fail their seals or were inserted after sealing began, as
    `records verify` finds them (those rows checked alone, store/seal_check.py
    `rows_checked`), each left out logged at ERROR: what it says is not taken. A reading kept
    unsealed before sealing began is taken as it is, as without the key; with a key that is
    not the readings', none is vouched for."""
    failing = {f.record: f for f in rows_checked(s, key, READ, {READINGS.name: rows})
               if f.tampered}
    for f in failing.values():
        _log.error("%s is not taken for what it reads: it fails its seal (%s), changed "
                   "outside the engine, or %s is not the key the readings were sealed with: "
                   "%s; run `loan-journey records verify`", f.record, f.found.value,
                   KEY_SETTING, f.detail)
    return [r for r in rows if READINGS.label(r) not in failing]


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
