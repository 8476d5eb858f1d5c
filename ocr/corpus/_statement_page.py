"""Render a balance sheet or income statement (Chinese or English) in several table layouts."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from PIL import Image, ImageDraw

from ocr.corpus._data import amount_text
from ocr.corpus._draw import INK, PAGE, text_center, text_right
from ocr.corpus._financials import (
    BS_FIELDS,
    BS_ROWS_EN,
    BS_ROWS_ZH,
    IS_FIELDS,
    IS_ROWS_EN,
    IS_ROWS_ZH,
    UNITS,
    balance_sheet,
    income_statement,
)
from ocr.corpus._fonts import BOLD, Face, font

LAYOUTS = ("ruled", "open", "two_sided")
EN_UNITS = {"元": "RMB yuan", "千元": "RMB thousand", "万元": "RMB ten thousand"}
EN_MONTHS = ["", "January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December"]


def _short(label: str) -> str:
    return label.replace("（或股东权益）", "").replace("（或股本）", "")


def _period_text(kind: str, lang: str, end: date) -> str:
    if lang == "en":
        when = f"{end.day} {EN_MONTHS[end.month]} {end.year}"
        if kind == "balance_sheet":
            return f"As at {when}"
        months = "year" if end.month == 12 else "six months"
        return f"For the {months} ended {when}"
    if kind == "balance_sheet":
        return f"{end.year}年{end.month}月{end.day}日"
    return f"{end.year}年度" if end.month == 12 else f"{end.year}年1-{end.month}月"


def _headers(kind: str, lang: str, rng: random.Random) -> tuple[str, str, str]:
    if lang == "en":
        cur, pri = ("Closing balance", "Opening balance") if kind == "balance_sheet" else (
            "Current period", "Prior period")
        return "Item", cur, pri
    if kind == "balance_sheet":
        return "项目", "期末余额", rng.choice(["年初余额", "期初余额"])
    return "项目", "本期金额", "上期金额"


def _table(draw: ImageDraw.ImageDraw, rows: Sequence[tuple[str, str | None]], first: dict,
           second: dict, heads: tuple[str, str, str], x: int, y: int, widths: tuple[int, ...],
           face: Face, size: int, ruled: bool, line_no: bool) -> int:
    fnt = font(face, size)
    row_h = int(size * 1.75)
    cols = [x]
    for w in widths:
        cols.append(cols[-1] + w)
    head = [heads[0], "行次", heads[1], heads[2]] if line_no else list(heads)
    all_rows = [(head, True)] + [
        ([label] + ([str(i + 1)] if line_no else [])
         + ([amount_text(first[k]), amount_text(second[k])] if k else ["", ""]), False)
        for i, (label, k) in enumerate(rows)
    ]
    top = y
    for cells, is_head in all_rows:
        ty = y + (row_h - size) // 2 - 2
        for j, cell in enumerate(cells):
            if is_head or (line_no and j == 1):
                text_center(draw, (cols[j] + cols[j + 1]) // 2, ty, cell, fnt)
            elif j == 0:
                draw.text((cols[0] + 8, ty), cell, font=fnt, fill=INK)
            else:
                text_right(draw, cols[j + 1] - 10, ty, cell, fnt)
        y += row_h
        if ruled or is_head:
            draw.line((cols[0], y, cols[-1], y), fill=INK, width=2 if ruled else 1)
    if ruled:
        draw.line((cols[0], top, cols[-1], top), fill=INK, width=2)
        for cx in cols:
            draw.line((cx, top, cx, y), fill=INK, width=2)
    else:
        draw.line((cols[0], top, cols[-1], top), fill=INK, width=2)
        draw.line((cols[0], y, cols[-1], y), fill=INK, width=2)
    return y


def render_statement(kind: str, lang: str, layout: str, company: str | None, end: date,
                     unit: str, face: Face, rng: random.Random,
                     tamper: dict[str, Decimal] | None = None, *,
                     heads: tuple[str, str] | None = None, current_first: bool = True,
                     unit_line: bool = True, foot: str | None = None
                     ) -> tuple[Image.Image, dict]:
    """The statement page and labels; `tamper` prints other current figures (by row key).

    `heads` prints other column headers (the current period's, then the other column's),
    `current_first=False` puts the current period in the second column,
    `unit_line=False` leaves the unit line out (a unit in `heads` says it instead), and
    `foot` prints a line under the table (金额单位：万元, or a note).
    """
    img = Image.new("RGB", PAGE, (253, 253, 251))
    draw = ImageDraw.Draw(img)
    w = PAGE[0]
    scale = rng.choice([1e6, 1e7, 5e7, 2e8, 1e9]) / UNITS[unit]
    make = balance_sheet if kind == "balance_sheet" else income_statement
    cur, pri = make(rng, scale), make(rng, scale)
    cur.update(tamper or {})
    if lang == "en":
        rows = BS_ROWS_EN if kind == "balance_sheet" else IS_ROWS_EN
        title = "Balance Sheet" if kind == "balance_sheet" else "Income Statement"
    else:
        rows = BS_ROWS_ZH if kind == "balance_sheet" else IS_ROWS_ZH
        title = "资产负债表" if kind == "balance_sheet" else rng.choice(["利润表", "利润表"])
    size = rng.randint(20, 24)
    fnt = font(face, size)
    text_center(draw, w // 2, 90, title, font(BOLD, 48))
    y = 190
    if company:
        label = "Company: " if lang == "en" else "编制单位："
        draw.text((90, y), label + company, font=fnt, fill=INK)
        y += int(size * 1.8)
    draw.text((90, y), _period_text(kind, lang, end), font=fnt, fill=INK)
    if unit_line:
        unit_text = f"Unit: {EN_UNITS[unit]}" if lang == "en" else f"单位：{unit}"
        text_right(draw, w - 90, y, unit_text, fnt)
    y += int(size * 2.2)
    item, *printed = _headers(kind, lang, rng)
    current, other = heads or printed
    columns = (current, other) if current_first else (other, current)
    first, second = (cur, pri) if current_first else (pri, cur)
    if layout == "two_sided" and kind == "balance_sheet":
        split = next(i for i, (_, k) in enumerate(rows) if k == "total_assets") + 1
        left_heads = ("资产" if lang == "zh" else "Assets", *columns)
        right_heads = ("负债和所有者权益" if lang == "zh" else "Liabilities and equity",
                       *columns)
        small = max(17, size - 4)
        rows = [(_short(label), k) for label, k in rows]
        widths: tuple[int, ...] = (250, 160, 160)
        bottom = max(_table(draw, part, first, second, side_heads, x, y, widths, face, small,
                            True, False)
                     for part, side_heads, x in ((rows[:split], left_heads, 40),
                                                 (rows[split:], right_heads, 630)))
    else:
        line_no = layout == "ruled" and rng.random() < 0.6
        lab_w = 470 if lang == "zh" else 440
        widths = (lab_w, 80, 270, 270) if line_no else (lab_w + 40, 300, 300)
        bottom = _table(draw, rows, first, second, (item, *columns), 80, y, widths, face,
                        size, layout == "ruled", line_no)
    if foot:
        draw.text((90, bottom + size), foot, font=fnt, fill=INK)
    fields = BS_FIELDS if kind == "balance_sheet" else IS_FIELDS
    labels = {f: str(cur[f] * UNITS[unit]) for f in fields}
    labels.update(kind=kind, period_end=end.isoformat(), company=company or "", unit=unit)
    return img, labels


def statement_values(labels: dict) -> dict[str, Decimal]:
    fields = BS_FIELDS if labels["kind"] == "balance_sheet" else IS_FIELDS
    return {f: Decimal(labels[f]) for f in fields}
