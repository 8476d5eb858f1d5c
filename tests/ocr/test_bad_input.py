"""Bad input raises one documented error type (UnreadableDocument), quickly, never crashes."""

from __future__ import annotations

import struct
import zlib

import numpy as np
import pytest

import ocr
from ocr import _resolution, _steps
from tests.ocr.conftest import clean_license, jpeg, sample_path, shrunk


def _png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims width x height (a decompression bomb's shape)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def test_empty_bytes() -> None:
    with pytest.raises(ocr.EmptyDocument) as err:
        ocr.extract_license(b"")
    assert isinstance(err.value, ocr.UnreadableDocument) and err.value.reason == "empty"


def test_not_an_image() -> None:
    with pytest.raises(ocr.NotAnImage) as err:
        ocr.classify(b"GIF89 this is not a scan")
    assert err.value.reason == "not_an_image"


def test_missing_file_is_not_an_image() -> None:
    with pytest.raises(ocr.UnreadableDocument):
        ocr.classify("/nonexistent/scan.jpg")


def test_truncated_jpeg() -> None:
    with pytest.raises(ocr.TruncatedImage) as err:
        ocr.extract_statement(sample_path("corrupt_truncated.jpg"))
    assert "complete file" in str(err.value)


def test_decompression_bomb_is_refused_before_decoding() -> None:
    with pytest.raises(ocr.ImageTooLarge) as err:
        ocr.classify(_png_header_only(20_000, 20_000))
    assert err.value.reason == "too_large"


def test_huge_numpy_image_is_refused() -> None:
    huge = np.zeros((20_000, 20_000), dtype=np.uint8)  # calloc: never touched
    with pytest.raises(ocr.ImageTooLarge):
        ocr.extract_license(huge)


def test_blank_page() -> None:
    page = np.full((1754, 1240, 3), 250, dtype=np.uint8)
    with pytest.raises(ocr.BlankPage) as err:
        ocr.extract_license(jpeg(page, 80))
    assert err.value.reason == "blank"


def test_noise_is_not_a_document() -> None:
    noise = np.random.default_rng(0).integers(0, 255, (900, 700, 3), dtype=np.uint8)
    with pytest.raises(ocr.UnreadableDocument):
        ocr.read_document(noise)


def test_wrong_kind_licence_for_statement() -> None:
    image, _ = clean_license(seed=11)
    with pytest.raises(ocr.WrongDocumentKind) as err:
        ocr.extract_statement(image)
    assert err.value.reason == "wrong_kind"
    assert "business licence" in str(err.value)


def test_wrong_kind_statement_for_licence() -> None:
    with pytest.raises(ocr.WrongDocumentKind):
        ocr.extract_license(sample_path("company1_income_statement.jpg"))


def test_a_licence_photographed_too_small_is_refused_with_what_to_send() -> None:
    """310x438 px (A4 at 37 dpi): its characters are 5 px tall; it is refused, not guessed."""
    with pytest.raises(ocr.ImageTooSmall) as err:
        ocr.extract_license(shrunk("company1_business_license.jpg", 310, 438))
    assert err.value.reason == "too_small"
    assert str(err.value).startswith("this image is 310×438 px, below the 620×877 px of an A4 "
                                     "page at 75 dpi")
    assert "Scan the document at 200 dpi or more (an A4 page: 1654×2339 px)" in str(err.value)


def test_the_least_resolution_is_what_upscaling_brings_to_a_readable_glyph() -> None:
    """At MIN_DPI a 五号 character, enlarged as far as the pipeline enlarges, is as tall as
    tesseract needs; a page either way up at that size is not refused by the rule."""
    glyph = _resolution.BODY_POINTS / 72 * _resolution.MIN_DPI
    assert round(glyph * _steps.MAX_UPSCALE) >= _steps.MIN_GLYPH_PX
    for shape in ((877, 620), (620, 877)):
        page = np.zeros((*shape, 3), np.uint8)
        assert _resolution.refuse_low_resolution(page) is page
    with pytest.raises(ocr.ImageTooSmall):
        _resolution.refuse_low_resolution(np.zeros((876, 620, 3), np.uint8))


def test_all_errors_share_one_hierarchy() -> None:
    for cls in (ocr.EmptyDocument, ocr.NotAnImage, ocr.TruncatedImage, ocr.ImageTooLarge,
                ocr.ImageTooSmall, ocr.BlankPage, ocr.WrongDocumentKind, ocr.TooManyPages,
                ocr.EncryptedDocument):
        assert issubclass(cls, ocr.UnreadableDocument) and issubclass(cls, ocr.OcrError)
    assert issubclass(ocr.EngineTimeout, ocr.EngineError)
