"""The public functions: classify a page, extract a licence or a statement, or keep the text
of a legible page of any other kind."""

from __future__ import annotations

from journey.documents import (
    BusinessLicense,
    DocumentKind,
    Extracted,
    FinancialStatement,
    SupportingDocument,
)
from ocr import _read, _tesseract
from ocr._document import read
from ocr._license import parse_license
from ocr._load import Source
from ocr._pipeline import Reading
from ocr._statement import parse_statement
from ocr._supporting import read_supporting
from ocr.errors import WrongDocumentKind

STATEMENTS = (DocumentKind.BALANCE_SHEET, DocumentKind.INCOME_STATEMENT)
NAMES = {DocumentKind.BUSINESS_LICENSE: "a business licence (营业执照)",
         DocumentKind.BALANCE_SHEET: "a balance sheet (资产负债表)",
         DocumentKind.INCOME_STATEMENT: "an income statement (利润表)",
         DocumentKind.OTHER: "a supporting document (a letter, a contract)",
         DocumentKind.UNKNOWN: "no document this service reads"}
FLATTENED = ("photographed at an angle: the page was cut from its background and flattened "
             "before reading; a flat scan reads more surely")


def _wrong(reading: Reading, wanted: str) -> WrongDocumentKind:
    return WrongDocumentKind(
        f"expected {wanted} but the page looks like {NAMES[reading.kind]}: upload the right page",
        reason="wrong_kind",
    )


def configure(*, threads: int, timeout_s: float, engine: str | None, tessdata: str) -> None:
    """The engine's settings for the reads from now on (a worker's, from journey/settings.py):
    `threads` reading one document's segments, `timeout_s` per recognition, the `engine`
    (None: tesserocr when installed) and its models' folder `tessdata`."""
    _read.set_threads(threads)
    _tesseract.configure(engine=engine, timeout_s=timeout_s, tessdata=tessdata)


def classify(source: Source) -> DocumentKind:
    """business_license, balance_sheet, income_statement or unknown."""
    return read(source).kind


def _said(model: Extracted, reading: Reading) -> None:
    """What the pipeline did to the page that the reader should know: problems["page"]; of a
    PDF (ocr._document._notes), each page by its number in the PDF, and the blank pages left
    out, so that a page lost to a faint scan is missed."""
    notes = reading.page.notes
    pages = notes.get("pages")
    if not isinstance(pages, dict):  # an image: one page
        if "flattened" in notes:
            model.problems["page"] = FLATTENED
        return
    said = [f"page {n} of the PDF: {FLATTENED}" for n, page in pages.items()
            if "flattened" in page]
    blank = notes.get("blank")
    if isinstance(blank, list):
        numbers = ", ".join(str(n) for n in blank)
        said.append(f"page {numbers} of the PDF is blank: left out" if len(blank) == 1 else
                    f"pages {numbers} of the PDF are blank: left out")
    if said:
        model.problems["page"] = "; ".join(said)


def _license(reading: Reading) -> BusinessLicense:
    model = parse_license(reading.rows, reading.page)
    _said(model, reading)
    return model


def _statement(reading: Reading) -> FinancialStatement:
    model = parse_statement(reading.rows, reading.kind, reading.page)
    _said(model, reading)
    return model


def extract_license(source: Source) -> BusinessLicense:
    """The fields of a business licence; raises WrongDocumentKind for any other page."""
    reading = read(source)
    if reading.kind is not DocumentKind.BUSINESS_LICENSE:
        raise _wrong(reading, NAMES[DocumentKind.BUSINESS_LICENSE])
    return _license(reading)


def extract_statement(source: Source) -> FinancialStatement:
    """The current-period figures of a balance sheet or income statement, in yuan."""
    reading = read(source)
    if reading.kind not in STATEMENTS:
        raise _wrong(reading, "a balance sheet or an income statement")
    return _statement(reading)


def read_document(source: Source) -> tuple[
        DocumentKind, BusinessLicense | FinancialStatement | SupportingDocument]:
    """Classify and extract in one pass: a page of no other kind is a supporting document,
    its text kept (DocumentKind.OTHER); raises IllegiblePage when that text does not read."""
    reading = read(source)
    if reading.kind is DocumentKind.BUSINESS_LICENSE:
        return reading.kind, _license(reading)
    if reading.kind in STATEMENTS:
        return reading.kind, _statement(reading)
    return DocumentKind.OTHER, read_supporting(reading)
