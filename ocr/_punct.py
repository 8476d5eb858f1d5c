"""Semicolons and commas told by the paper. chi_sim (fast) has no full-width semicolon (；) in
its character set: it prints one as a comma about as often as it prints `;`, and now and then
prints a comma as `;`. On the page the two differ by one mark: a semicolon has a dot above its
comma. Business scopes list their items with ；, older licences with ，."""

from __future__ import annotations

import cv2
import numpy as np

from ocr._layout import Char

SEPARATORS = ",，;；"
Stats = np.ndarray  # a connected component's row of cv2.connectedComponentsWithStats


def _columns_meet(a: Stats, b: Stats) -> bool:
    left, right = a[cv2.CC_STAT_LEFT], a[cv2.CC_STAT_LEFT] + a[cv2.CC_STAT_WIDTH]
    return bool(b[cv2.CC_STAT_LEFT] < right and b[cv2.CC_STAT_LEFT] + b[cv2.CC_STAT_WIDTH] > left)


def _paper_says(binary: np.ndarray, c: Char) -> str | None:
    """The separator the page shows in this character's cell (widened by half a cell each side,
    since cells are interpolated along the segment): ； for a comma with a dot above it, ， for
    a comma with no mark above it at all, None when it cannot be told (no comma stands there,
    or a mark above it is no dot). A comma or dot is a small mark with no glyph's stroke above
    or below it: the broken strokes of a neighbouring glyph are none."""
    height = c.bottom - c.top
    width = c.x1 - c.x0
    x0, x1 = int(max(0, c.x0 - width / 2)), int(c.x1 + width / 2)
    y0, y1 = int(max(0, c.top)), int(c.bottom)
    inv = (binary[y0:y1, x0:x1] < 128).astype(np.uint8)
    n, _, stats, _ = cv2.connectedComponentsWithStats(inv, connectivity=8)
    marks = [stats[i] for i in range(1, n)]
    small = [s for s in marks if s[cv2.CC_STAT_WIDTH] < 0.4 * height
             and s[cv2.CC_STAT_HEIGHT] < 0.45 * height]
    strokes = [s for s in marks if s[cv2.CC_STAT_HEIGHT] >= 0.45 * height]
    alone = [s for s in small if not any(_columns_meet(s, t) for t in strokes)]
    commas = [s for s in alone if s[cv2.CC_STAT_TOP] + s[cv2.CC_STAT_HEIGHT] > 0.7 * height
              and s[cv2.CC_STAT_TOP] > 0.45 * height]
    dots = [s for s in alone if s[cv2.CC_STAT_TOP] + s[cv2.CC_STAT_HEIGHT] < 0.7 * height
            and s[cv2.CC_STAT_TOP] > 0.2 * height]
    if any(_columns_meet(cm, d) for cm in commas for d in dots):
        return "；"
    if commas and not any(_columns_meet(cm, s) and s[cv2.CC_STAT_TOP] < cm[cv2.CC_STAT_TOP]
                          for cm in commas for s in alone if s is not cm):
        return "，"  # nothing above the comma: no dot the bounds above missed
    return None


def semicolons(text: str, chars: list[Char], binary: np.ndarray | None) -> str:
    """`text` with each comma or semicolon made the one the page shows (a comma with a dot
    above it is a semicolon); one whose mark is not found on the page stays as read."""
    if binary is None or len(chars) != len(text):
        return text
    return "".join((_paper_says(binary, c) or ch) if ch in SEPARATORS else ch
                   for ch, c in zip(text, chars, strict=True))
