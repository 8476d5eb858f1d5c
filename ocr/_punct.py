"""Semicolons read as commas. chi_sim (fast) has no full-width semicolon (；) in its character
set: it prints one as a comma about as often as it prints `;`. On the page the two differ by
one mark: a semicolon has a dot above its comma. Business scopes list their items with ；."""

from __future__ import annotations

import cv2
import numpy as np

from ocr._layout import Char

COMMAS = ",，"


def _has_dot_above_comma(binary: np.ndarray, c: Char) -> bool:
    """Is there a dot right above the comma in this character's cell (widened by half a cell
    each side, since cells are interpolated along the segment)?"""
    height = c.bottom - c.top
    width = c.x1 - c.x0
    x0, x1 = int(max(0, c.x0 - width / 2)), int(c.x1 + width / 2)
    y0, y1 = int(max(0, c.top)), int(c.bottom)
    inv = (binary[y0:y1, x0:x1] < 128).astype(np.uint8)
    n, _, stats, _ = cv2.connectedComponentsWithStats(inv, connectivity=8)
    small = [stats[i] for i in range(1, n)
             if stats[i, cv2.CC_STAT_WIDTH] < 0.4 * height
             and stats[i, cv2.CC_STAT_HEIGHT] < 0.45 * height]
    commas = [s for s in small if s[cv2.CC_STAT_TOP] + s[cv2.CC_STAT_HEIGHT] > 0.7 * height
              and s[cv2.CC_STAT_TOP] > 0.45 * height]
    dots = [s for s in small if s[cv2.CC_STAT_TOP] + s[cv2.CC_STAT_HEIGHT] < 0.7 * height
            and s[cv2.CC_STAT_TOP] > 0.2 * height]
    for cm in commas:
        left, right = cm[cv2.CC_STAT_LEFT], cm[cv2.CC_STAT_LEFT] + cm[cv2.CC_STAT_WIDTH]
        if any(d[cv2.CC_STAT_LEFT] < right and d[cv2.CC_STAT_LEFT] + d[cv2.CC_STAT_WIDTH] > left
               for d in dots):
            return True
    return False


def semicolons(text: str, chars: list[Char], binary: np.ndarray | None) -> str:
    """`text` with each comma that has a dot above it on the page made a semicolon."""
    if binary is None or len(chars) != len(text):
        return text
    return "".join("；" if ch in COMMAS and _has_dot_above_comma(binary, c) else ch
                   for ch, c in zip(text, chars, strict=True))
