"""A page of no kind this service extracts (a signed letter, a contract): kept with its text
when it is legible, refused as illegible when it is not.

Legible: at least MIN_CHARS characters that mean something (CJK characters, letters, digits;
not the rules and smudges tesseract reads as 一 or -) in words read with confidence
MIN_CONF or more, and those at least half of all such characters on the page. A printed
letter reads far above both; a blurred scan or a photo reads a few confident marks among
many doubtful ones.
"""

from __future__ import annotations

import re

from journey.documents import SUPPORTING_TEXT, SupportingDocument
from ocr._pipeline import Reading
from ocr._text import CJK
from ocr.errors import IllegiblePage

MIN_CHARS = 20
MIN_CONF = 60.0
FILLER = set("一-_—|丨")
# a space the engine puts between CJK characters (or between one and a Latin word)
_CJK_SPACE = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef]) +|"
                        r" +(?=[\u3000-\u9fff\uff00-\uffef])")


def _meaningful(text: str) -> int:
    return sum(1 for c in text if (c.isalnum() or CJK.match(c)) and c not in FILLER)


def _line(text: str) -> str:
    return _CJK_SPACE.sub("", text).strip()


def read_supporting(reading: Reading) -> SupportingDocument:
    """The page's text, line by line; raises IllegiblePage when too little reads surely."""
    words = [w for row in reading.rows for w in row.words]
    total = sum(_meaningful(w.text) for w in words)
    sure = sum(_meaningful(w.text) for w in words if w.conf >= MIN_CONF)
    if sure < MIN_CHARS or sure * 2 < total:
        raise IllegiblePage(
            "the page is none of a business licence, a balance sheet or an income statement, "
            "and too little of its text reads clearly to keep it as a supporting document: "
            "scan it again, flat and sharp", reason="illegible")
    text = "\n".join(line for row in reading.rows if (line := _line(row.text)))
    confident = [w.conf for w in words if w.conf >= 0]
    return SupportingDocument(
        text=text[:SUPPORTING_TEXT],
        confidence={"text": round(sum(confident) / len(confident) / 100, 2)},
    )
