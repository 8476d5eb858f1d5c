"""The unified social credit code (统一社会信用代码) of GB 32100-2015, as pure functions.

An 18-character code: registration authority (1), entity type (1), administrative division (6
digits), organisation code (9, GB 11714 with its own check character) and a check character
over the first 17. The alphabet leaves out I, O, S, V and Z.
"""

from __future__ import annotations

import random

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 3^(i-1) mod 31 for positions 1..17

# Characters outside the alphabet that OCR produces for ones inside it.
_FORCED = {"O": "0", "I": "1", "Z": "2", "S": "5", "V": "U", "o": "0", "l": "1", "|": "1"}
# Their second look-alike, tried when the first does not pass the check (S is 5 or 8).
_FORCED_ALSO = {"S": "8"}
# Pairs OCR confuses in either direction; tried one at a time when the checksum fails.
_CONFUSABLE = {
    "0": "DQU8", "D": "0", "Q": "0", "U": "0",
    "1": "7JT", "7": "1T", "J": "1", "T": "17",
    "2": "Z", "5": "6S", "6": "58G", "G": "6C", "C": "G",
    "8": "B3", "B": "8", "3": "8", "4": "A", "A": "4",
    "M": "N", "N": "MH", "H": "N", "W": "M", "Y": "X", "X": "Y", "K": "X", "P": "R", "R": "P",
}


def check_character(first17: str) -> str:
    """The GB 32100-2015 check character for the first 17 characters of a code."""
    if len(first17) != 17 or any(c not in _VALUE for c in first17):
        raise ValueError(f"need 17 characters from {ALPHABET!r}, got {first17!r}")
    total = sum(_VALUE[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def _well_formed(code: str) -> bool:
    return (
        len(code) == 18
        and all(c in _VALUE for c in code)
        and code[2:8].isdigit()
    )


def is_valid(code: str | None) -> bool:
    """True when `code` is 18 characters of the alphabet and its check character matches."""
    if not code or not _well_formed(code):
        return False
    return check_character(code[:17]) == code[17]


def org_check_character(first8: str) -> str:
    """The GB 11714 check character of the 9-character organisation code (positions 9-17)."""
    values = [_VALUE[c] for c in first8]
    total = sum(v * w for v, w in zip(values, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
    rest = 11 - total % 11
    return "X" if rest == 10 else "0" if rest == 11 else str(rest)


def normalise(text: str) -> str:
    """Upper-case, drop spaces and map characters outside the alphabet to their look-alikes."""
    out = "".join(_FORCED.get(c, c) for c in text if not c.isspace())
    return "".join(_FORCED.get(c, c) for c in out.upper())


def repair(code: str | None) -> str | None:
    """A valid code from an OCR reading with at most one confused character, else None.

    Returns the reading itself when it is valid, and a repaired code only when exactly one
    single-character substitution from the confusion table makes it valid.
    """
    if not code:
        return None
    printed = as_printed(code)
    if printed is not None:
        return printed
    text = normalise(code)
    if len(text) == 18:
        return _substitute(text)
    if len(text) == 19:  # one extra character read (a speck, a doubled glyph)
        return _pick({t for i in range(19) if is_valid(t := text[:i] + text[i + 1 :])})
    if len(text) > 19:  # the code inside a longer reading
        windows = {text[i : i + 18] for i in range(len(text) - 17)}
        return _pick({w for w in windows if is_valid(w)})
    return None


def as_printed(code: str | None) -> str | None:
    """The reading as a valid code with no character changed, each one outside the alphabet
    taken as one of its look-alikes (S as 5, else as 8); None when it does not check out."""
    if not code:
        return None
    for variant in dict.fromkeys([code, *(code.upper().replace(c, alt)
                                          for c, alt in _FORCED_ALSO.items())]):
        if is_valid(text := normalise(variant)):
            return text
    return None


def _substitute(text: str) -> str | None:
    found: set[str] = set()
    for i, c in enumerate(text):
        for alt in _CONFUSABLE.get(c, ""):
            candidate = text[:i] + alt + text[i + 1 :]
            if is_valid(candidate):
                found.add(candidate)
    return _pick(found)


def _pick(found: set[str]) -> str | None:
    """The one candidate; among several, the one whose organisation code also checks out."""
    if len(found) > 1:
        found = {c for c in found if _org_ok(c)} or found
    return found.pop() if len(found) == 1 else None


def _org_ok(code: str) -> bool:
    try:
        return org_check_character(code[8:16]) == code[16]
    except KeyError:
        return False


def generate(rng: random.Random | None = None) -> str:
    """A random valid code (authority 9 = industry and commerce, type 1 = company)."""
    rng = rng or random.Random()
    division = rng.choice(["110000", "310000", "440300", "330100", "320500", "510100"])
    org8 = "".join(rng.choice(ALPHABET[:10] + ALPHABET[10:]) for _ in range(8))
    org = org8 + org_check_character(org8)
    first17 = "91" + division + org
    return first17 + check_character(first17)
