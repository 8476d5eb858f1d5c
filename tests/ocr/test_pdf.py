"""Scanned PDFs, made from the sample scans and rendered statements, read by the real pipeline:
a page reads as its image does, a statement on two pages is one statement, and a PDF that
cannot be read is refused saying why."""

from __future__ import annotations

import ctypes
import io
import random
from datetime import date
from decimal import Decimal

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from PIL import Image

import ocr
from ocr._api import FLATTENED
from ocr._document import read
from ocr._page import Page
from ocr._steps import preprocess
from ocr.corpus._damage import photograph
from ocr.corpus._fonts import FACES
from ocr.corpus._statement_page import render_statement
from ocr.pdf_pages import pdf_pages
from tests.ocr.conftest import clean_license, jpeg, locked, pdf, pdf_of, sample_path, shrunk

LICENCE = "company1_business_license.jpg"
FIGURES = ("cash", "current_assets", "total_assets", "current_liabilities",
           "total_liabilities", "total_equity")


def test_a_one_page_pdf_licence_reads_as_its_image() -> None:
    scan = sample_path(LICENCE)
    as_image = ocr.extract_license(scan)
    assert as_image.credit_code_valid  # the image reads: the PDF has something to match
    document = pdf(Image.open(scan))  # 1240x1754 px on an A4 page: 150 dpi
    as_pdf = ocr.extract_license(document)
    assert as_pdf.model_dump(exclude={"confidence"}) == as_image.model_dump(
        exclude={"confidence"})
    ((page, dpi),) = pdf_pages(document)  # read at the scan's own resolution, not at 300 dpi
    assert page.shape[:2] == (1754, 1240) and round(dpi) == 150


def test_a_pdf_of_a_scan_too_coarse_to_read_is_refused_naming_the_page() -> None:
    coarse = Image.open(io.BytesIO(shrunk(LICENCE, 600, 800)))  # a phone's picture of A4
    with pytest.raises(ocr.ImageTooSmall) as err:  # on a page of A4's size: 72 dpi, as is the
        ocr.classify(pdf(Image.open(sample_path(LICENCE)), coarse, dpi=72))  # fine first page
    assert err.value.reason == "too_small" and str(err.value).startswith(
        "page 2 of the PDF: the scan is too coarse: 600×800 px, below the 620×877 px of an A4 "
        "page at 75 dpi")
    assert str(err.value).endswith("Scan the document at 200 dpi or more (an A4 page: "
                                   "1654×2339 px), or photograph the whole page at the camera's "
                                   "full resolution")


def _statement_on_two_pages() -> tuple[Image.Image, Image.Image, dict]:
    """A ruled balance sheet cut at the rule under 资产总计: the assets and the column headers
    on the first page, the liabilities and equity on the second, each an A4 page."""
    sheet, labels = render_statement("balance_sheet", "zh", "ruled", "测试科技有限公司",
                                     date(2025, 12, 31), "元", FACES[0], random.Random(3))
    grey = np.asarray(sheet.convert("L"))
    rules = (grey < 128).mean(axis=1) > 0.6
    tops = [y for y in range(1, len(rules)) if rules[y] and not rules[y - 1]]
    cut = tops[14] + 3  # the table's top, the headers' and 13 rows' rules: 资产总计 is row 13
    first, second = Image.new("RGB", sheet.size, "white"), Image.new("RGB", sheet.size, "white")
    first.paste(sheet.crop((0, 0, sheet.width, cut)), (0, 0))
    second.paste(sheet.crop((0, cut, sheet.width, sheet.height)), (0, 150))
    return first, second, labels


def test_a_balance_sheet_on_two_pages_is_one_statement() -> None:
    first, second, labels = _statement_on_two_pages()
    statement = ocr.extract_statement(pdf(first, second))
    assert {f: getattr(statement, f) for f in FIGURES} == {f: Decimal(labels[f]) for f in FIGURES}
    assert statement.balances is True and statement.period_end == date(2025, 12, 31)
    alone = ocr.extract_statement(pdf(first))  # the second page's rows are its own
    assert alone.total_equity is None and "row not found" in alone.problems["total_equity"]


