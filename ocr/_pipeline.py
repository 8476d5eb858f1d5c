"""From a source to rows of read text and the document kind: the whole flat pipeline.

load_image -> refuse_low_resolution -> undither (a dithered bitonal scan, ocr._dither)
-> limit_size -> preprocess (the steps in ocr._steps) -> find_segments -> read_segments of the
head (the top fifth: the title) -> classify_text, and when that says nothing, the head of the
page turned 180 degrees -> read_segments of the rest -> group_rows -> classify_text (and the
other turns when the whole page still makes no sense).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import cv2
import numpy as np

from journey.documents import DocumentKind
from ocr._classify import classify_text
from ocr._dither import is_dithered, undither
from ocr._layout import Row, group_rows
from ocr._load import Source, load_image
from ocr._page import Page
from ocr._read import CJK, read_segments
from ocr._resolution import WORK_LONG_SIDE, refuse_low_resolution
from ocr._segments import Box, find_segments
from ocr._steps import preprocess, turn
from ocr._tesseract import Word
from ocr.errors import BlankPage, NotADocument, UnevenLight

MAX_SEGMENTS = 400  # a printed page has 30-150; more means noise or a photo, not a document
# ... and when the darkest of the paper's light is below half the brightest (ocr._steps.
# even_light's notes["light"]), a shadow or a background beside the page made those marks
UNEVEN_LIGHT = 0.5
HEAD = 0.2  # the top fifth of the text holds a document's title
HEAD_SEGMENTS = 10  # ... within its first ten segments: enough to tell which way up
STATEMENTS = (DocumentKind.BALANCE_SHEET, DocumentKind.INCOME_STATEMENT)


@dataclass
class Reading:
    kind: DocumentKind
    kind_confidence: float
    rows: list[Row]
    page: Page
    seconds: float


def limit_size(image: np.ndarray) -> np.ndarray:
    long_side = max(image.shape[:2])
    if long_side <= WORK_LONG_SIDE:
        return image
    scale = WORK_LONG_SIDE / long_side
    return cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)


def _segments(page: Page) -> list[Box]:
    """The page's segments, top to bottom; refuse pages with almost none or far too many."""
    assert page.binary is not None
    boxes = find_segments(page.binary, page.glyph_height)
    if len(boxes) < 3:
        raise BlankPage("the page holds almost no text: scan the printed side of the document",
                        reason="blank")
    if len(boxes) > MAX_SEGMENTS:
        marks = f"the page has {len(boxes)} separate marks, far more than a printed document"
        light = float(page.notes.get("light", 1.0))  # type: ignore[arg-type]
        if light < UNEVEN_LIGHT:
            raise UnevenLight(
                f"{marks}, and its light is uneven (the darkest of it {light:.0%} as bright as "
                "the brightest): retake the photo in even light, without shadow, the document "
                "alone filling the picture")
        raise NotADocument(f"{marks}: upload a flat scan of the document")
    return sorted(boxes, key=lambda b: (b.top, b.left))


def _read(page: Page, boxes: list[Box], kind: DocumentKind = DocumentKind.UNKNOWN,
          latin: bool = False) -> list[Word]:
    assert page.gray is not None
    return read_segments(page.gray, boxes, page.binary, figures=kind in STATEMENTS,
                         latin=latin)


def _latin(words: list[Word]) -> bool:
    """Whether the head is in English: far more Latin letters than CJK characters."""
    text = "".join(w.text for w in words)
    return sum(c.isascii() and c.isalpha() for c in text) > 3 * len(CJK.findall(text))


def _kind(words: list[Word]) -> tuple[DocumentKind, float]:
    return classify_text([r.text for r in group_rows(words)])


def _head(boxes: list[Box]) -> int:
    """How many of the (sorted) segments make the head: the first HEAD_SEGMENTS in the top
    fifth of the text, the title's place."""
    top, bottom = boxes[0].top, max(b.bottom for b in boxes)
    limit = top + (bottom - top) * HEAD
    return min(HEAD_SEGMENTS, sum(b.top <= limit for b in boxes))


def _turn(page: Page, degrees: int) -> None:
    assert page.binary is not None and page.gray is not None
    page.binary, page.gray = turn(page.binary, degrees), turn(page.gray, degrees)


def _upright(page: Page) -> tuple[list[Box], list[Word], DocumentKind]:
    """Read the head of the page; when it says nothing, read the head of the page turned
    180 degrees, and keep that way up if it does. Returns the segments still to read, the
    head's words and the kind the head shows."""
    boxes = _segments(page)
    n = _head(boxes)
    head = _read(page, boxes[:n])
    kind = _kind(head)[0]
    if kind is not DocumentKind.UNKNOWN:
        return boxes[n:], head, kind
    _turn(page, 180)
    turned = _segments(page)
    n_turned = _head(turned)
    turned_head = _read(page, turned[:n_turned])
    kind = _kind(turned_head)[0]
    if kind is not DocumentKind.UNKNOWN:
        page.notes["turned"] = (int(page.notes.get("turned", 0)) + 180) % 360  # type: ignore[call-overload]
        return turned[n_turned:], turned_head, kind
    _turn(page, 180)
    return boxes[n:], head, kind


def read_page(source: Source, continues: DocumentKind | None = None) -> Reading:
    """Run the pipeline on one page; raise an UnreadableDocument subclass for bad input.
    `continues`: the kind of the document whose later page this is (a PDF's): a page whose
    head names no kind is read as that one, as it stands, not turned about to find a title a
    later page does not print."""
    started = time.perf_counter()
    image = refuse_low_resolution(load_image(source))
    dithered = is_dithered(image)
    working = limit_size(undither(image) if dithered else image)
    page = preprocess(Page(working, scale=working.shape[1] / image.shape[1],
                           notes={"undithered": True} if dithered else {}))
    rest, head, kind = _upright(page)
    if kind is DocumentKind.UNKNOWN and continues is not None:
        kind = continues
    words = head + _read(page, rest, kind, _latin(head))
    rows = group_rows(words)
    kind, conf = classify_text([r.text for r in rows])
    if kind is DocumentKind.UNKNOWN and continues is None:  # nothing sensible either way up:
        for degrees in (90, 180, 270):  # try the other turns
            _turn(page, degrees)
            turned = group_rows(_read(page, _segments(page)))
            kind, conf = classify_text([r.text for r in turned])
            if kind is not DocumentKind.UNKNOWN:
                rows = turned
                page.notes["turned_after_read"] = degrees
                break
            _turn(page, 360 - degrees)
    return Reading(kind, conf, rows, page, time.perf_counter() - started)
