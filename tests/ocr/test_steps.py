"""The named preprocessing steps, one at a time, on real rendered pages."""

from __future__ import annotations

import random

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw

from ocr import _steps as steps
from ocr._page import Page
from ocr.corpus._damage import add_seal, rotate
from ocr.corpus._fonts import FACES, font
from ocr.errors import BlankPage
from tests.ocr.conftest import clean_license


def _gray_page(image: np.ndarray) -> Page:
    return steps.whiten_seal(steps.even_light(steps.to_gray_without_seal(Page(image))))


@pytest.mark.parametrize(("angle", "w", "h", "tilt"), [
    (-88.0, 200.0, 10.0, 2.0),   # opencv 5: [-90, 0)
    (-2.0, 200.0, 10.0, -2.0),
    (2.0, 200.0, 10.0, 2.0),     # opencv 4.5+: (0, 90]
    (88.0, 10.0, 200.0, -2.0),
    (-90.0, 10.0, 200.0, 0.0),
])
def test_small_angle_normalises_both_opencv_conventions(angle: float, w: float, h: float,
                                                        tilt: float) -> None:
    got = steps.small_angle(angle, w, h)
    assert -45.0 <= got <= 45.0
    assert got == pytest.approx(tilt) or got == pytest.approx(tilt - 90 if tilt > 0 else tilt + 90)


@pytest.mark.parametrize("degrees", [-15.0, -4.5, -1.0, 2.5, 5.0, 8.0, 12.0])
def test_deskew_measures_and_undoes_the_tilt(degrees: float) -> None:
    image, _ = clean_license(seed=2)
    page = _gray_page(rotate(image, degrees))
    page = steps.deskew(page)
    assert page.notes["skew"] == pytest.approx(degrees, abs=0.3)
    assert steps.skew_angle(page.gray) == pytest.approx(0.0, abs=0.5)


def test_orient_turns_a_page_lying_on_its_side_upright() -> None:
    image, _ = clean_license(seed=3)
    upright = _gray_page(image).gray
    page = steps.orient(_gray_page(np.ascontiguousarray(np.rot90(image, 1))))
    assert page.notes["turned"] == 270
    assert page.gray is not None and upright is not None
    assert page.gray.shape == upright.shape
    assert np.abs(page.gray.astype(int) - upright).mean() < 2


def test_orient_leaves_upright_and_upside_down_pages_to_the_reading() -> None:
    """No OSD pass on pages whose lines run across: reading the head tells up from down."""
    image, _ = clean_license(seed=3)
    for turned in (image, np.ascontiguousarray(np.rot90(image, 2))):
        page = steps.orient(_gray_page(turned))
        assert "turned" not in page.notes and "osd" not in page.notes


def test_orient_follows_a_sure_osd_that_the_page_is_upright() -> None:
    """A page tilted 15 degrees looks to the blob test as if its lines ran top to bottom;
    tesseract's OSD, sure it is upright, keeps it from being turned on its side."""
    image, _ = clean_license(seed=21, layout="two_column_border")
    pil = Image.fromarray(image[:, :, ::-1].copy()).rotate(15, expand=True, fillcolor="white")
    page = _gray_page(np.asarray(pil)[:, :, ::-1].copy())
    assert page.gray is not None and steps.lines_run_vertically(page.gray)
    page = steps.orient(page)
    assert page.notes["osd"][0] == 0 and page.notes["osd"][1] >= steps.OSD_SURE
    assert "turned" not in page.notes


def test_seal_is_whitened_but_text_under_it_stays() -> None:
    image, _ = clean_license(seed=4)
    pil = Image.fromarray(image[:, :, ::-1].copy())
    sealed = add_seal(pil, (400, 420), "测试印章有限公司", FACES[0], random.Random(0))
    bgr = np.asarray(sealed)[:, :, ::-1].copy()
    clean = _gray_page(image).gray
    page = _gray_page(bgr)
    assert page.notes["seal_pixels"] > 1000
    region = (slice(300, 540), slice(280, 520))
    text_before = clean[region] < 128
    text_after = page.gray[region] < 128
    assert (text_after & ~text_before).sum() < 0.05 * text_before.sum()  # no seal ink left
    assert (text_after & text_before).sum() > 0.8 * text_before.sum()  # the text survives


def test_remove_rules_keeps_cjk_strokes() -> None:
    img = Image.new("L", (900, 300), 255)
    draw = ImageDraw.Draw(img)
    draw.text((60, 100), "一二三工业", font=font(FACES[0], 40), fill=0)
    draw.line((20, 200, 880, 200), fill=0, width=2)
    draw.line((20, 20, 20, 280), fill=0, width=2)
    page = Page(np.zeros((1, 1, 3), np.uint8), gray=np.asarray(img).copy(), glyph_height=40)
    page = steps.remove_rules(steps.binarise(page))
    assert page.binary is not None
    assert (page.binary[195:206, 100:800] < 128).sum() == 0  # the rule is gone
    assert (page.binary[15:285, 15:26] < 128).sum() == 0
    ink = (page.binary[90:160, 55:320] < 128).sum()
    assert ink > 400  # 一二三工 kept


def test_small_glyphs_are_measured_and_upscaled() -> None:
    image, _ = clean_license(seed=6)
    small = cv2.resize(image, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    page = steps.measure_glyphs(_gray_page(small))
    assert page.glyph_height < steps.MIN_GLYPH_PX
    page = steps.upscale_small_glyphs(page)
    assert page.notes["upscaled"] > 1.2


def test_large_glyphs_are_left_alone() -> None:
    image, _ = clean_license(seed=6)
    page = steps.upscale_small_glyphs(steps.measure_glyphs(_gray_page(image)))
    assert "upscaled" not in page.notes


def test_blank_page_is_refused() -> None:
    with pytest.raises(BlankPage):
        steps.refuse_blank(_gray_page(np.full((600, 400, 3), 240, np.uint8)))