def test_pages_scanned_at_resolutions_of_their_own_are_joined_on_one_scale() -> None:
    first, second, labels = _statement_on_two_pages()
    coarse = first.resize((round(first.width * 0.85), round(first.height * 0.85)))
    document = pdf_of(pdf(coarse, dpi=round(150 * 0.85)), pdf(second))  # both A4 pages
    one, two = (preprocess(Page(image)).notes for image, _ in pdf_pages(document))
    assert "upscaled" in one and "upscaled" not in two  # read at different scales
    statement = ocr.extract_statement(document)  # page 1's headers over page 2's columns
    assert {f: getattr(statement, f) for f in FIGURES} == {f: Decimal(labels[f]) for f in FIGURES}
    assert statement.balances is True and not set(statement.problems) & set(FIGURES)


def test_figures_of_a_page_whose_columns_miss_the_headers_are_flagged_not_taken() -> None:
    first, second, labels = _statement_on_two_pages()
    shifted = Image.new("RGB", (second.width + 300, second.height), "white")
    shifted.paste(second, (300, 0))  # laid on the scanner a column's width to the right
    statement = ocr.extract_statement(pdf(first, shifted))
    on_page_two = ("current_liabilities", "total_liabilities", "total_equity")
    for field in on_page_two:  # its 期末余额 column stands under page 1's 年初余额 header
        assert statement.confidence[field] <= 0.4
        assert statement.problems[field].startswith(
            "read on page 2, whose columns do not stand under the column headers on page 1")
    assert {f: getattr(statement, f) for f in FIGURES if f not in on_page_two} == {
        f: Decimal(labels[f]) for f in FIGURES if f not in on_page_two}
    assert not set(statement.problems) & set(FIGURES) - set(on_page_two)


def test_a_blank_back_page_is_left_out() -> None:
    blank = Image.new("RGB", (1240, 1754), "white")
    licence = ocr.extract_license(pdf(Image.open(sample_path(LICENCE)), blank))
    assert licence.credit_code == "91440300HNAG2PQU4A" and licence.credit_code_valid
    assert licence.problems["page"] == "page 2 of the PDF is blank: left out"
    with pytest.raises(ocr.BlankPage) as err:
        ocr.classify(pdf(blank, blank))
    assert str(err.value).startswith("every page of the PDF is blank")


def test_pages_after_a_blank_page_keep_their_numbers_in_the_pdf() -> None:
    """A balance sheet's two pages with a blank page between them: the notes and rows name
    pages 1 and 3, as every message does, and the blank page 2 is said once."""
    first, second, labels = _statement_on_two_pages()
    blank = Image.new("RGB", first.size, "white")
    reading = read(pdf(first, blank, second))
    assert sorted({row.page for row in reading.rows}) == [1, 3]
    pages = reading.page.notes["pages"]
    assert isinstance(pages, dict) and sorted(pages) == [1, 3]
    assert reading.page.notes["blank"] == [2]
    statement = ocr.extract_statement(pdf(first, blank, second))
    assert {f: getattr(statement, f) for f in FIGURES} == {f: Decimal(labels[f]) for f in FIGURES}
    assert statement.problems == {"page": "page 2 of the PDF is blank: left out"}
    # one page read, still named as the PDF does (fresh images: Pillow's PDF writer keeps
    # the pages a page was saved with and would write them again)
    alone = read(pdf(Image.new("RGB", first.size, "white"), first.copy()))
    assert {row.page for row in alone.rows} == {2} and alone.page.notes["blank"] == [1]
    pages = alone.page.notes["pages"]
    assert isinstance(pages, dict) and sorted(pages) == [2]


def test_a_photographed_page_of_a_pdf_is_said_by_its_number() -> None:
    image, labels = clean_license(seed=21, layout="two_column_border")
    photo, _ = photograph(image, random.Random(9))
    blank = Image.new("RGB", (1240, 1754), "white")
    licence = ocr.extract_license(pdf(blank, Image.open(io.BytesIO(jpeg(photo, 85)))))
    assert licence.credit_code == labels["credit_code"]
    assert licence.problems["page"] == (
        f"page 2 of the PDF: {FLATTENED}; page 1 of the PDF is blank: left out")


