"""Read every segment of a clean page as one text line (psm 7), choosing the model per segment.

Segments are read from the grey image (rules erased): tesseract thresholds each small crop on
its own, which keeps thin strokes and small digits that one threshold for the whole page loses;
the page's binary image is the second look at a weak reading.
Pass 1 reads each segment with chi_sim. Segments that came back without any CJK character
(amounts, dates in digits, English labels) are read again with eng, digits-only where the
first reading was a number: eng reads Latin script and digit groups better than chi_sim.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import cv2
import numpy as np

from ocr import _tesseract
from ocr._segments import Box, crop
from ocr._tesseract import Word

CJK = re.compile(r"[\u4e00-\u9fff]")
NUMERIC = re.compile(r"^[\s\d,.，。:;'\-—()（）]*\d[\s\d,.，。:;'\-—()（）]*$")
DIGITS = "0123456789,.-()"


def _read(image: np.ndarray, box: Box, lang: str, whitelist: str = "", psm: int = 7) -> Word:
    pad = max(8, box.height // 2)
    words = _tesseract.words(crop(image, box, pad), psm=psm, lang=lang, whitelist=whitelist)
    text = " ".join(w.text for w in words)
    conf = min((w.conf for w in words), default=0.0)
    return Word(text, box.left, box.top, box.width, box.height, conf)


def is_numeric(text: str) -> bool:
    return bool(NUMERIC.match(text)) and sum(c.isdigit() for c in text) >= 1


def mostly_digits(text: str) -> bool:
    """An amount with a glyph misread as CJK (7 read as 了): worth a digits-only reading."""
    t = text.replace(" ", "")
    if re.search(r"[年月日元万亿千百]", t):  # a date or an amount in words, not a figure
        return False
    return len(t) >= 4 and sum(c.isdigit() or c in ",." for c in t) >= 0.7 * len(t)


WEAK = 60.0  # below this confidence a segment is worth a second look


def _first_reading(image: np.ndarray, second: np.ndarray | None, box: Box, weak_ok: bool
                   ) -> Word:
    """chi_sim as one line; when that is empty (or weak, unless `weak_ok`), from `second`,
    then as one word."""
    word = _read(image, box, "chi_sim")
    if word.text and (word.conf >= WEAK or not CJK.search(word.text) or weak_ok):
        return word  # strong, or digits and Latin: eng reads those next, chi_sim need not
    tries = ([(second, 7)] if second is not None else []) + [(image, 8)]
    for img, psm in tries:
        again = _read(img, box, "chi_sim", psm=psm)
        if again.text and (not word.text or again.conf > word.conf):
            word = again
        if word.conf >= WEAK:
            break
    return word


PRINTED_AMOUNT = re.compile(r"^-?\d{1,3}(,\d{3})*\.\d{2}$")
THREADS = 2  # the settings' default (OCR_THREADS); a worker sets its own (`set_threads`)
_pool: ThreadPoolExecutor | None = None


def set_threads(threads: int) -> None:
    """How many threads read one document's segments, from the next read on."""
    global THREADS, _pool
    if threads != THREADS and _pool is not None:
        _pool.shutdown(wait=False)
        _pool = None
    THREADS = threads


def _read_segment(image: np.ndarray, second: np.ndarray | None, box: Box,
                  weak_ok: bool = False) -> Word:
    word = _first_reading(image, second, box, weak_ok)
    text = word.text.replace(" ", "")
    if PRINTED_AMOUNT.match(text) and word.conf >= 85:
        return Word(text, word.left, word.top, word.width, word.height, word.conf)
    if mostly_digits(word.text) and CJK.search(word.text):
        again = _read(image, box, "eng", DIGITS)
        if is_numeric(again.text):
            word = again
    elif word.text and not CJK.search(word.text):
        numeric = is_numeric(word.text)
        again = _read(image, box, "eng", DIGITS if numeric else "")
        if again.text and numeric:
            word = _measured(again, word)
        elif again.text and again.conf >= word.conf - 5:
            word = again
    return word


