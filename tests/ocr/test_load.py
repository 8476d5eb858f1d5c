"""Loading normalises what scanners and phones really send: samples of any depth to 8 bits,
transparency to white paper, a 50 MP photo decoded at a reduced scale (the bomb limit stays),
and a multi-page TIFF split into its pages (a scanner's thumbnail is no page). Tiny generated
images: what is checked is the loading, not the reading."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

import ocr
from ocr._load import load_image
from ocr._page import Page
from ocr._resolution import WORK_LONG_SIDE, refuse_low_resolution
from ocr._steps import even_light, refuse_blank, to_gray_without_seal

PAPER, INK = 0.92, 0.09  # of white: a scan's paper and its (not quite black) ink


def page_of(top: int, dtype: type = np.uint16) -> np.ndarray:
    """An A4 page at 75 dpi with a block of text-dark ink, samples up to `top`."""
    page = np.full((877, 620), PAPER * top, dtype=np.float64)
    page[100:400:20, 80:540] = INK * top  # lines of ink
    return page.astype(dtype)


def encoded(img: Image.Image, fmt: str = "PNG", **options: object) -> bytes:
    out = io.BytesIO()
    img.save(out, format=fmt, **options)
    return out.getvalue()


@pytest.mark.parametrize("samples", [
    page_of(65535),  # 16-bit grey PNG (mode I;16)
    page_of(4095),  # a 12-bit camera's samples in 16 bits
    page_of(65535, np.int32),  # 32-bit integers (mode I)
    page_of(1, np.float32),  # floats in [0, 1] (mode F)
], ids=["I;16", "12-bit", "I", "F"])
def test_deep_samples_are_scaled_to_8_bits_not_clipped_to_white(samples: np.ndarray) -> None:
    img = Image.fromarray(samples)
    data = encoded(img, "PNG" if img.mode == "I;16" else "TIFF")
    gray = load_image(data)[:, :, 0]
    assert abs(int(gray[0, 0]) - round(PAPER * 255)) <= 2 and gray[100, 100] <= round(INK * 255)
    page = refuse_blank(even_light(to_gray_without_seal(Page(load_image(data)))))
    assert page.notes["ink"] > 0.01


def test_transparency_is_white_paper_and_a_palette_keeps_its_ink() -> None:
    ink = np.zeros((877, 620), np.uint8)
    ink[100:400:20, 80:540] = 255
    grey_alpha = Image.merge("LA", [Image.new("L", (620, 877), 0), Image.fromarray(ink)])
    loaded = load_image(encoded(grey_alpha))  # transparent black: paper
    assert loaded[0, 0].tolist() == [255, 255, 255] and loaded[100, 100].tolist() == [0, 0, 0]
    palette = Image.fromarray(255 - ink).convert("P")
    assert np.array_equal(load_image(encoded(palette)), load_image(encoded(grey_alpha)))


def test_a_50_mp_phone_photo_is_read_at_the_working_size_a_bomb_is_not() -> None:
    photo = np.full((8160, 6144), 235, np.uint8)
    photo[1000:3000:50, 600:5500] = 20
    loaded = load_image(encoded(Image.fromarray(photo), "JPEG", quality=80))
    assert WORK_LONG_SIDE <= max(loaded.shape[:2]) < 8160
    assert refuse_low_resolution(loaded) is loaded
    with pytest.raises(ocr.ImageTooLarge, match="over the 250 MP"):
        load_image(np.zeros((16_000, 16_000), np.uint8))  # calloc: never touched


def two_pages(*, thumbnail: bool = False) -> tuple[list[np.ndarray], bytes]:
    """A TIFF of two pages (JPEG-compressed, as scanners write them), and optionally a
    scanner's reduced-resolution copy of the first between them."""
    pages = [page_of(255, np.uint8), 255 - page_of(255, np.uint8)[::-1]]
    first, second = (Image.fromarray(p) for p in pages)
    frames = [second]
    if thumbnail:
        thumb = first.resize((62, 88))
        thumb.encoderinfo = {"tiffinfo": {254: 1}}
        frames.insert(0, thumb)
    return pages, encoded(first, "TIFF", save_all=True, append_images=frames,
                          compression="tiff_lzw")


@pytest.mark.parametrize("thumbnail", [False, True])
def test_a_multi_page_tiff_is_split_into_its_pages_losslessly(thumbnail: bool) -> None:
    pages, tiff = two_pages(thumbnail=thumbnail)
    split = ocr.split_pages(tiff)
    assert [load_image(p)[:, :, 0].tolist() for p in split] == [p.tolist() for p in pages]


def test_a_multi_page_tiff_read_whole_is_refused_saying_so() -> None:
    with pytest.raises(ocr.MultiPageDocument) as err:
        load_image(two_pages()[1])
    assert err.value.reason == "multi_page"
    assert str(err.value).startswith("the file holds 2 pages and one page is read per document")
    one = encoded(Image.fromarray(page_of(255, np.uint8)), "JPEG")
    assert ocr.split_pages(one) == [one] and ocr.split_pages(b"not an image") == [b"not an image"]
