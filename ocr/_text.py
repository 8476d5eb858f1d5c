"""Text normalisation shared by the parsers: spaces, full-width forms, parentheses."""

from __future__ import annotations

import re

from rapidfuzz.distance import Levenshtein

_PAREN = str.maketrans({"(": "（", ")": "）", "〈": "（", "〉": "）", "《": "（", "》": "）",
                        "<": "（", ">": "）", "[": "（", "]": "）", "{": "（", "}": "）"})
_PUNCT = str.maketrans({";": "；", ",": "，", ":": "：", "、": "、"})
CJK = re.compile(r"[\u4e00-\u9fff]")


def squash(text: str) -> str:
    """Drop every kind of whitespace."""
    return re.sub(r"\s+", "", text.replace("\u3000", " "))


def cjk_parens(text: str) -> str:
    """Chinese documents print full-width parentheses: make every look-alike one."""
    return text.translate(_PAREN)


def cjk_punct(text: str) -> str:
    return text.translate(_PUNCT)


def strip_lead(text: str) -> str:
    """Remove colons, bars and stray marks between a key and its value."""
    return text.lstrip(":：;；|丨!！,.，。·'\"“”-—_=»«>")


def strip_trail(text: str) -> str:
    """Remove border remnants and stray marks after a value."""
    return text.rstrip("|丨!！:;：'\"_-—=")


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (rapidfuzz's C++: label matching calls it ~3000 times a page)."""
    return int(Levenshtein.distance(a, b))


def nearest(text: str, vocabulary: list[str] | tuple[str, ...], max_ratio: float = 0.2
            ) -> str | None:
    """The unique vocabulary entry within edit distance max_ratio*len, else None."""
    if not text:
        return None
    scored = sorted((edit_distance(text, v), v) for v in vocabulary)
    best_d, best = scored[0]
    if best_d > max(1, int(len(best) * max_ratio)):
        return None
    if len(scored) > 1 and scored[1][0] == best_d and scored[1][1] != best:
        return None
    return best
