"""The read activity never fails a journey over a document: one named but never stored is
read as missing, a scan too small to read as unreadable (the customer is asked for either);
a store that is not mounted is retried. A multi-page TIFF is stored page by page; a PDF is
stored whole and read as one document."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.documents import TIMEOUTS_UNREADABLE, DocumentActivities, configure_ocr
from journey.contracts import ReadDocumentInput
from journey.documents import DocumentKind, DocumentRef, ReadStatus
from journey.settings import Settings
from journey.unreadable import SCAN_OR_PHOTO, unreadable_notice
from ocr import EngineTimeout
from starter import applications
from starter.errors import BadInput
from store import blobs
from store.documents import readings_for
from tests.ocr.conftest import SAMPLES, pdf, shrunk

GHOST = DocumentRef(sha256="0" * 64, filename="ghost.jpg", size=10)


def test_a_document_named_but_never_stored_is_read_as_missing(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    settings.documents_dir.mkdir(parents=True)
    reading = DocumentActivities(settings).read_document(
        ReadDocumentInput(workflow_id="loan-X", ref=GHOST))
    assert reading.status is ReadStatus.MISSING
    assert reading.reason == ("missing: ghost.jpg is not in the document store: send the file "
                              "itself")
    assert [r.ref.sha256 for r in readings_for(settings.db_url, "loan-X")] == [GHOST.sha256]


def test_a_store_that_is_not_there_is_retried_not_read_as_missing(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, document_store=tmp_path / "not-mounted")
    with pytest.raises(ApplicationError, match="not there: mount it") as raised:
        DocumentActivities(settings).read_document(
            ReadDocumentInput(workflow_id="loan-X", ref=GHOST))
    assert not raised.value.non_retryable


def test_a_licence_photographed_too_small_is_read_as_unreadable_saying_what_to_send(
    tmp_path: Path,
) -> None:
    """Really OCR'd: refused by its size, not read badly into empty fields."""
    settings = Settings(data_dir=tmp_path)
    tiny = blobs.put(blobs.DocumentStore.of(settings),
                     shrunk("company1_business_license.jpg", 310, 438), "licence.jpg")
    reading = ActivityEnvironment().run(DocumentActivities(settings).read_document,
                                        ReadDocumentInput(workflow_id="loan-X", ref=tiny))
    assert reading.status is ReadStatus.UNREADABLE and reading.license is None
    assert reading.reason is not None
    assert reading.reason.startswith("too_small: this image is 310×438 px, below the 620×877 px")
    assert "Scan the document at 200 dpi or more" in reading.reason
    stored = readings_for(settings.db_url, "loan-X")
    assert [(r.status, r.reason) for r in stored] == [(ReadStatus.UNREADABLE, reading.reason)]


def test_every_page_of_a_multi_page_tiff_is_stored_and_read_as_the_document_it_is(
    tmp_path: Path,
) -> None:
    """A scanner's two-page TIFF (balance sheet, income statement): each page a document,
    really OCR'd; the same file reaching the reader whole is refused saying so, not read from
    its first page alone."""
    settings = Settings(data_dir=tmp_path)
    first, second = (Image.open(SAMPLES / f"company1_{k}.jpg")
                     for k in ("balance_sheet", "income_statement"))
    tiff = tmp_path / "stmts_2pages.tif"
    first.save(tiff, save_all=True, append_images=[second], compression="jpeg")
    refs = applications.store_documents(settings, [tiff])
    assert [r.filename for r in refs] == ["stmts_2pages.tif (page 1 of 2)",
                                          "stmts_2pages.tif (page 2 of 2)"]
    read = [ActivityEnvironment().run(DocumentActivities(settings).read_document,
                                      ReadDocumentInput(workflow_id="loan-X", ref=r))
            for r in refs]
    assert [(r.status, r.kind) for r in read] == [
        (ReadStatus.READ, DocumentKind.BALANCE_SHEET),
        (ReadStatus.READ, DocumentKind.INCOME_STATEMENT)]
    whole = blobs.put(blobs.DocumentStore.of(settings), tiff.read_bytes(), tiff.name)
    refused = ActivityEnvironment().run(DocumentActivities(settings).read_document,
                                        ReadDocumentInput(workflow_id="loan-X", ref=whole))
    assert refused.status is ReadStatus.UNREADABLE and refused.reason is not None
    assert refused.reason.startswith("multi_page: the file holds 2 pages")


