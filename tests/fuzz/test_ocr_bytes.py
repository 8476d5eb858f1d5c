"""Files that are not scans: the OCR functions raise only `OcrError`s, and quickly.

Random bytes, random bytes behind the magic numbers of the image formats PIL knows (so the
decoder, not the sniffing, has to refuse them), real scans cut short at a random byte, and
small well-formed PNGs of random pixels (tesseract runs, and finds no document).
"""

from __future__ import annotations

import contextlib
import io
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from PIL import Image

import ocr

SCAN = Path(__file__).resolve().parents[2] / "samples/documents/company1_balance_sheet.jpg"
MAGIC = [
    b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff\xe0", b"II*\x00", b"MM\x00*", b"GIF89a", b"BM", b"RIFF",
]
QUICK_SECONDS = 10.0
READERS: list[Callable[[bytes], object]] = [
    ocr.classify, ocr.extract_license, ocr.extract_statement,
]



@st.composite
def noise_pngs(draw: st.DrawFn, min_side: int = 3, max_side: int = 160) -> bytes:
    height = draw(st.integers(min_side, max_side))
    width = draw(st.integers(min_side, max_side))
    seed = draw(st.integers(0, 2**32 - 1))
    pixels = np.random.default_rng(seed).integers(0, 256, (height, width), dtype=np.uint8)
    ok, png = cv2.imencode(".png", pixels)
    assert ok
    return png.tobytes()


not_scans = (
    st.binary(max_size=2000)
    | st.builds(lambda magic, tail: magic + tail, st.sampled_from(MAGIC), st.binary(max_size=2000))
    | st.integers(min_value=0, max_value=len(SCAN.read_bytes()) // 3).map(
        lambda n: SCAN.read_bytes()[:n]
    )
    | noise_pngs()
)
# Found by this test: a page 1 or 2 pixels high or wide escapes as `cv2.error` from
# ocr/_steps.py even_light (resize to 0 px); in the activity that is retried and then fails
# the journey. Not ours to fix; strict, so the fix turns this red.
slivers = noise_pngs(min_side=1, max_side=2)



@pytest.mark.filterwarnings("ignore:Corrupt EXIF data")
@pytest.mark.parametrize("read", READERS, ids=lambda f: f.__name__)
def test_files_that_are_not_scans_raise_only_ocr_errors(read: Callable[[bytes], object]) -> None:
    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(not_scans)
    def check(data: bytes) -> None:
        assume(not _sliver(data))  # the known escape, kept in its own test below
        started = time.perf_counter()
        try:
            read(data)
        except ocr.OcrError as err:
            assert str(err), "an OCR error says what to do"
        else:  # only classify may answer without raising, and then it knows nothing
            assert read is ocr.classify
        assert time.perf_counter() - started < QUICK_SECONDS

    check()


def _sliver(data: bytes) -> bool:
    with contextlib.suppress(Exception):
        with Image.open(io.BytesIO(data)) as img:
            return min(img.size) < 3
    return False


def test_a_page_of_one_or_two_pixels_raises_an_ocr_error() -> None:
    @settings(max_examples=10, deadline=None)
    @given(slivers)
    def check(data: bytes) -> None:
        with pytest.raises(ocr.OcrError):
            ocr.classify(data)

    check()
