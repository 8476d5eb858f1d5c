"""refuse_low_resolution: the least resolution a page is read at, as scanning guidance says it.

A page is read only if it has at least as many pixels as an A4 page scanned at MIN_DPI
(620x877 px, either way up). At 75 dpi a 五号 (10.5 pt) character, the body size of
statements and of a licence's 副本, is 11 px tall: upscale_small_glyphs (at most MAX_UPSCALE
times) brings that to MIN_GLYPH_PX, the least tesseract's chi_sim reads. A smaller page holds
characters of fewer pixels than any enlargement can restore, so its reading would be
guesswork: it is refused, with its size and what to send instead (the bank's guidance,
SCAN_DPI). The page's size is what it is before limit_size shrinks a large one. A PDF page's
scan is held to the same minimum by the scan's own pixels (ocr.pdf_pages).
"""

from __future__ import annotations

import numpy as np

from journey.documents import SCAN_DPI
from ocr.errors import ImageTooSmall

A4_INCHES = (210 / 25.4, 297 / 25.4)
BODY_POINTS = 10.5  # 五号
MIN_DPI = 75
MIN_SIDES = tuple(round(side * MIN_DPI) for side in A4_INCHES)  # (620, 877)
ASKED_SIDES = tuple(round(side * SCAN_DPI) for side in A4_INCHES)  # (1654, 2339)
WORK_LONG_SIDE = 2400  # ~200 dpi for A4: what a larger page is read at (ocr._pipeline.limit_size)
SEND = (f"Scan the document at {SCAN_DPI} dpi or more (an A4 page: {ASKED_SIDES[0]}×"
        f"{ASKED_SIDES[1]} px), or photograph the whole page at the camera's full resolution")


def too_small(width: int, height: int) -> bool:
    """Whether a page of `width` x `height` px has fewer pixels than A4 at MIN_DPI."""
    short, long = sorted((width, height))
    return short < MIN_SIDES[0] or long < MIN_SIDES[1]


def too_small_reason(width: int, height: int) -> str:
    """Why a page of `width` x `height` px (too_small) is not read, and what to send instead."""
    return (f"{width}×{height} px, below the {MIN_SIDES[0]}×{MIN_SIDES[1]} px of an A4 page at "
            f"{MIN_DPI} dpi: too few pixels for its characters to be read. {SEND}")


def refuse_low_resolution(image: np.ndarray) -> np.ndarray:
    """`image` as it is, or ImageTooSmall when it has fewer pixels than A4 at MIN_DPI."""
    height, width = image.shape[:2]
    if too_small(width, height):
        raise ImageTooSmall(f"this image is {too_small_reason(width, height)}")
    return image