def _coarse_picture_under_text(render_mode: int) -> bytes:
    """An A4 page: a 600x800 px picture of the licence covering it, and a line of text drawn
    over it in `render_mode` (invisible: a scanner's OCR layer)."""
    document = pdfium.PdfDocument.new()
    page = document.new_page(595, 842)
    picture = pdfium.PdfImage.new(document)
    picture.load_jpeg(io.BytesIO(shrunk(LICENCE, 600, 800)), inline=True)
    picture.set_matrix(pdfium.PdfMatrix().scale(595, 842))
    page.insert_obj(picture)
    text = pdfium_c.FPDFPageObj_NewTextObj(document, b"Helvetica", 12.0)
    line = "Balance sheet\x00".encode("utf-16-le")
    pdfium_c.FPDFText_SetText(text, ctypes.cast(line, pdfium_c.FPDF_WIDESTRING))
    pdfium_c.FPDFTextObj_SetTextRenderMode(text, render_mode)
    pdfium_c.FPDFPageObj_Transform(text, 1, 0, 0, 1, 72, 760)
    pdfium_c.FPDFPage_InsertObject(page, text)
    page.gen_content()
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_coarse_picture_under_printed_text_is_rendered_under_an_ocr_layer_refused() -> None:
    printed = _coarse_picture_under_text(pdfium_c.FPDF_TEXTRENDERMODE_FILL)
    ((page, _),) = pdf_pages(printed)  # a page of its own text: no scan, rendered as it stands
    assert page.shape[:2] == (2400, 1696)
    with pytest.raises(ocr.ImageTooSmall) as err:  # invisible text over a scan: still a scan
        list(pdf_pages(_coarse_picture_under_text(pdfium_c.FPDF_TEXTRENDERMODE_INVISIBLE)))
    assert str(err.value).startswith("page 1 of the PDF: the scan is too coarse: 600×800 px")


def test_a_page_that_cannot_be_read_is_named() -> None:
    stamp = Image.new("RGB", (300, 300), "white")  # a 2 x 2 inch stamp
    with pytest.raises(ocr.ImageTooSmall) as err:
        ocr.classify(pdf(Image.open(sample_path(LICENCE)), stamp))
    assert err.value.reason == "too_small" and str(err.value).startswith(
        "page 2 of the PDF: the scan is too coarse: 300×300 px")


def test_a_pdf_locked_with_a_password_is_refused_saying_so() -> None:
    with pytest.raises(ocr.EncryptedDocument) as err:
        ocr.read_document(locked(pdf(Image.open(sample_path(LICENCE)))))
    assert err.value.reason == "encrypted"
    assert "send it unlocked (print it to a new PDF, or scan the paper)" in str(err.value)


def _no_pages() -> bytes:
    out = io.BytesIO()
    pdfium.PdfDocument.new().save(out)
    return out.getvalue()


@pytest.mark.parametrize("damage", ["cut short", "no pages", "garbage"])
def test_a_damaged_pdf_or_one_of_no_page_is_refused(damage: str) -> None:
    whole = pdf(Image.open(sample_path(LICENCE)))
    document = {"cut short": whole[: len(whole) // 2], "no pages": _no_pages(),
                "garbage": b"%PDF-1.7\n" + bytes(range(256)) * 8}[damage]
    with pytest.raises(ocr.TruncatedImage) as err:
        ocr.extract_statement(document)
    assert err.value.reason == "truncated"
    assert str(err.value).startswith("the PDF is damaged or holds no page")
    assert str(err.value).endswith("upload the complete file")


def test_a_page_that_will_not_open_makes_the_pdf_damaged() -> None:
    blank = Image.new("RGB", (1240, 1754), "white")
    document = pdf(blank, blank).replace(b"/Count 2", b"/Count 3", 1)  # a third page, lost
    with pytest.raises(ocr.TruncatedImage) as err:
        ocr.classify(document)
    assert str(err.value).startswith("page 3 of the PDF is damaged")
    assert str(err.value).endswith("upload the complete file")


def test_a_pdf_of_more_pages_than_a_loan_file_is_refused_before_rendering() -> None:
    many = pdfium.PdfDocument.new()
    for _ in range(21):
        many.new_page(595, 842)  # A4 in points
    out = io.BytesIO()
    many.save(out)
    with pytest.raises(ocr.TooManyPages) as err:
        ocr.classify(out.getvalue())
    assert err.value.reason == "too_many_pages"
    assert str(err.value).startswith("the PDF holds 21 pages, more than the 20")
