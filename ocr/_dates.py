"""Dates as documents print them: 2020年4月19日, 2023年度, 2023年1-6月, 31 December 2023."""

from __future__ import annotations

import calendar
import re
from datetime import date

MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})
_DIGITS = str.maketrans({"O": "0", "o": "0", "D": "0", "l": "1", "I": "1", "|": "1", "S": "5",
                         "B": "8", "Z": "2", "!": "1", "]": "1"})
FULL = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})(?!\d)(?!\s*月)")
ISO = re.compile(r"(?<!\d)(\d{4})[./\-](\d{1,2})[./\-](\d{1,2})(?!\d)")


def _make(y: int, m: int, d: int) -> tuple[date | None, str | None]:
    try:
        value = date(y, m, d)
    except ValueError:
        return None, f"{y}-{m}-{d} is not a calendar date: check the day and month"
    if not 1949 <= y <= 2100:
        return None, f"year {y} is implausible"
    return value, None


def _end_of_month(y: int, m: int) -> tuple[date | None, str | None]:
    if not 1 <= m <= 12:
        return None, f"month {m} is not a month"
    return _make(y, m, calendar.monthrange(y, m)[1])


def _digits(text: str) -> str:
    """Map letter look-alikes to digits where they stand next to digits."""
    return re.sub(r"(?<=[\d年月])[OoDlIS|BZ]|[OoDlIS|BZ!\]](?=[\d年月日])",
                  lambda m: m.group(0).translate(_DIGITS), text)


def parse_date(text: str) -> tuple[date | None, str | None]:
    """A full date -> (date, None), or (None, reason)."""
    t = re.sub(r"\s+", " ", text)
    digits = _digits(t)
    m = FULL.search(digits) or ISO.search(digits)
    if m:
        return _make(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = re.search(r"(\d{1,2}) ?([A-Za-z]{3,9})\.?,? ?(\d{4})", t)
    if m and m.group(2).lower() in MONTHS:
        return _make(int(m.group(3)), MONTHS[m.group(2).lower()], int(m.group(1)))
    m = re.search(r"([A-Za-z]{3,9})\.? ?(\d{1,2}),? ?(\d{4})", t)
    if m and m.group(1).lower() in MONTHS:
        return _make(int(m.group(3)), MONTHS[m.group(1).lower()], int(m.group(2)))
    return None, f"no date in {text!r}"


OPEN_ENDED = ("长期", "永久", "无固定期限", "不约定期限")


def parse_term_end(text: str) -> tuple[date | None, str | None]:
    """The end of a licence's term, '2010年05月01日至2045年12月31日' -> 2045-12-31; a term
    without end ('...至长期') -> (None, None); (None, reason) when it cannot be read."""
    end = re.split(r"[至到]", text)[-1] if re.search(r"[至到]", text) else ""
    if any(word in end for word in OPEN_ENDED):
        return None, None
    if not end:
        return None, f"no end of the term in {text!r}: check it on the licence"
    return parse_date(end)


def parse_period_end(text: str) -> tuple[date | None, str | None]:
    """The last day a statement covers: a full date, 2023年度, 2023年1-6月 or 2023年6月."""
    value, problem = parse_date(text)
    if value or FULL.search(_digits(text)):
        return value, problem
    t = re.sub(r"\s+", "", _digits(text))
    m = re.search(r"(\d{4})年度", t)
    if m:
        return _make(int(m.group(1)), 12, 31)
    # 2023年1-6月, the dash sometimes read as . or 一
    m = re.search(r"(\d{4})年(?:\d{1,2}[-—–－~至.一_])?(\d{1,2})月", t)
    if m:
        return _end_of_month(int(m.group(1)), int(m.group(2)))
    return None, problem
