"""Amounts: printed figures with thousands separators, and Chinese (financial) numerals."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from journey.documents import UNITS

DIGIT = {"零": 0, "〇": 0, "壹": 1, "一": 1, "贰": 2, "二": 2, "两": 2, "叁": 3, "三": 3,
         "肆": 4, "四": 4, "伍": 5, "五": 5, "陆": 6, "六": 6, "柒": 7, "七": 7, "捌": 8,
         "八": 8, "玖": 9, "九": 9}
SMALL_UNIT = {"拾": 10, "十": 10, "佰": 100, "百": 100, "仟": 1000, "千": 1000}
BIG_UNIT = {"万": 10_000, "亿": 100_000_000}
# What tesseract's chi_sim (fast) model makes of numeral glyphs, measured on the five installed
# CJK fonts at 20-28 px. 仟, 叁, 柒 and 捌 are not in that model's character set at all: it can only
# ever print a look-alike for them (仟 comes out as 什, 件 or 任; 拾 itself reads right).
LOOKALIKE = {"什": "仟", "件": "仟", "任": "仟", "仔": "仟", "作": "仟", "仁": "仟", "阡": "仟",
             "参": "叁", "叄": "叁", "全": "叁", "会": "叁", "估": "叁", "佐": "叁", "僚": "叁",
             "业": "柒", "类": "柒", "米": "柒", "迷": "柒", "娄": "柒", "染": "柒", "沫": "柒",
             "数": "柒", "撞": "捌", "拥": "捌", "提": "捌", "担": "捌", "揭": "捌", "抽": "捌",
             "搁": "捌", "拉": "捌", "湖": "捌", "壶": "壹", "壷": "壹", "查": "壹", "过": "壹",
             "可": "壹", "喜": "壹", "吉": "壹", "索": "壹", "杰": "壹", "达": "壹", "老": "壹",
             "者": "壹", "起": "贰", "趟": "贰", "臣": "贰", "武": "贰", "式": "贰", "栽": "贰",
             "忒": "贰", "律": "肆", "峙": "肆", "肄": "肆", "搜": "肆", "嫂": "肆", "柏": "佰",
             "陌": "佰", "伯": "佰", "位": "伍", "玫": "玖", "久": "玖", "陸": "陆", "抬": "拾",
             "干": "千", "另": "零", "站": "整", "束": "整", "浆": "整"}
MAX_REPAIRS = 3  # more misread characters than this and the reading is not a numeral
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
    """Parse, or put right up to MAX_REPAIRS look-alike characters (人参 is 叁 read as two).

    A repair stands only when it is the one way the reading becomes a well-formed numeral.
    """
    try:
        return chinese_numeral(text), None
    except NumeralError as exc:
        reason = str(exc)
    joined = text.replace("人参", "叁")
    candidate = "".join(LOOKALIKE.get(ch, ch) for ch in joined)
    misread = sum(ch in LOOKALIKE for ch in joined) + text.count("人参")
    if candidate == text or misread > MAX_REPAIRS:
        return None, f"{text!r} is not a number ({reason})"
    try:
        value = chinese_numeral(candidate)
    except NumeralError as exc:
        return None, f"{text!r} is not a number ({exc})"
    return value, f"read {text!r}, repaired to {candidate!r}"


def parse_capital(text: str) -> tuple[Decimal | None, str | None, bool]:
    """Registered capital in yuan from 伍仟万元整, 人民币5000万元 or 5000万元.

    Returns (value, problem, repaired): a problem without a value means unreadable.
    """
    t = re.sub(r"[\s:：]", "", text)
    for currency in ("美元", "港元", "港币", "欧元", "日元"):
        if currency in t:
            return None, f"capital is in {currency}, not yuan: convert it by hand", False
    t = t.replace("人民币", "").replace("(元)", "").replace("（元）", "")
    t = t.rstrip("整正站束浆")
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




def parse_unit(text: str) -> Decimal | None:
    """The multiplier of a unit line (单位：万元, Unit: RMB thousand, In RMB'000, a note's
    金额单位为万元) or of a unit in a column header's brackets (期末余额（万元）, Closing
    balance (RMB'000), (in thousands)); not a per-share figure's (基本每股收益（元/股）)."""
    t = re.sub(r"\s+", "", text).lower()
    for seen, meant in (("干元", "千元"), ("于元", "千元"), ("方元", "万元"), ("力元", "万元")):
        t = t.replace(seen, meant)
    # ：may read as ；
    m = re.search(r"(?:单位[:：;；为是]?|[（(])(?:人民币)?(百万元|千元|万元|亿元|元)(?!/)", t)
    if m:
        return UNITS[m.group(1)]
    if re.search(r"unit|rmb|cny|yuan|[（(]in", t):
        if "tenthousand" in t or "10,000" in t or "10000" in t:
            return Decimal(10_000)
        if "million" in t:
            return Decimal(1_000_000)
        if "thousand" in t or "'000" in t:
            return Decimal(1000)
        if "yuan" in t or t.endswith("rmb"):
            return Decimal(1)
    return None
