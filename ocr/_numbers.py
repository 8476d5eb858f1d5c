"""Amounts: printed figures with thousands separators, and Chinese (financial) numerals."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

DIGIT = {"零": 0, "〇": 0, "壹": 1, "一": 1, "贰": 2, "二": 2, "两": 2, "叁": 3, "三": 3,
         "肆": 4, "四": 4, "伍": 5, "五": 5, "陆": 6, "六": 6, "柒": 7, "七": 7, "捌": 8,
         "八": 8, "玖": 9, "九": 9}
SMALL_UNIT = {"拾": 10, "十": 10, "佰": 100, "百": 100, "仟": 1000, "千": 1000}
BIG_UNIT = {"万": 10_000, "亿": 100_000_000}
# OCR look-alikes of numeral characters; a misreading is repaired only when unambiguous.
LOOKALIKE = {"什": "仟拾", "任": "仟", "阡": "仟", "干": "千", "柏": "佰", "陌": "佰",
             "伯": "佰", "位": "伍", "武": "贰", "式": "贰", "参": "叁", "叄": "叁", "肄": "肆",
             "玫": "玖", "久": "玖", "陸": "陆", "染": "柒", "湖": "捌", "另": "零",
             # what tesseract's chi_sim (fast) makes of a dense 壹, seen on the corpus
             "壶": "壹", "查": "壹", "过": "壹", "可": "壹", "喜": "壹", "吉": "壹", "索": "壹",
             "杰": "壹", "达": "壹", "壷": "壹", "栽": "贰"}
_OCR_DIGITS = str.maketrans({"O": "0", "o": "0", "D": "0", "l": "1", "I": "1", "|": "1",
                             "S": "5", "B": "8", "Z": "2", "，": ",", "。": ".", "'": ","})


class NumeralError(ValueError):
    """Text that is not a well-formed Chinese numeral; the message says why."""


def chinese_numeral(text: str) -> int:
    """伍仟万 -> 50000000. Raise NumeralError for anything that is not a well-formed numeral."""
    if not text:
        raise NumeralError("no numeral")
    bad = [c for c in text if c not in DIGIT and c not in SMALL_UNIT and c not in BIG_UNIT]
    if bad:
        raise NumeralError(f"{''.join(bad)!r} is not a numeral character")
    total, section, digit = 0, 0, None
    last_small, last_big = 10**9, 10**13
    for ch in text:
        if ch in DIGIT:
            if digit not in (None, 0) and DIGIT[ch] != 0:
                raise NumeralError(f"two digits in a row in {text!r}")
            digit = DIGIT[ch]
        elif ch in SMALL_UNIT:
            unit = SMALL_UNIT[ch]
            if unit >= last_small:
                raise NumeralError(f"{ch} out of order in {text!r}")
            section += (digit if digit is not None else (1 if unit == 10 else 0)) * unit
            if digit is None and unit != 10:
                raise NumeralError(f"{ch} without a digit in {text!r}")
            last_small, digit = unit, None
        else:
            unit = BIG_UNIT[ch]
            if unit >= last_big:
                raise NumeralError(f"{ch} out of order in {text!r}")
            section += digit or 0
            if section == 0 and total == 0:
                raise NumeralError(f"{ch} without a number in {text!r}")
            total += section * unit
            section, digit, last_small, last_big = 0, None, 10**9, unit
    return total + section + (digit or 0)


def repair_numeral(text: str) -> tuple[int | None, str | None]:
    """Parse, or repair one look-alike character when exactly one repair parses."""
    try:
        return chinese_numeral(text), None
    except NumeralError as exc:
        reason = str(exc)
    found: dict[int, str] = {}
    for i, ch in enumerate(text):
        for alt in LOOKALIKE.get(ch, ""):
            candidate = text[:i] + alt + text[i + 1 :]
            try:
                found[chinese_numeral(candidate)] = candidate
            except NumeralError:
                pass
    if len(found) == 1:
        value, candidate = next(iter(found.items()))
        return value, f"read {text!r}, repaired to {candidate!r}"
    why = "several repairs possible" if found else reason
    return None, f"{text!r} is not a number ({why})"


def parse_capital(text: str) -> tuple[Decimal | None, str | None, bool]:
    """Registered capital in yuan from 伍仟万元整, 人民币5000万元 or 5000万元.

    Returns (value, problem, repaired): a problem without a value means unreadable.
    """
    t = re.sub(r"[\s:：]", "", text)
    for currency in ("美元", "港元", "港币", "欧元", "日元"):
        if currency in t:
            return None, f"capital is in {currency}, not yuan: convert it by hand", False
    t = t.replace("人民币", "").replace("(元)", "").replace("（元）", "").rstrip("整正")
    t = t.replace("圆", "元")
    m = re.fullmatch(r"([0-9OolIDSB,，.。]+)(万|亿)?元?", t)
    if m:
        digits = m.group(1).translate(_OCR_DIGITS).replace(",", "")
        try:
            value = Decimal(digits)
        except InvalidOperation:
            return None, f"{text!r} is not an amount", False
        mult = {"万": 10_000, "亿": 100_000_000, None: 1}[m.group(2)]
        return value * mult, None, digits != m.group(1).replace(",", "")
    t = t.rstrip("元")
    number, note = repair_numeral(t)
    if number is None:
        return None, note, False
    return Decimal(number), note, note is not None


def parse_amount(text: str, *, cents: bool = False) -> tuple[Decimal | None, bool]:
    """A printed figure -> (value, well_formed). Commas misread as dots are put right.

    `well_formed` is False when the digit groups do not look like a printed amount (a group of
    other than three digits) or, with `cents`, when the decimal point had to be assumed.
    """
    t = re.sub(r"\s+", "", text).translate(_OCR_DIGITS).strip(":;")
    negative = t.startswith(("-", "—", "(")) or t.endswith(")")
    t = t.strip("-—()")
    if not t or not re.fullmatch(r"[\d.,]+", t) or not any(c.isdigit() for c in t):
        return None, False
    m = re.fullmatch(r"(.*?)[.,](\d{2})", t)
    lost_point = False
    if m:  # cents after the last separator
        whole, fraction = m.group(1), m.group(2)
    elif cents and t.isdigit() and len(t) >= 3:  # the decimal point was not read
        whole, fraction, lost_point = t[:-2], t[-2:], True
    else:
        whole, fraction = t, ""
    groups = re.split(r"[.,]", whole) if whole else ["0"]
    ok = all(len(g) == 3 for g in groups[1:]) and 1 <= len(groups[0]) <= 3 or len(groups) == 1
    digits = "".join(groups)
    if not digits:
        return None, False
    value = Decimal(digits + ("." + fraction if fraction else ""))
    ok = ok and not lost_point and (bool(fraction) or not cents)
    return (-value if negative else value), ok


UNITS = {"元": Decimal(1), "千元": Decimal(1000), "万元": Decimal(10_000),
         "百万元": Decimal(1_000_000), "亿元": Decimal(100_000_000)}


def parse_unit(text: str) -> Decimal | None:
    """The multiplier of a unit line: 单位：万元, Unit: RMB thousand, In RMB'000."""
    t = re.sub(r"\s+", "", text).lower()
    for seen, meant in (("干元", "千元"), ("于元", "千元"), ("方元", "万元"), ("力元", "万元")):
        t = t.replace(seen, meant)
    m = re.search(r"单位[:：]?(?:人民币)?(百万元|千元|万元|亿元|元)", t)
    if m:
        return UNITS[m.group(1)]
    if "unit" in t or "rmb" in t:
        if "tenthousand" in t or "10,000" in t or "10000" in t:
            return Decimal(10_000)
        if "million" in t:
            return Decimal(1_000_000)
        if "thousand" in t or "'000" in t:
            return Decimal(1000)
        if "yuan" in t or t.endswith("rmb"):
            return Decimal(1)
    return None