def _measured(digits: Word, first: Word) -> Word:
    """The digits-only reading, measured by the free reading where both read the same digits.
    Under a character whitelist tesseract misstates a word's confidence, down to 0 however
    clearly it read it (tesseract-ocr/tesseract#3856: 45,580.82 at 0.00 where the free reading
    of the same digits said 0.89), and every such figure went to a clerk to check against the
    paper. Two models that agree on every digit are as sure as the surer of them; digits that
    differ keep the digits-only reading's own figure."""
    same = re.sub(r"\D", "", digits.text) == re.sub(r"\D", "", first.text) != ""
    if not same or digits.conf >= first.conf:
        return digits
    return Word(digits.text, digits.left, digits.top, digits.width, digits.height, first.conf)


FIGURE = re.compile(r"^[-(]?(\d{1,3}(,\d{3})+(\.\d{2})?|\d+\.\d{2})\)?$")
LINE_NUMBER = re.compile(r"^\d{1,3}$")
LATIN_CONF = 75.0


def digit_shaped(binary: np.ndarray, box: Box) -> float:
    """The share of the segment's ink blobs shaped like digits (tall, narrow) or like dots and
    commas. A figure scores ~0.9; a CJK label, whose strokes and radicals are every shape,
    ~0.25."""
    inv = (binary[box.top : box.bottom, box.left : box.right] < 128).astype(np.uint8)
    n, _, stats, _ = cv2.connectedComponentsWithStats(inv, connectivity=8)
    w, h = stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT]
    dots = (h < 0.4 * box.height) & (w < 0.4 * box.height)
    digits = (h >= 0.55 * box.height) & (w <= 0.8 * h)
    return float((dots | digits).mean()) if n > 1 else 0.0


def _as_figure(image: np.ndarray, box: Box) -> Word | None:
    """eng with digits alone: a third of chi_sim's cost. The reading counts only as a clear
    figure (or a line number)."""
    word = _read(image, box, "eng", DIGITS)
    text = word.text.replace(" ", "")
    if FIGURE.match(text) and word.conf >= 80 or LINE_NUMBER.match(text) and word.conf >= 90:
        return Word(text, word.left, word.top, word.width, word.height, word.conf)
    return None


def _as_latin(image: np.ndarray, box: Box) -> Word | None:
    """eng alone, for a page in English: the reading counts when it is confident Latin text."""
    word = _read(image, box, "eng")
    letters = sum(c.isascii() and c.isalpha() for c in word.text)
    return word if word.conf >= LATIN_CONF and letters >= 2 else None


def _read_planned(image: np.ndarray, second: np.ndarray | None, box: Box, figures: bool,
                  latin: bool) -> Word:
    """On a statement most segments are figures, on an English page most are Latin: the cheap
    eng model is tried first there (figures only on segments shaped like digits), and whatever
    it does not read clearly is read the usual way."""
    word = None
    if figures and second is not None and digit_shaped(second, box) >= 0.5:
        word = _as_figure(image, box)
    if word is None and latin:
        word = _as_latin(image, box)
    # a statement's labels are matched to known labels allowing for misread characters: a
    # weak reading is not read again (its header lines, read with the head, are)
    return word or _read_segment(image, second, box, weak_ok=figures)


def read_segments(image: np.ndarray, boxes: list[Box], second: np.ndarray | None = None,
                  *, figures: bool = False, latin: bool = False) -> list[Word]:
    """Read every segment (in OCR_THREADS threads: libtesseract releases the GIL); with
    `figures` (statements) or `latin` (English pages), try the eng model first."""
    global _pool

    def read(box: Box) -> Word:
        return _read_planned(image, second, box, figures, latin)

    if THREADS > 1 and _tesseract.ENGINE == "tesserocr":
        if _pool is None:
            _pool = ThreadPoolExecutor(THREADS, thread_name_prefix="ocr")
        words = list(_pool.map(read, boxes))
    else:
        words = [read(b) for b in boxes]
    return [w for w in words if w.text]


def read_box(image: np.ndarray, box: Box, lang: str, whitelist: str = "",
             scale: float = 1.0) -> Word:
    """Read one region again, e.g. a credit code with its own alphabet, optionally enlarged."""
    if scale == 1.0:
        return _read(image, box, lang, whitelist)
    pad = max(8, box.height // 2)
    region = cv2.resize(crop(image, box, pad), None, fx=scale, fy=scale,
                        interpolation=cv2.INTER_CUBIC)
    words = _tesseract.words(region, psm=7, lang=lang, whitelist=whitelist)
    return Word(" ".join(w.text for w in words), box.left, box.top, box.width, box.height,
                min((w.conf for w in words), default=0.0))
