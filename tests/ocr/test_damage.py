"""Each kind of damage the generator applies, one at a time, on a real rendered licence."""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from datetime import date
from decimal import Decimal

import cv2
import numpy as np
import pytest
from PIL import Image

import ocr
from ocr._dither import is_dithered
from ocr._load import load_image
from ocr.corpus._damage import add_seal, photograph, rotate, uneven_light
from ocr.corpus._fonts import FACES
from tests.ocr.conftest import SAMPLES, clean_license, jpeg, letter_page, sample_path


def _seal(image: np.ndarray) -> np.ndarray:
    pil = Image.fromarray(image[:, :, ::-1].copy())
    sealed = add_seal(pil, (700, 560), "测试印章有限公司", FACES[0], random.Random(1))
    return np.asarray(sealed)[:, :, ::-1].copy()


def _noise(image: np.ndarray) -> np.ndarray:
    noise = np.random.default_rng(1).normal(0, 12, image.shape)
    return (image.astype(np.float32) + noise).clip(0, 255).astype(np.uint8)


def _tilt(image: np.ndarray, degrees: float) -> np.ndarray:
    """A hand-held photo's tilt: the whole page turned, the canvas grown to hold it."""
    pil = Image.fromarray(image[:, :, ::-1].copy())
    turned = pil.rotate(degrees, expand=True, fillcolor="white", resample=Image.BICUBIC)
    return np.asarray(turned)[:, :, ::-1].copy()


def _downscale(image: np.ndarray) -> np.ndarray:
    small = cv2.resize(image, None, fx=0.55, fy=0.55, interpolation=cv2.INTER_AREA)
    return small  # ~80 dpi: glyphs ~13 px, so the pipeline must upscale


def _bitonal(image: np.ndarray, *, dither: bool, scale: int = 1) -> bytes:
    """A scanner's 1-bit TIFF (Group 4) of the page at 200 dpi times `scale`: error-diffusion
    dithered (Pillow's Floyd-Steinberg), or thresholded."""
    pil = Image.fromarray(image[:, :, ::-1].copy()).convert("L")
    if scale != 1:
        pil = pil.resize((pil.width * scale, pil.height * scale), Image.LANCZOS)
    if not dither:
        pil = pil.point(lambda p: 255 if p > 150 else 0)
    buf = io.BytesIO()
    pil.convert("1", dither=Image.Dither.FLOYDSTEINBERG if dither else Image.Dither.NONE).save(
        buf, format="TIFF", compression="group4", dpi=(200 * scale, 200 * scale))
    return buf.getvalue()


def _dithered_jpeg(image: np.ndarray, scale: float = 1.0) -> bytes:
    """The dithered 1-bit scan (`_bitonal`) resized to `scale` and saved as JPEG, quality 75:
    its dots smoothed into grey specks, no longer two-valued."""
    page = load_image(_bitonal(image, dither=True))
    if scale != 1:
        page = cv2.resize(page, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return jpeg(page, 75)


DAMAGE: dict[str, Callable[[np.ndarray], np.ndarray | bytes]] = {
    "rotation_plus_5": lambda a: rotate(a, 5.0),
    "rotation_minus_4": lambda a: rotate(a, -4.0),
    "tilted_plus_12": lambda a: _tilt(a, 12.0),
    "tilted_minus_15": lambda a: _tilt(a, -15.0),
    "tilted_plus_30": lambda a: _tilt(a, 30.0),
    "blur": lambda a: cv2.GaussianBlur(a, (5, 5), 0),
    "noise": _noise,
    "jpeg_q50": lambda a: jpeg(a, 50),
    "uneven_light": lambda a: uneven_light(a, random.Random(3)),
    "red_seal_over_text": _seal,
    "turned_180": lambda a: np.ascontiguousarray(np.rot90(a, 2)),
    "turned_90": lambda a: np.ascontiguousarray(np.rot90(a, 1)),
    "small_glyphs": _downscale,
    "bitonal_dithered": lambda a: _bitonal(a, dither=True),
    # 2480x3508 px: limit_size shrinks it, so dither is told and undone before
    "bitonal_dithered_400_dpi": lambda a: _bitonal(a, dither=True, scale=2),
    "bitonal_thresholded": lambda a: _bitonal(a, dither=False),
    "bitonal_dithered_jpeg_q75": _dithered_jpeg,
    "bitonal_dithered_resized_0.8_jpeg_q75": lambda a: _dithered_jpeg(a, 0.8),
}


@pytest.mark.parametrize("kind", sorted(DAMAGE))
def test_licence_survives(kind: str) -> None:
    image, labels = clean_license(seed=21, layout="two_column_border")
    licence = ocr.extract_license(DAMAGE[kind](image))
    assert licence.credit_code == labels["credit_code"] and licence.credit_code_valid
    assert licence.registered_capital == Decimal(labels["registered_capital"])
    assert licence.established_on == date.fromisoformat(labels["established_on"])
    assert licence.legal_representative == labels["legal_representative"]


def test_only_a_dithered_page_is_undithered() -> None:
    """Dither's specks tell it, as 1-bit TIFF, as JPEG and resized, from a thresholded scan and
    from every clean page the OCR tests read (its damage, the sample scans, a photo, a letter),
    which pass untouched."""
    image, _ = clean_license(seed=21, layout="two_column_border")
    dithered = {k for k in DAMAGE if k.startswith("bitonal_dithered")}
    for kind in dithered:
        assert is_dithered(load_image(DAMAGE[kind](image))), kind
    clean = [DAMAGE[k](image) for k in DAMAGE if k not in dithered]
    clean += [image, photograph(image, random.Random(9))[0], letter_page()]
    clean += [sample_path(p.name) for p in sorted(SAMPLES.glob("*.jpg")) if "corrupt" not in p.name]
    for page in clean:
        assert not is_dithered(load_image(page))
