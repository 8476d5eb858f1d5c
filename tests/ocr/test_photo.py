"""A page photographed at an angle on a desk (ocr._flatten.flatten_photo): found, flattened and
read; scans and photos without a clear page outline are left as they are."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

import cv2
import numpy as np
import pytest

import ocr
from ocr import _pipeline
from ocr._api import FLATTENED
from ocr._flatten import flatten_photo, page_outline
from ocr._load import load_image
from ocr._page import Page
from ocr.corpus import make_page
from ocr.corpus._damage import desk, hard_shadow, photograph, rotate, uneven_light
from ocr.corpus._fonts import FACES
from ocr.corpus._statement_page import render_statement
from ocr.errors import NotADocument, UnevenLight
from tests.ocr.conftest import clean_license, jpeg


def _photo(image: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """`image` photographed at an angle, and where its corners landed."""
    photo, corners = photograph(image, random.Random(seed))
    return photo, np.array(corners, dtype=np.float32)


def _balance_sheet() -> tuple[np.ndarray, dict]:
    img, labels = render_statement("balance_sheet", "zh", "ruled", "成都远帆电子股份有限公司",
                                   date(2025, 12, 31), "元", FACES[0], random.Random(11))
    return np.asarray(img)[:, :, ::-1].copy(), labels


def test_a_photographed_balance_sheet_reads_its_key_figures() -> None:
    image, labels = _balance_sheet()
    photo, corners = _photo(image, 4)
    outline = page_outline(photo)
    assert outline is not None and np.abs(outline - corners).max() < 15
    statement = ocr.extract_statement(jpeg(photo, 85))
    for field in ("cash", "total_assets", "total_liabilities", "total_equity"):
        assert getattr(statement, field) == Decimal(labels[field]), field
    assert statement.problems["page"] == FLATTENED


def test_a_photographed_licence_reads_its_credit_code_and_name() -> None:
    image, labels = clean_license(seed=21, layout="two_column_border")
    photo, _ = _photo(image, 9)
    licence = ocr.extract_license(jpeg(photo, 85))
    assert licence.credit_code == labels["credit_code"] and licence.credit_code_valid
    assert licence.name == labels["name"]
    assert licence.problems["page"] == FLATTENED


@pytest.mark.parametrize("seed", [5, 6])
def test_a_shaded_photo_is_outlined_by_its_edges(seed: int) -> None:
    """Shade splits the bright region (Otsu finds no quadrilateral): the edges still do."""
    image, _ = clean_license(seed=21, layout="two_column_border")
    photo, corners = _photo(uneven_light(image, random.Random(seed)), seed)
    outline = page_outline(photo)
    assert outline is not None and np.abs(outline - corners).max() < 15


def _in_shadow(image: np.ndarray, seed: int, darkness: float = 0.55, reach: float = 0.45,
               blurred: bool = True) -> tuple[bytes, np.ndarray]:
    """`image` photographed in uneven light with a hand's hard shadow across a corner, as a
    phone sends it (blurred, JPEG 40; else JPEG 85), and where its corners landed."""
    rng = random.Random(seed)
    photo, corners = photograph(uneven_light(image, rng), rng)
    photo = hard_shadow(photo, darkness, reach)
    if blurred:
        return jpeg(cv2.GaussianBlur(photo, (5, 5), 1.2), 40), np.array(corners, np.float32)
    return jpeg(photo, 85), np.array(corners, np.float32)


@pytest.mark.parametrize("blurred", [True, False])
def test_a_balance_sheet_photographed_with_a_shadow_across_a_corner_reads(blurred: bool) -> None:
    """The shadow cuts the bright region's corner off (a pentagon): its sides, extended, give
    the page's corner back; the light evened, the figures and the header in the shade read."""
    image, labels = _balance_sheet()
    photo, corners = _in_shadow(image, 12, blurred=blurred)
    outline = page_outline(load_image(photo))
    assert outline is not None and np.abs(outline - corners).max() < 15
    statement = ocr.extract_statement(photo)
    for field in ("cash", "total_assets", "total_liabilities", "total_equity"):
        assert getattr(statement, field) == Decimal(labels[field]), field
    assert statement.period_end == date(2025, 12, 31)


def test_a_licence_photographed_with_a_shadow_across_a_corner_reads() -> None:
    """Its name, address and company type, under the shade, were lost before."""
    image, labels = clean_license(seed=21, layout="two_column_border")
    photo, _ = _in_shadow(image, 11)
    licence = ocr.extract_license(photo)
    for field in ("name", "address", "company_type", "credit_code"):
        assert getattr(licence, field) == labels[field], field


@pytest.mark.parametrize(("darkness", "refusal"), [(0.2, UnevenLight), (1.0, NotADocument)])
def test_a_photo_refused_for_its_marks_in_a_dark_shadow_asks_for_even_light(
    monkeypatch: pytest.MonkeyPatch, darkness: float, refusal: type[NotADocument]
) -> None:
    """Refused for its marks (the limit lowered below a statement's: the evened light reads
    the photos that reached it), a photo is told apart from noise by its light."""
    monkeypatch.setattr(_pipeline, "MAX_SEGMENTS", 20)
    image, _ = _balance_sheet()
    photo, _ = _in_shadow(image, 12, darkness=darkness, reach=0.8)
    with pytest.raises(NotADocument) as err:
        ocr.extract_statement(photo)
    assert type(err.value) is refusal
    said = "retake the photo in even light, without shadow"
    assert (said in str(err.value)) is (refusal is UnevenLight)


def test_the_corpus_photo_shows_the_page_where_its_labels_say() -> None:
    data, labels = make_page("balance_sheet", random.Random(2), turn=0, photo=True)
    outline = page_outline(load_image(data))
    corners = np.array(labels["damage"]["photo_corners"], dtype=np.float32)
    assert "rotation" not in labels["damage"]
    assert outline is not None and np.abs(outline - corners).max() < 15


@pytest.mark.parametrize("tilt", [0.0, 4.0])
def test_a_scan_filling_the_frame_passes_unchanged(tilt: float) -> None:
    image, _ = clean_license(seed=5)
    scan = rotate(image, tilt)  # the corpus's scanner: pale corners where the page turned
    page = flatten_photo(Page(scan.copy()))
    assert np.array_equal(page.color, scan)
    assert "flattened" not in page.notes


def test_a_photo_whose_page_runs_out_of_the_frame_is_left_alone() -> None:
    """Corners cut off by the frame: no clear outline, so no guess at one."""
    image, _ = clean_license(seed=5)
    photo, _ = _photo(image, 4)
    cropped = np.ascontiguousarray(photo[400:, :])
    page = flatten_photo(Page(cropped.copy()))
    assert np.array_equal(page.color, cropped) and "flattened" not in page.notes


@pytest.mark.parametrize("background", ["desk", "noise", "black", "white"])
def test_a_photo_of_no_page_is_left_alone(background: str) -> None:
    rng = np.random.default_rng(3)
    shape = (1300, 950, 3)
    photo = {"desk": lambda: desk(1300, 950, random.Random(3)),
             "noise": lambda: rng.integers(0, 256, shape, dtype=np.uint8),
             "black": lambda: np.zeros(shape, np.uint8),
             "white": lambda: np.full(shape, 255, np.uint8)}[background]()
    page = flatten_photo(Page(photo.copy()))
    assert np.array_equal(page.color, photo) and "flattened" not in page.notes

