"""Rows of text from word boxes, by geometry: vertical overlap, then left to right.

Each row keeps every character with its own x position, so keys, values, labels and
numbers are paired by where they stand on the page, never by the engine's output order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import median

from ocr._tesseract import Word


@dataclass(frozen=True)
class Char:
    ch: str
    x0: float
    x1: float
    conf: float
    word: int  # index of the word within its row
    top: float = 0.0  # the word's top and bottom
    bottom: float = 0.0

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass
class Row:
    words: list[Word] = field(default_factory=list)
    page: int = 1  # the page of the PDF it stands on (ocr._document.join); 1 for an image

    @property
    def top(self) -> float:
        return median(w.top for w in self.words)

    @property
    def bottom(self) -> float:
        return median(w.bottom for w in self.words)

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def text(self) -> str:
        return "".join(w.text for w in self.words)

    def chars(self) -> list[Char]:
        """Every non-space character with an x range interpolated inside its word box."""
        out: list[Char] = []
        for i, w in enumerate(self.words):
            text = w.text.replace(" ", "")
            step = w.width / max(len(text), 1)
            for j, ch in enumerate(text):
                out.append(Char(ch, w.left + j * step, w.left + (j + 1) * step, w.conf, i,
                                w.top, w.bottom))
        return out


def _overlap(a: Word, b: Word) -> float:
    inter = min(a.bottom, b.bottom) - max(a.top, b.top)
    return inter / max(1, min(a.height, b.height))


def group_rows(words: list[Word], *, max_height: float = 200) -> list[Row]:
    """Group words into rows: a word joins the row whose last word overlaps it vertically."""
    rows: list[Row] = []
    for w in sorted((w for w in words if w.height <= max_height), key=lambda w: w.left):
        best, best_ov = None, 0.45
        for row in rows:
            last = row.words[-1]
            if last.right > w.left + w.width * 0.5:  # the row already reaches past this word
                continue
            ov = _overlap(last, w)
            if ov > best_ov:
                best, best_ov = row, ov
        if best is None:
            rows.append(Row([w]))
        else:
            best.words.append(w)
    rows.sort(key=lambda r: r.top)
    return rows
