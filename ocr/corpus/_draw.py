"""Small drawing helpers shared by the page renderers."""

from __future__ import annotations

from PIL import ImageDraw, ImageFont

PAGE = (1240, 1754)  # A4 portrait at 150 dpi
INK = (20, 20, 20)


def wrap(text: str, fnt: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Break CJK text into lines no wider than `width` pixels."""
    lines, line = [], ""
    for ch in text:
        if line and fnt.getlength(line + ch) > width:
            lines.append(line)
            line = ""
        line += ch
    return [*lines, line] if line else lines


def text_right(draw: ImageDraw.ImageDraw, right: int, y: int, text: str,
               fnt: ImageFont.FreeTypeFont) -> None:
    draw.text((right - fnt.getlength(text), y), text, font=fnt, fill=INK)


def text_center(draw: ImageDraw.ImageDraw, cx: int, y: int, text: str,
                fnt: ImageFont.FreeTypeFont) -> None:
    draw.text((cx - fnt.getlength(text) / 2, y), text, font=fnt, fill=INK)
