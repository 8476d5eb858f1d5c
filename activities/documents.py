"""Read one stored document: classify it, extract its fields, never fail the journey.

A document that cannot be read comes back as UNREADABLE with the reason, so completeness
asks the customer for it again; a legible page of no kind the checklist names (a letter, a
contract) is READ as a supporting document (`other`) with its text. Engine trouble
(tesseract missing, a timeout) is retried; a page that times out on TIMEOUTS_UNREADABLE
attempts in a row is UNREADABLE (reason `timeout`): the journey retries its reads until they
succeed, and a page tesseract cannot finish in its time limit would hold it at documents for
ever, the customer never asked for a better scan. Each reading is kept in the journey store by
the journey's own worker once read (`keep_new_reading`), and kept again as a clerk corrects it
(`keep_reading`), sealed with the archive key where the worker has it
(store/reading_seals.py). The reader, which parses the customers' files, holds neither the
journey database nor the archive key: only a read scheduled before the journey kept its
readings (`reader_keeps`) asks it to keep the reading, and waits for a reader with the
database (`ReaderNeedsDatabase`).
"""

from __future__ import annotations

import time

from temporalio import activity
from temporalio.exceptions import ApplicationError

import ocr
from activities.heartbeat import heartbeating
from activities.metrics import observe_ocr
from journey import contracts
from journey.contracts import KeepReadingInput, KeptReading, ReadDocumentInput
from journey.documents import (
    BusinessLicense,
    DocumentKind,
    DocumentReading,
    DocumentRef,
    FinancialStatement,
    ReadStatus,
)
from journey.settings import Settings
from store import blob_cipher, blobs
from store.documents import record_reading
from store.scan_erasures import erased
from store.seal_key import SealingOnce
from store.sealed_records import READ

# The attempt at which an engine timeout is the page's, not the reader's: by then it has timed
# out on every attempt for half a minute of backoff (1+2+4+8+16 s), each a full OCR_TIMEOUT_S
# on one recognition, where a page takes 2-8 s: a loaded reader recovers well within that, a
# page that tesseract cannot finish in time never does. Past a drawdown's READ_RETRY (5
# attempts, workflows/drawdowns.py), whose reads still fail as "could not be read".
TIMEOUTS_UNREADABLE = 6

