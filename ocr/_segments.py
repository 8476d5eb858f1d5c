"""Find text segments (runs of characters between wide gaps) on a clean binary page.

A segment is a key, a value, a label or a number: each is read on its own as one text line,
and the geometry of the segments, not the engine's reading order, pairs them up.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class Box:
    left: int
    top: int
    width: int
    height: int

    @property
    def right(self) -> int:
        return self.left + self.width

    @property
    def bottom(self) -> int:
        return self.top + self.height


def find_segments(binary: np.ndarray, glyph_height: float) -> list[Box]:
    """Boxes of ink runs: characters closer than ~0.9 glyph heights join one segment."""
    gh = max(glyph_height, 8.0)
    inv = (binary < 128).astype(np.uint8)
    # drop specks (noise, JPEG dust) that are far smaller than any stroke
    blobs, _ = cv2.findContours(inv, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    speck = max(2, int(gh * 0.1))
    dust = [c for c in blobs if max(cv2.boundingRect(c)[2:]) <= speck]
    cv2.drawContours(inv, dust, -1, 0, thickness=cv2.FILLED)
    kernel = np.ones((max(3, int(gh * 0.35)), max(5, int(gh * 0.9))), np.uint8)
    merged = cv2.dilate(inv, kernel)
    # outer outlines only: far faster than labelling every pixel of the merged page
    outlines, _ = cv2.findContours(merged, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    kx, ky = kernel.shape[1] // 2, kernel.shape[0] // 2
    boxes: list[Box] = []
    for outline in outlines:
        x, y, w, h = cv2.boundingRect(outline)
        x, y, w, h = x + kx, y + ky, w - 2 * kx, h - 2 * ky  # undo the dilation
        if w <= 0 or h <= 0 or h < gh * 0.25 and w < gh * 0.6:
            continue
        if h > gh * 4 and w < gh or w < gh * 0.3 and h > gh * 0.6:  # a sliver left from a rule
            continue
        boxes.append(Box(int(x), int(y), int(w), int(h)))
    return boxes


def crop(image: np.ndarray, box: Box, pad: int) -> np.ndarray:
    """The box with `pad` pixels of white around it (tesseract likes a margin)."""
    h, w = image.shape[:2]
    x0, y0 = max(0, box.left - 1), max(0, box.top - 1)
    x1, y1 = min(w, box.right + 1), min(h, box.bottom + 1)
    return cv2.copyMakeBorder(image[y0:y1, x0:x1], pad, pad, pad, pad,
                              cv2.BORDER_CONSTANT, value=255)