def test_a_pdf_is_stored_whole_and_read_as_one_document(tmp_path: Path) -> None:
    """A scanned licence with its blank back side, really OCR'd: one document, not a page
    each as a TIFF's are, read as the licence, and its reading recorded."""
    settings = Settings(data_dir=tmp_path)
    scan = tmp_path / "licence.pdf"
    scan.write_bytes(pdf(Image.open(SAMPLES / "company1_business_license.jpg"),
                         Image.new("RGB", (1240, 1754), "white")))
    [ref] = applications.store_documents(settings, [scan])
    assert ref.filename == "licence.pdf" and blobs.get(blobs.DocumentStore.of(settings),
                                                       ref.sha256) == (
        scan.read_bytes())
    reading = ActivityEnvironment().run(DocumentActivities(settings).read_document,
                                        ReadDocumentInput(workflow_id="loan-X", ref=ref))
    assert (reading.status, reading.kind) == (ReadStatus.READ, DocumentKind.BUSINESS_LICENSE)
    assert reading.license is not None and reading.license.credit_code == "91440300HNAG2PQU4A"
    assert [(r.status, r.kind) for r in readings_for(settings.db_url, "loan-X")] == [
        (ReadStatus.READ, DocumentKind.BUSINESS_LICENSE)]


def test_a_tiff_of_more_pages_than_a_loan_file_is_refused_before_anything_is_stored(
    tmp_path: Path,
) -> None:
    settings = Settings(data_dir=tmp_path)
    pages = [Image.new("L", (8, 8), shade) for shade in range(21)]
    bundle = tmp_path / "archive.tif"
    pages[0].save(bundle, save_all=True, append_images=pages[1:])
    with pytest.raises(BadInput, match="archive.tif: the file holds 21 pages, more than the 20"):
        applications.store_documents(settings, [bundle])
    bundle.write_bytes(bytes(31 * 1024 * 1024))
    with pytest.raises(BadInput, match="over 30 MB, more than a page's scan or photo: send each "
                       "page as a file of its own, scanned at 200-300 dpi or photographed"):
        applications.store_documents(settings, [bundle])
    assert not settings.documents_dir.exists() or not any(settings.documents_dir.iterdir())


@pytest.fixture
def engine_as_set(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The OCR engine's settings are the process's: put back the defaults after the test,
    once its variables are gone (read with OCR_TIMEOUT_S=0.01 still set, the "defaults" gave
    every later read in the process a hundredth of a second: the e2e journeys after it in a
    full run timed out reading their licences)."""
    yield
    monkeypatch.undo()
    configure_ocr(Settings())


def test_the_reader_runs_the_ocr_engine_its_settings_name_with_their_time_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine_as_set: None
) -> None:
    """OCR_ENGINE and OCR_TIMEOUT_S, under their old names, read by the settings as the reader
    starts: the `tesseract` binary (not libtesseract, installed here and the default), given a
    hundredth of a second for a real licence, fails as the engine's timeout (retried), not
    as an unreadable page."""
    monkeypatch.setenv("OCR_ENGINE", "pytesseract")
    monkeypatch.setenv("OCR_TIMEOUT_S", "0.01")
    settings = Settings(data_dir=tmp_path)
    licence = blobs.put(blobs.DocumentStore.of(settings),
                        (SAMPLES / "company1_business_license.jpg").read_bytes(), "licence.jpg")
    with pytest.raises(EngineTimeout):
        ActivityEnvironment().run(DocumentActivities(settings).read_document,
                                  ReadDocumentInput(workflow_id="loan-X", ref=licence))


def test_a_page_that_times_out_on_every_attempt_is_unreadable_not_retried_for_ever(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine_as_set: None
) -> None:
    """The journey retries its reads until they succeed (workflows/io_retry.py): a page whose
    recognition never finishes within OCR_TIMEOUT_S held the journey at documents for ever.
    From attempt TIMEOUTS_UNREADABLE the timeout is the page's: read as unreadable, kept, and
    the customer asked for a clearer scan."""
    monkeypatch.setenv("OCR_ENGINE", "pytesseract")
    monkeypatch.setenv("OCR_TIMEOUT_S", "0.01")
    settings = Settings(data_dir=tmp_path)
    licence = blobs.put(blobs.DocumentStore.of(settings),
                        (SAMPLES / "company1_business_license.jpg").read_bytes(), "licence.jpg")
    request = ReadDocumentInput(workflow_id="loan-X", ref=licence)
    env = ActivityEnvironment()
    env.info = dataclasses.replace(env.info, attempt=TIMEOUTS_UNREADABLE - 1,
                                   heartbeat_timeout=None)
    with pytest.raises(EngineTimeout):  # still the reader's, maybe: retried
        env.run(DocumentActivities(settings).read_document, request)
    env.info = dataclasses.replace(env.info, attempt=TIMEOUTS_UNREADABLE)
    reading = env.run(DocumentActivities(settings).read_document, request)
    assert (reading.status, reading.reason_code()) == (ReadStatus.UNREADABLE, "timeout")
    assert [r.status for r in readings_for(settings.db_url, "loan-X")] == [ReadStatus.UNREADABLE]
    assert unreadable_notice(reading) == (
        "We could not read licence.jpg: its writing took too long to read, as it came: please "
        f"{SCAN_OR_PHOTO}, sharp and evenly lit")
