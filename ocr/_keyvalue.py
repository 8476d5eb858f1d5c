"""Pair keys with values by geometry: a key starts a segment, its value runs to its right up to
the next key on the row, and wraps onto the rows below inside the same column."""

from __future__ import annotations

from dataclasses import dataclass

from ocr._layout import Char, Row
from ocr._text import squash


@dataclass
class Found:
    field: str
    row: int
    x_key: float
    x_value: float  # where the value starts
    end: int  # char index of the value start within the row
    stop: int  # char index where the value stops (next key or row end)
    x_stop: float


@dataclass
class Value:
    text: str
    conf: float  # 0..1, the weakest segment's confidence
    lines: int


def _segment_starts(chars: list[Char]) -> set[int]:
    return {i for i, c in enumerate(chars) if i == 0 or chars[i - 1].word != c.word}


def find_keys(rows: list[Row], keys: dict[str, tuple[str, ...]]) -> list[Found]:
    """Every key that starts a segment (spaced keys like 名　称 match across segments)."""
    found: list[Found] = []
    for r, row in enumerate(rows):
        chars = row.chars()
        text = "".join(c.ch for c in chars)
        starts = _segment_starts(chars)
        hits: list[tuple[int, int, str]] = []
        for field, spellings in keys.items():
            for key in spellings:
                pos = text.find(key)
                while pos >= 0:
                    if pos in starts:
                        hits.append((pos, pos + len(key), field))
                        break
                    pos = text.find(key, pos + 1)
        hits.sort()
        kept: list[tuple[int, int, str]] = []
        for h in hits:  # longest key wins where two overlap (住所 inside 经营场所)
            if kept and h[0] < kept[-1][1]:
                if h[1] - h[0] > kept[-1][1] - kept[-1][0]:
                    kept[-1] = h
                continue
            kept.append(h)
        for i, (a, b, field) in enumerate(kept):
            stop = kept[i + 1][0] if i + 1 < len(kept) else len(chars)
            key_end = chars[b - 1].x1
            near = b < len(chars) and chars[b].x0 - key_end < (key_end - chars[a].x0) * 2.5
            x_value = chars[b].x0 if near else key_end + (key_end - chars[a].x0) / (b - a)
            x_stop = chars[stop].x0 if stop < len(chars) else float("inf")
            found.append(Found(field, r, chars[a].x0, x_value, b, stop, x_stop))
    return found


def _columns(found: list[Found], tolerance: float) -> list[float]:
    xs = sorted(f.x_key for f in found)
    cols: list[float] = []
    for x in xs:
        if not cols or x - cols[-1] > tolerance:
            cols.append(x)
    return cols


def _key_words(rows: list[Row], found: list[Found]) -> set[int]:
    """ids of the segments that begin with a key."""
    ids: set[int] = set()
    for g in found:
        for w in rows[g.row].words:
            if w.left - 2 <= g.x_key < w.right:
                ids.add(id(w))
    return ids


def value_of(rows: list[Row], f: Found, found: list[Found], *, wrap: bool,
             line_height: float) -> Value:
    """The text of key `f`'s value; with `wrap`, continuation lines in the same column too."""
    cols = _columns(found, line_height * 2)
    right = min((c for c in cols if c > f.x_value + line_height), default=float("inf"))
    right = min(right, f.x_stop)
    chars = [c for c in rows[f.row].chars()[f.end : f.stop] if c.cx < right]
    parts = [chars]
    if wrap:
        keys = _key_words(rows, found)
        left = f.x_value - line_height * 1.5
        below = sorted(
            (w for row in rows[f.row + 1 :] for w in row.words
             if w.left >= left and w.cx < right and w.left > f.x_key + line_height * 0.5),
            key=lambda w: w.top,
        )
        bottom = max((w.bottom for w in rows[f.row].words if w.left >= f.x_key - 2
                      and w.cx < right), default=rows[f.row].bottom)
        while below:
            line = [w for w in below if w.top - bottom <= line_height * 1.1
                    and w.top > bottom - line_height * 0.5]
            if not line or any(id(w) in keys for w in line):
                break
            line.sort(key=lambda w: w.left)
            parts.append([c for c in Row(line).chars()])
            bottom = max(w.bottom for w in line)
            below = [w for w in below if w not in line and w.top > bottom - line_height * 0.5]
    flat = [c for part in parts for c in part]
    text = squash("".join(c.ch for c in flat))
    conf = min((c.conf for c in flat), default=0.0) / 100
    return Value(text, conf, len(parts))
