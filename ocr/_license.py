"""Fields of a business licence (营业执照) from rows of read segments, validated and repaired."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

import numpy as np

from journey import credit_code
from journey.documents import BusinessLicense
from ocr._company import repair_company_name
from ocr._dates import parse_date, parse_term_end
from ocr._keyvalue import Found, Value, find_keys, run_from, value_of
from ocr._layout import Row
from ocr._numbers import LOOKALIKE, parse_capital
from ocr._page import Page
from ocr._punct import semicolons
from ocr._read import read_box
from ocr._scope import repair_scope
from ocr._segments import Box
from ocr._text import CJK, cjk_parens, cjk_punct, nearest, squash, strip_lead, strip_trail

KEYS: dict[str, tuple[str, ...]] = {
    "credit_code": ("统一社会信用代码", "社会信用代码", "信用代码"),
    "name": ("名称", "企业名称"),
    "company_type": ("类型", "主体类型", "企业类型"),
    "legal_representative": ("法定代表人", "负责人", "执行事务合伙人", "经营者"),
    "registered_capital": ("注册资本", "出资额"),
    "established_on": ("成立日期", "注册日期"),
    "term": ("营业期限", "合伙期限"),
    "address": ("住所", "经营场所", "营业场所", "主要经营场所"),
    "business_scope": ("经营范围",),
    "authority": ("登记机关",),
    "footer": ("国家企业信用信息公示系统",),
}
WRAPS = {"address", "business_scope", "name", "company_type"}
COMPANY_TYPES = (
    "有限责任公司", "股份有限公司", "有限责任公司（自然人投资或控股）", "有限责任公司（法人独资）",
    "有限责任公司（自然人独资）", "有限责任公司（国有独资）", "有限责任公司（国有控股）",
    "股份有限公司（非上市）", "股份有限公司（上市）", "其他有限责任公司",
    "有限责任公司（外商投资企业法人独资）", "有限责任公司（台港澳法人独资）",
    "有限责任公司（外国法人独资）", "有限责任公司（中外合资）",
    "股份有限公司（非上市、自然人投资或控股）",
    "个人独资企业", "普通合伙企业", "有限合伙企业", "个体工商户", "农民专业合作社",
)
NAME_ENDS = ("公司", "厂", "企业", "中心", "合作社", "事务所", "店", "（普通合伙）", "（有限合伙）")
T = TypeVar("T")
CODE_CHARS = credit_code.ALPHABET + "OIZSV"
# the engine cannot print 仟叁柒捌 (not in its model): let it print their look-alikes instead
NUMERAL_CHARS = "零壹贰叁肆伍陆柒捌玖拾佰仟万亿元整人民币圆0123456789.," + "".join(LOOKALIKE)
DATE_CHARS = "0123456789年月日"
SHARPEN = ("name", "legal_representative", "address")  # free text: no alphabet to check
WEAK_VALUE = 0.6


def _conf(value: Value, ok: bool, repaired: bool = False) -> float:
    if not ok:
        return round(min(value.conf, 0.3), 2)
    return round(value.conf * (0.85 if repaired else 1.0), 2)


def _code_box(rows: list[Row], f: Found) -> Box:
    """The code's region: from the value start to the right edge of its segment."""
    row = rows[f.row]
    seg = next(w for w in row.words if w.left <= f.x_value + 2 < w.right + 40)
    left = int(min(f.x_value, seg.right - 10))
    return Box(left, seg.top, max(1, seg.right - left), seg.height)


def _credit_code(model: BusinessLicense, raw: str, conf: float, image: np.ndarray | None,
                 rows: list[Row], f: Found) -> None:
    readings = [re.sub(r"[^0-9A-Za-z]", "", raw)]
    if image is not None and not credit_code.is_valid(readings[0]):
        box = _code_box(rows, f)
        again = read_box(image, box, "eng", CODE_CHARS).text
        readings.append(re.sub(r"[^0-9A-Za-z]", "", again))
    # a reading that passes the check as it stands (S as 5, or as 8) beats one that needs a
    # character changed
    found = [(r, code) for r in readings if (code := credit_code.as_printed(r))]
    found += [(r, code) for r in readings if (code := credit_code.repair(r))]
    if found:
        reading, code = found[0]
        model.credit_code, model.credit_code_valid = code, True
        model.confidence["credit_code"] = round(conf * (1.0 if code == reading else 0.85), 2)
        if code != reading:
            model.problems["credit_code"] = f"read {reading!r}, repaired to {code}"
        return
    model.credit_code = credit_code.normalise(readings[0]) or None
    model.credit_code_valid = False
    model.confidence["credit_code"] = round(min(conf, 0.3), 2)
    model.problems["credit_code"] = (
        f"{readings[0]!r} fails the GB 32100-2015 check character: compare it with the original"
    )


def parse_license(rows: list[Row], page: Page) -> BusinessLicense:
    """Build the licence model; the page's images let failed values be read again."""
    line_height = page.glyph_height
    found = find_keys(rows, KEYS)
    model = BusinessLicense()
    first: dict[str, Found] = {}
    for f in found:
        first.setdefault(f.field, f)
    for field in ("name", "credit_code", "legal_representative", "registered_capital",
                  "established_on", "address", "company_type", "business_scope", "term"):
        hit = first.get(field)
        if hit is None:
            if field == "term":  # older licences print none: nothing to check
                continue
            if field != "business_scope":
                model.confidence[field] = 0.0
                model.problems[field] = "not found on the page: check the scan is complete"
            else:
                model.confidence[field] = 0.5
            continue
        value = value_of(rows, hit, found, wrap=field in WRAPS, line_height=line_height)
        if field in SHARPEN and value.conf < WEAK_VALUE and value.lines == 1:
            value = _sharper(page, rows, hit, value)
        raw = value.text
        if field == "business_scope":
            raw = semicolons(raw, value.chars, page.binary)
        text = strip_trail(strip_lead(raw))
        _set(model, field, text, value, page, rows, hit)
    return model