class DocumentActivities:
    def __init__(self, settings: Settings) -> None:
        self._store = blobs.DocumentStore.of(settings)
        # None: a reader without the journey database, which keeps no reading
        self._url = settings.journey_db_url
        # the worker's key when the readings were sealed with it (or none yet), else None:
        # kept unsealed with another (`records verify` names it inserted)
        self._sealing = None if self._url is None else SealingOnce(
            self._url, settings.archive_seal_key, READ)
        configure_ocr(settings)

    @activity.defn(name=contracts.READ_DOCUMENT)
    def read_document(self, request: ReadDocumentInput) -> DocumentReading:
        if request.reader_keeps and self._url is None:  # before the journey kept its readings
            raise ApplicationError(
                "a read scheduled before this version (the journey kept its own readings since)"
                " asks its reader to keep the reading in the journey database, which this "
                "reader has not (role documents, LOAN_JOURNEY_DATABASE_URL unset): retried "
                "until a reader with the journey database reads it; give one reader the "
                "database's URL, password and archive key, or run a worker of role all, until "
                "the reads scheduled before the upgrade are done", type="ReaderNeedsDatabase")
        # the worker's store is not there: retried until it is
        if (problem := blobs.store_problem(self._store.root, writing=False)) is not None:
            raise ApplicationError(problem, type="DocumentStoreMissing")
        try:
            data = blobs.get(self._store, request.ref.sha256)
        # the store's, not the customer's: retried until the keys are set or the file restored
        except blob_cipher.DocumentKeysMissing as err:
            raise ApplicationError(str(err), type="DocumentKeysMissing") from None
        except blob_cipher.BlobTampered as err:
            raise ApplicationError(str(err), type="DocumentTampered") from None
        except FileNotFoundError:  # never stored, or erased: the customer is asked for it
            reading = DocumentReading(
                ref=request.ref, status=ReadStatus.MISSING, kind=DocumentKind.UNKNOWN,
                reason=_not_stored(request.ref))
            return self._kept_by_reader(request, reading)
        started = time.perf_counter()
        try:
            with heartbeating():
                reading = _read(data, request)
        except ocr.EngineError as err:  # retried by the workflow's policy; counted each time
            observe_ocr("unknown", time.perf_counter() - started, err.reason)
            if not isinstance(err, ocr.EngineTimeout) \
                    or activity.info().attempt < TIMEOUTS_UNREADABLE:
                raise
            reading = DocumentReading(  # the page's: the customer is asked for a clearer one
                ref=request.ref, status=ReadStatus.UNREADABLE, kind=DocumentKind.UNKNOWN,
                reason=f"{err.reason}: {err} (attempt {activity.info().attempt})")
            return self._kept_by_reader(request, reading)
        reading.seconds = round(time.perf_counter() - started, 3)
        observe_ocr(reading.kind.value, reading.seconds, reading.reason_code())
        return self._kept_by_reader(request, reading)

    @activity.defn(name=contracts.KEEP_NEW_READING)
    def keep_new_reading(self, request: KeepReadingInput) -> KeptReading:
        """Keep what a read returned, on the journey's own queue, and say what keeping it
        told: a scan missing from the store says why, never sent or erased under retention
        (which the reader, without the journey database, cannot tell)."""
        kept = self._keep(request.workflow_id, request.reading)
        return KeptReading(reason=kept.reason if kept.status is ReadStatus.MISSING else None)

    @activity.defn(name=contracts.KEEP_READING)
    def keep_reading(self, request: KeepReadingInput) -> None:
        """Keep a reading as the journey now has it, in place of what OCR read: the store's
        readings say whose a credit code is (store/documents.py `licences_printing`), and a
        misread a clerk corrected must not say it."""
        record_reading(self._db(), request.workflow_id, request.reading, self._key())

    def _kept_by_reader(self, request: ReadDocumentInput, reading: DocumentReading
                        ) -> DocumentReading:
        """`reading`, kept here first when its read was scheduled before the journey kept its
        readings (`reader_keeps`)."""
        return self._keep(request.workflow_id, reading) if request.reader_keeps else reading

    def _keep(self, workflow_id: str, reading: DocumentReading) -> DocumentReading:
        """Keep a new reading of journey `workflow_id`, a missing scan's reason told from the
        database (never sent, or erased under retention); the reading as kept."""
        if reading.status is ReadStatus.MISSING:
            reading = reading.model_copy(update={"reason": _missing(self._db(), reading.ref)})
        record_reading(self._db(), workflow_id, reading, self._key())
        return reading

    def _db(self) -> str:
        if self._url is None:  # a reader runs none of the journey's writes
            raise ApplicationError("this reader has no journey database "
                                   "(LOAN_JOURNEY_DATABASE_URL unset)", type="ReaderNeedsDatabase")
        return self._url

    def _key(self) -> bytes | None:
        return None if self._sealing is None else self._sealing()


def _not_stored(ref: DocumentRef) -> str:
    """Why the document `ref` is not in the store, as a reader can tell: never sent (the
    journey's worker tells an erased one apart, `_missing`)."""
    return f"missing: {ref.filename} is not in the document store: send the file itself"


def _missing(url: str, ref: DocumentRef) -> str:
    """Why the document `ref` is not in the store, for its customer: never sent, or erased
    once the retention of the journeys that had it passed (store/scan_erasures.py)."""
    erasure = erased(url, ref.sha256)
    if erasure is None:
        return _not_stored(ref)
    return (f"missing: {ref.filename} is no longer in the document store (erased on "
            f"{erasure.erased_on} under the bank's retention rule): "
            "send the file itself again")


def configure_ocr(settings: Settings) -> None:
    """The OCR engine as the settings say (OCR_THREADS, OCR_TIMEOUT_S, OCR_ENGINE,
    TESSDATA_PREFIX), for the reads from now on."""
    ocr.configure(threads=settings.ocr_threads, timeout_s=settings.ocr_timeout_s,
                  engine=settings.ocr_engine, tessdata=settings.tessdata_prefix)


def _read(data: bytes, request: ReadDocumentInput) -> DocumentReading:
    """One pass of the OCR: a licence, a statement, or a legible page of any other kind kept
    as a supporting document with its text; an unreadable page says why."""
    try:
        kind, model = ocr.read_document(data)
    except ocr.UnreadableDocument as err:
        return DocumentReading(
            ref=request.ref, status=ReadStatus.UNREADABLE, kind=DocumentKind.UNKNOWN,
            reason=f"{err.reason}: {err}",
        )
    reading = DocumentReading(ref=request.ref, status=ReadStatus.READ, kind=kind)
    if isinstance(model, BusinessLicense):
        reading.license = model
    elif isinstance(model, FinancialStatement):
        reading.statement = model
    else:
        reading.supporting = model
    return reading
