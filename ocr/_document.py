"""A document through the pipeline: an image is one page (ocr._pipeline.read_page); each page
of a PDF (ocr.pdf_pages) is read as an image of its own, and the document's reading is theirs
joined, page under page, on one scale: a balance sheet on two pages is one statement, the
headers on its first page over the columns of the next.

A blank page among others (a scanner's empty back side) is left out, and said; any other
page that cannot be read makes the document unreadable, saying which page. A page is named by
its number in the PDF everywhere: in messages, on the rows and in the notes.
"""

from __future__ import annotations

from dataclasses import replace

import cv2
import numpy as np

from ocr._classify import classify_text
from ocr._layout import Row
from ocr._load import Source, read_bytes
from ocr._page import Page
from ocr._pipeline import Reading, read_page
from ocr._tesseract import Word
from ocr.errors import BlankPage, UnreadableDocument
from ocr.pdf_pages import is_pdf, pdf_pages

PAPER = 255


def _widened(image: np.ndarray, width: int) -> np.ndarray:
    """`image` with paper added on its right to `width`."""
    return np.pad(image, ((0, 0), (0, width - image.shape[1])), constant_values=PAPER)


def _images(page: Page) -> tuple[np.ndarray, np.ndarray]:
    assert page.gray is not None and page.binary is not None  # both made by preprocess
    return page.gray, page.binary


def _scaled(word: Word, factor: float) -> Word:
    return replace(word, left=round(word.left * factor), top=round(word.top * factor),
                   width=round(word.width * factor), height=round(word.height * factor))


def _resized(reading: Reading, factor: float) -> Reading:
    """The page's images and its words' places shrunk to `factor` times their size."""
    if round(factor, 2) == 1:
        return reading
    gray, binary = _images(reading.page)
    size = (round(gray.shape[1] * factor), round(gray.shape[0] * factor))
    binary = cv2.resize(binary, size, interpolation=cv2.INTER_AREA)
    page = replace(reading.page, gray=cv2.resize(gray, size, interpolation=cv2.INTER_AREA),
                   binary=cv2.threshold(binary, 127, PAPER, cv2.THRESH_BINARY)[1],
                   glyph_height=reading.page.glyph_height * factor,
                   scale=reading.page.scale * factor)
    rows = [Row([_scaled(w, factor) for w in row.words], row.page) for row in reading.rows]
    return replace(reading, rows=rows, page=page)


def on_one_scale(readings: list[Reading], dpis: list[float]) -> list[Reading]:
    """The pages' readings at the scale of the coarsest (pixels per inch of paper: the dpi a
    page was rendered at times what the pipeline enlarged it by, upscale_small_glyphs), so that
    a column stands where it stands on every page: pages of one scan are read at scales of
    their own where the glyphs measured on one need enlarging and on the next do not. Shrunk,
    not enlarged: an enlarged page holds no more than its scan (a weak figure is read again
    enlarged), and 20 pages enlarged twice would not fit a reader's memory."""
    ppis = [dpi * r.page.scale for r, dpi in zip(readings, dpis, strict=True)]
    return [_resized(r, min(ppis) / ppi) for r, ppi in zip(readings, ppis, strict=True)]


def _notes(readings: list[Reading], numbers: list[int], blank: list[int]) -> dict[str, object]:
    """A PDF's notes: each read page's own under "pages", by its number in the PDF (as every
    message names a page), and the blank pages left out under "blank"."""
    notes: dict[str, object] = {
        "pages": {n: r.page.notes for r, n in zip(readings, numbers, strict=True)}}
    if blank:
        notes["blank"] = blank
    return notes


def join(readings: list[Reading], numbers: list[int], blank: list[int]) -> Reading:
    """The PDF pages' readings as one: their images stacked (a word's place kept, so that a
    weak reading is read again on its own page), their rows in page order, each with its page's
    number in the PDF, and the kind their text shows together (a title near the top of the
    first page decides); `blank`: the numbers of the blank pages left out (_notes)."""
    notes = _notes(readings, numbers, blank)
    if len(readings) == 1:
        (reading,) = readings
        return replace(reading, rows=[Row(row.words, numbers[0]) for row in reading.rows],
                       page=replace(reading.page, notes=notes))
    images = [_images(r.page) for r in readings]
    width = max(gray.shape[1] for gray, _ in images)
    rows: list[Row] = []
    top = 0
    for reading, number, (gray, _) in zip(readings, numbers, images, strict=True):
        rows += [Row([replace(w, top=w.top + top) for w in row.words], number)
                 for row in reading.rows]
        top += gray.shape[0]
    page = Page(
        color=np.zeros((0, 0, 3), np.uint8),  # spent: the pages were read from grey
        gray=np.vstack([_widened(gray, width) for gray, _ in images]),
        binary=np.vstack([_widened(binary, width) for _, binary in images]),
        glyph_height=readings[0].page.glyph_height,
        notes=notes,
    )
    kind, confidence = classify_text([r.text for r in rows])
    return Reading(kind, confidence, rows, page, sum(r.seconds for r in readings))


def _pdf(data: bytes) -> Reading:
    readings: list[Reading] = []
    dpis: list[float] = []
    numbers: list[int] = []
    blank: list[int] = []
    for number, (image, dpi) in enumerate(pdf_pages(data), 1):
        try:
            readings.append(read_page(image, readings[0].kind if readings else None))
            dpis.append(dpi)
            numbers.append(number)
        except BlankPage:
            blank.append(number)
        except UnreadableDocument as exc:
            raise type(exc)(f"page {number} of the PDF: {exc}", reason=exc.reason) from exc
    if not readings:
        raise BlankPage("every page of the PDF is blank: scan the printed side of the document")
    return join(on_one_scale(readings, dpis), numbers, blank)


def read(source: Source) -> Reading:
    """Read an image as one page, a PDF page by page; raise an UnreadableDocument subclass
    for bad input."""
    if isinstance(source, np.ndarray):
        return read_page(source)
    data = read_bytes(source)
    return _pdf(data) if is_pdf(data) else read_page(data)