def _value_box(rows: list[Row], f: Found, line_height: float) -> Box | None:
    words = run_from([w for w in rows[f.row].words if w.right > f.x_value + 2
                      and w.left < f.x_stop], f.x_value, line_height)
    if not words:
        return None
    left = int(max(min(w.left for w in words), f.x_value - 2))
    right = max(w.right for w in words)
    top, bottom = min(w.top for w in words), max(w.bottom for w in words)
    return Box(left, top, right - left, bottom - top)


def _reread(page: Page, rows: list[Row], f: Found, chars: str, parse: Callable[[str], T]
            ) -> tuple[T | None, str]:
    """Read a value that failed validation again, restricted to the characters it may hold,
    from the grey and the binary image, enlarged; take the value two readings agree on, else
    the first that parses (the caller marks it repaired)."""
    box = _value_box(rows, f, page.glyph_height)
    if box is None or page.gray is None or page.binary is None:
        return None, ""
    seen: list[tuple[T, str]] = []
    for image, scale in ((page.gray, 1.5), (page.binary, 1.5), (page.gray, 1.0)):
        text = strip_lead(read_box(image, box, "chi_sim", chars, scale).text.replace(" ", ""))
        value = parse(text)
        if value is None:
            continue
        if any(v == value for v, _ in seen):
            return value, text
        seen.append((value, text))
    return (seen[0] if seen else (None, ""))


def _sharper(page: Page, rows: list[Row], f: Found, value: Value) -> Value:
    """A weakly read one-line value read again from the grey image enlarged (the engine's
    scaling of small glyphs loses strokes): the most confident reading wins."""
    box = _value_box(rows, f, page.glyph_height)
    if box is None or page.gray is None:
        return value
    for scale in (1.25, 1.5):
        again = read_box(page.gray, box, "chi_sim", "", scale)
        if again.text and again.conf / 100 > value.conf:
            value = Value(squash(again.text), again.conf / 100, 1)
    return value


def _set(model: BusinessLicense, field: str, text: str, value: Value, page: Page,
         rows: list[Row], f: Found) -> None:
    c, p = model.confidence, model.problems
    if field == "credit_code":
        _credit_code(model, text, value.conf, page.binary, rows, f)
    elif field == "name":
        name, legal_form = repair_company_name(cjk_parens(text))
        model.name = name or None
        ok = len(name) >= 4 and name.endswith(NAME_ENDS)
        c[field] = _conf(value, ok, legal_form is not None)
        if not ok:
            p[field] = f"{name!r} does not look like a registered name: check it"
        elif legal_form:
            p[field] = legal_form
    elif field == "legal_representative":
        person = "".join(CJK.findall(text)) or text
        model.legal_representative = person or None
        ok = 2 <= len(person) <= 4 and bool(CJK.fullmatch(person[0]))
        c[field] = _conf(value, ok)
        if not ok:
            p[field] = f"{text!r} is not a person's name: check it"
    elif field == "registered_capital":
        amount, problem, repaired = parse_capital(text)
        if amount is None:
            amount2, again = _reread(page, rows, f, NUMERAL_CHARS, lambda t: parse_capital(t)[0])
            if amount2 is not None:
                amount, repaired = amount2, True
                problem = f"read {text!r}, read again as {again!r}"
        model.registered_capital = amount
        c[field] = _conf(value, amount is not None, repaired)
        if problem:
            p[field] = problem
    elif field == "established_on":
        day, problem = parse_date(text)
        if day is None:
            day2, again = _reread(page, rows, f, DATE_CHARS, lambda t: parse_date(t)[0])
            if day2 is not None:
                day, problem = day2, f"read {text!r}, read again as {again!r}"
        c[field] = _conf(value, day is not None, problem is not None)
        model.established_on = day
        if problem:
            p[field] = problem
    elif field == "term":
        model.valid_until, problem = parse_term_end(text)
        c[field] = _conf(value, problem is None)
        if problem:
            p[field] = problem
    elif field == "address":
        model.address = cjk_parens(text) or None
        ok = len(text) >= 6 and bool(re.search(r"[省市区县镇路街道号村]", text))
        c[field] = _conf(value, ok)
        if not ok:
            p[field] = f"{text!r} does not look like an address: check it"
    elif field == "company_type":
        kind = cjk_parens(text)
        known = kind if kind in COMPANY_TYPES else nearest(kind, COMPANY_TYPES, 0.15)
        model.company_type = known or kind or None
        c[field] = _conf(value, known is not None, known is not None and known != kind)
        if known is None:
            p[field] = f"{kind!r} is not a known company type: check it"
        elif known != kind:
            p[field] = f"read {kind!r}, matched to {known!r}"
    elif field == "business_scope":
        scope = repair_scope(cjk_punct(cjk_parens(text)))
        model.business_scope = scope.text
        c[field] = scope.confidence(value.conf)
        if scope.problem:
            p[field] = scope.problem
