"""Turn bytes, a path or a numpy image into a BGR uint8 array, refusing bad input early.

Samples of any depth become 8 bits by the bits the data uses (a 16-bit scan, a 12-bit camera,
32-bit integers, floats in [0, 1]); a transparent background becomes white paper. A photo of
more pixels than DECODE_IN_FULL is decoded at a reduced scale (JPEG's own, at least the
pipeline's working size): a 50 MP phone photo reads as a 2400 px page does. MAX_PIXELS is the
decompression-bomb limit, checked before decoding, well above any phone's (200 MP). A page too
small to read is refused by the next step, ocr._resolution.refuse_low_resolution.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Union

import numpy as np
from PIL import Image, TiffImagePlugin, UnidentifiedImageError

from journey.documents import SCAN_DPI
from ocr._resolution import WORK_LONG_SIDE
from ocr.errors import (
    EmptyDocument,
    ImageTooLarge,
    MultiPageDocument,
    NotAnImage,
    TruncatedImage,
    UnreadableDocument,
)

Source = Union[bytes, bytearray, memoryview, str, Path, np.ndarray]  # noqa: UP007 (a runtime alias)

MAX_PIXELS = 250_000_000  # a 200 MP phone photo is 16320x12240; a 20000x20000 bomb is 400 MP
MAX_SIDE = 20_000
MAX_BYTES = 60 * 1024 * 1024
DECODE_IN_FULL = 40_000_000  # ~A3 at 600 dpi: larger photos are decoded at a reduced scale
REDUCED_IMAGE = 1  # a TIFF frame's NewSubfileType (tag 254) bit 0: a reduced-resolution copy
# Pillow's own guard refuses above twice its limit (179 MP by default), before the size check
# below can say what to send: ours is the limit
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
SEND = f"send a scan of the page at {SCAN_DPI}-300 dpi, or a phone photo of it"


def read_bytes(source: Source) -> bytes:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source)
    if not isinstance(source, (str, Path)):
        raise NotAnImage("pass bytes, a path or a numpy image")
    path = Path(source)
    if not path.is_file():
        raise NotAnImage(f"{path} is not a file: pass the path of a scanned image")
    if path.stat().st_size > MAX_BYTES:
        raise ImageTooLarge(f"{path} is over {MAX_BYTES >> 20} MB, more than any page's "
                            f"image: {SEND}")
    return path.read_bytes()


def check_size(width: int, height: int) -> None:
    """Refuse an image of more pixels than MAX_PIXELS or a side over MAX_SIDE: no page's."""
    if width * height > MAX_PIXELS or max(width, height) > MAX_SIDE:
        raise ImageTooLarge(
            f"image is {width}×{height} px, over the {MAX_PIXELS // 1_000_000} MP (and "
            f"{MAX_SIDE} px a side) that any scan or phone photo of a page stays within: "
            f"the file is damaged or not a page; {SEND}"
        )


def page_frames(img: Image.Image) -> list[int]:
    """The frames of `img` that are pages (left at the first): a multi-page TIFF's, without a
    scanner's reduced-resolution copies; an image of any other format is one page."""
    if not isinstance(img, TiffImagePlugin.TiffImageFile) or img.n_frames == 1:
        return [0]
    frames = []
    for frame in range(img.n_frames):
        img.seek(frame)
        if not int(img.tag_v2.get(254, 0)) & REDUCED_IMAGE:
            frames.append(frame)
    img.seek(0)
    return frames or [0]


def eight_bit(samples: np.ndarray) -> np.ndarray:
    """Samples of any depth as uint8, scaled by the bits the data uses (at least 8): a 16-bit
    scan's white 65535 and a 12-bit camera's 4095 both become 255; floats in [0, 1] are
    fractions of white; negative values are black."""
    if samples.dtype == np.uint8:
        return samples
    if samples.dtype.kind == "f":
        top = float(np.nanmax(samples)) if samples.size else 0.0
        scale = 255.0 if top <= 1.0 else 255.0 / ((1 << max(8, int(top).bit_length())) - 1)
        return np.nan_to_num(samples * scale).clip(0, 255).astype(np.uint8)
    if samples.dtype == np.bool_:
        return samples.astype(np.uint8) * 255
    whole = np.clip(samples, 0, None)
    shift = max(8, int(whole.max(initial=0)).bit_length()) - 8
    return (whole >> shift).astype(np.uint8)


def _rgb(img: Image.Image) -> np.ndarray:
    """The decoded image as RGB uint8: deep samples scaled to 8 bits, transparency on white."""
    if img.mode in ("I", "F") or img.mode.startswith("I;16"):
        grey = eight_bit(np.asarray(img))
        return np.stack([grey] * 3, axis=-1)
    if img.mode in ("LA", "La", "PA", "RGBA", "RGBa") or "transparency" in img.info:
        paper = Image.new("RGBA", img.size, (255, 255, 255, 255))
        return np.asarray(Image.alpha_composite(paper, img.convert("RGBA")).convert("RGB"))
    return np.asarray(img.convert("RGB"))


def _from_array(image: np.ndarray) -> np.ndarray:
    if image.size == 0:
        raise EmptyDocument("the image array is empty: pass a scanned page")
    check_size(image.shape[1], image.shape[0])
    image = eight_bit(image)
    if image.ndim == 2:
        return np.stack([image] * 3, axis=-1)
    if image.ndim == 3 and image.shape[2] == 4:
        return np.ascontiguousarray(image[:, :, :3])
    if image.ndim == 3 and image.shape[2] == 3:
        return image
    raise NotAnImage(f"array of shape {image.shape} is not an image: pass HxW or HxWx3")


def _open(img: Image.Image) -> np.ndarray:
    """Check and decode an opened image: its size before decoding, one page, then RGB."""
    width, height = img.size
    check_size(width, height)  # before decoding: a bomb never gets decompressed
    if (pages := len(page_frames(img))) > 1:
        raise MultiPageDocument(
            f"the file holds {pages} pages and one page is read per document: send each page "
            "as a file of its own (`loan-journey start` and `documents` store each page of a "
            "TIFF as its own document)")
    if width * height > DECODE_IN_FULL:  # JPEG decodes at 1/2, 1/4 or 1/8 scale: far less
        scale = WORK_LONG_SIDE / max(width, height)  # memory; no other format changes
        img.draft(None, (round(width * scale), round(height * scale)))
    img.load()
    return _rgb(img)


def load_image(source: Source) -> np.ndarray:
    """Decode `source` to a BGR uint8 array; raise an UnreadableDocument subclass if it is bad."""
    if isinstance(source, np.ndarray):
        return _from_array(source)
    data = read_bytes(source)
    if not data:
        raise EmptyDocument("the document is empty (0 bytes): upload the scan again")
    try:
        with Image.open(io.BytesIO(data)) as img:
            rgb = _open(img)
    except UnreadableDocument:
        raise
    except Image.DecompressionBombError as exc:
        raise ImageTooLarge(f"image is too large to decode ({exc}): {SEND}") from exc
    except UnidentifiedImageError as exc:
        raise NotAnImage(
            "the document is neither an image nor a PDF: upload a PNG, JPEG or TIFF scan, or "
            "a PDF") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise TruncatedImage(
            f"the image is damaged or cut short ({exc}): upload the complete file"
        ) from exc
    return np.ascontiguousarray(rgb[:, :, ::-1])
