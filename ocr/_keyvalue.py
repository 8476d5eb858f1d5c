"""Pair keys with values by geometry: a key starts a segment, its value runs to its right up to
the next key on the row, and wraps onto the rows below inside the same column."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ocr._layout import Char, Row
from ocr._tesseract import Word
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
    chars: list[Char] = dataclasses.field(default_factory=list)  # where each of `text` stands


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
    """x of the key columns: where at least two keys on different rows line up. A lone key
    (登记机关 under the body, a title) is no column and must not cut the values above it."""
    xs = sorted((f.x_key, f.row) for f in found)
    groups: list[list[tuple[float, int]]] = []
    for x, row in xs:
        if groups and x - groups[-1][-1][0] <= tolerance:
            groups[-1].append((x, row))
        else:
            groups.append([(x, row)])
    return [g[0][0] for g in groups if len({row for _, row in g}) >= 2]


def run_from(words: list[Word], x: float, line_height: float) -> list[Word]:
    """The words of a wrapped line: starting near `x`, each close to the one before (a mark at
    the page's edge on the same line is not part of the value)."""
    run: list[Word] = []
    for w in sorted(words, key=lambda w: w.left):
        if not run and w.left > x + line_height * 1.5:
            break
        if run and w.left - run[-1].right > line_height * 3:
            break
        run.append(w)
    return run


def value_of(rows: list[Row], f: Found, found: list[Found], *, wrap: bool,
             line_height: float) -> Value:
    """The text of key `f`'s value; with `wrap`, continuation lines in the same column too:
    left-aligned under the value, each within a line's height of the one above, up to the
    next key of the same column."""
    cols = _columns(found, line_height * 2)
    right = min((c for c in cols if c > f.x_value + line_height), default=float("inf"))
    right = min(right, f.x_stop)
    chars = [c for c in rows[f.row].chars()[f.end : f.stop] if c.cx < right]
    gaps = [i for i in range(1, len(chars)) if chars[i].x0 - chars[i - 1].x1 > line_height * 3]
    parts = [chars[: gaps[0]] if gaps else chars]  # not a mark far out on the same line
    if wrap:
        stops = {g.row for g in found if f.x_key - line_height * 2 <= g.x_key < right}
        left = f.x_value - line_height * 1.5
        bottom = max((w.bottom for w in rows[f.row].words if w.left >= f.x_key - 2
                      and w.cx < right), default=rows[f.row].bottom)
        for r in range(f.row + 1, len(rows)):
            if r in stops or rows[r].top - bottom > line_height * 1.1:
                break
            line = run_from([w for w in rows[r].words if w.left >= left and w.cx < right
                              and w.left > f.x_key + line_height * 0.5], f.x_value, line_height)
            if line:
                parts.append(Row(line).chars())
                bottom = max(w.bottom for w in line)
    flat = [c for part in parts for c in part]
    text = squash("".join(c.ch for c in flat))
    conf = min((c.conf for c in flat), default=0.0) / 100
    return Value(text, conf, len(parts), flat)
