"""Render a business licence (营业执照) in one of several layouts, with its labels."""

from __future__ import annotations

import random

from PIL import Image, ImageDraw

from ocr.corpus._data import Company, capital_text, date_text
from ocr.corpus._draw import INK, PAGE, text_center, wrap
from ocr.corpus._fonts import BOLD, Face, font

LAYOUTS = ("two_column_border", "single_column", "single_column_spaced")
SPACED = {"名称": "名　　称", "类型": "类　　型", "住所": "住　　所"}


def _fields(c: Company, rng: random.Random) -> dict[str, str]:
    return {
        "名称": c.name,
        "类型": c.company_type,
        "法定代表人": c.legal_representative,
        "注册资本": capital_text(c.capital_wan, rng),
        "成立日期": date_text(c.established_on, rng),
        "营业期限": date_text(c.established_on, rng) + "至"
        + rng.choice(["长期", "2045年12月31日"]),
        "住所": c.address,
        "经营范围": c.business_scope,
    }


def _block(draw: ImageDraw.ImageDraw, x: int, y: int, key: str, value: str, key_w: int,
           width: int, face: Face, size: int, spaced: bool) -> int:
    """Draw one key and its (wrapped) value; return the y below it."""
    fk, fv = font(face, size), font(face, size)
    label = SPACED.get(key, key) if spaced else key
    draw.text((x, y), label, font=fk, fill=INK)
    line_h = int(size * 1.6)
    lines = wrap(value, fv, width - key_w) if value else []
    for i, line in enumerate(lines or [""]):
        draw.text((x + key_w, y + i * line_h), line, font=fv, fill=INK)
    return y + max(1, len(lines)) * line_h + int(size * 0.9)


def render_license(c: Company, face: Face, layout: str, rng: random.Random,
                   overrides: dict[str, str] | None = None) -> Image.Image:
    """The licence page; `overrides` replaces printed texts by key (注册资本, 统一社会信用代码)."""
    img = Image.new("RGB", PAGE, (252, 250, 246))
    draw = ImageDraw.Draw(img)
    w, h = PAGE
    size = rng.randint(23, 27)
    draw.rectangle((40, 40, w - 40, h - 40), outline=(150, 110, 60), width=6)
    draw.rectangle((56, 56, w - 56, h - 56), outline=(150, 110, 60), width=2)
    text_center(draw, w // 2, 150, "营 业 执 照", font(BOLD, 72))
    draw.text((100, 270), "统一社会信用代码", font=font(face, size), fill=INK)
    overrides = overrides or {}
    code = overrides.get("统一社会信用代码", c.credit_code)
    draw.text((100 + int(size * 8.6), 270), code, font=font(face, size + 2), fill=INK)
    text_center(draw, w // 2, 236, rng.choice(["（副本）", "（正本）", ""]), font(face, size))
    fields = _fields(c, rng) | overrides
    spaced = layout == "single_column_spaced"
    if layout == "two_column_border":
        draw.rectangle((90, 350, w - 90, 1420), outline=INK, width=2)
        key_w = int(size * 5.6)
        y = 390
        for key in ("名称", "类型", "法定代表人", "经营范围"):
            y = _block(draw, 110, y, key, fields[key], key_w, 500, face, size, False)
        y = 390
        for key in ("注册资本", "成立日期", "营业期限", "住所"):
            y = _block(draw, 650, y, key, fields[key], key_w, 490, face, size, False)
    else:
        key_w = int(size * 6.2)
        y = 380
        order = ("名称", "类型", "住所", "法定代表人", "注册资本", "成立日期", "营业期限",
                 "经营范围")
        for key in order:
            y = _block(draw, 140, y, key, fields[key], key_w, 960, face, size, spaced)
    draw.text((700, 1500), "登记机关", font=font(face, size), fill=INK)
    draw.text((740, 1560), date_text(c.established_on.replace(year=2024), rng),
              font=font(face, size), fill=INK)
    draw.text((100, 1640), "国家企业信用信息公示系统网址：http://www.gsxt.gov.cn",
              font=font(face, size - 6), fill=INK)
    return img


def license_labels(c: Company) -> dict[str, str]:
    return {
        "name": c.name,
        "credit_code": c.credit_code,
        "legal_representative": c.legal_representative,
        "registered_capital": str(c.capital_wan * 10_000),
        "established_on": c.established_on.isoformat(),
        "address": c.address,
        "company_type": c.company_type,
        "business_scope": c.business_scope,
    }
