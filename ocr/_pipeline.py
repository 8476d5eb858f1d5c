"""From a source to rows of read text and the document kind: the whole flat pipeline.

load_image -> limit_size -> preprocess (the steps in ocr._steps) -> find_segments
-> read_segments -> group_rows -> classify_text (and once more turned 180 degrees when the
page makes no sense upright: OSD is unsure on sparse pages)
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import cv2
import numpy as np

from journey.documents import DocumentKind
from ocr._classify import classify_text
from ocr._layout import Row, group_rows
from ocr._load import Source, load_image
from ocr._page import Page
from ocr._read import read_segments
from ocr._segments import find_segments
from ocr._steps import preprocess, turn
from ocr.errors import BlankPage, UnreadableDocument

MAX_LONG_SIDE = 2400  # ~200 dpi for A4: enough for tesseract, bounded work per page
MAX_SEGMENTS = 400  # a printed page has 30-150; more means noise or a photo, not a document


@dataclass
class Reading:
    kind: DocumentKind
    kind_confidence: float
    rows: list[Row]
    page: Page
    seconds: float


def limit_size(image: np.ndarray) -> np.ndarray:
    long_side = max(image.shape[:2])
    if long_side <= MAX_LONG_SIDE:
        return image
    scale = MAX_LONG_SIDE / long_side
    return cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)


def _read_rows(page: Page) -> list[Row]:
    assert page.binary is not None
    boxes = find_segments(page.binary, page.glyph_height)
    if len(boxes) < 3:
        raise BlankPage("the page holds almost no text: scan the printed side of the document",
                        reason="blank")
    if len(boxes) > MAX_SEGMENTS:
        raise UnreadableDocument(
            f"the page has {len(boxes)} separate marks, far more than a printed document: "
            "upload a flat scan of the document", reason="not_a_document")
    return group_rows(read_segments(page.binary, boxes, page.gray))


def read_page(source: Source) -> Reading:
    """Run the pipeline on one page; raise an UnreadableDocument subclass for bad input."""
    started = time.perf_counter()
    page = preprocess(Page(limit_size(load_image(source))))
    rows = _read_rows(page)
    kind, conf = classify_text([r.text for r in rows])
    if kind is DocumentKind.UNKNOWN:
        upright, gray = page.binary, page.gray
        assert upright is not None and gray is not None
        for degrees in (180, 90, 270):
            page.binary, page.gray = turn(upright, degrees), turn(gray, degrees)
            turned = _read_rows(page)
            kind, conf = classify_text([r.text for r in turned])
            if kind is not DocumentKind.UNKNOWN:
                rows = turned
                page.notes["turned_after_read"] = degrees
                break
        else:
            page.binary, page.gray = upright, gray
    return Reading(kind, conf, rows, page, time.perf_counter() - started)
