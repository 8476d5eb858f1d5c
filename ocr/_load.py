"""Turn bytes, a path or a numpy image into a BGR uint8 array, refusing bad input early.

A page too small to read is refused by the next step, ocr._resolution.refuse_low_resolution."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Union

import numpy as np
from PIL import Image, UnidentifiedImageError

from ocr.errors import (
    EmptyDocument,
    ImageTooLarge,
    NotAnImage,
    TruncatedImage,
    UnreadableDocument,
)

Source = Union[bytes, bytearray, memoryview, str, Path, np.ndarray]  # noqa: UP007 (a runtime alias)

MAX_PIXELS = 40_000_000  # ~A3 at 600 dpi; a 20000x20000 bomb is 400 MP
MAX_SIDE = 12_000
MAX_BYTES = 60 * 1024 * 1024


def read_bytes(source: Source) -> bytes:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source)
    if not isinstance(source, (str, Path)):
        raise NotAnImage("pass bytes, a path or a numpy image")
    path = Path(source)
    if not path.is_file():
        raise NotAnImage(f"{path} is not a file: pass the path of a scanned image")
    if path.stat().st_size > MAX_BYTES:
        raise ImageTooLarge(f"{path} is over {MAX_BYTES >> 20} MB: scan at 150-300 dpi")
    return path.read_bytes()


def _check_size(width: int, height: int) -> None:
    if width * height > MAX_PIXELS or max(width, height) > MAX_SIDE:
        raise ImageTooLarge(
            f"image is {width}x{height} pixels, over the {MAX_PIXELS // 1_000_000} MP limit: "
            "scan at 150-300 dpi"
        )


def _from_array(image: np.ndarray) -> np.ndarray:
    if image.size == 0:
        raise EmptyDocument("the image array is empty: pass a scanned page")
    _check_size(image.shape[1], image.shape[0])
    if image.dtype != np.uint8:
        image = np.clip(image, 0, 255).astype(np.uint8)
    if image.ndim == 2:
        return np.stack([image] * 3, axis=-1)
    if image.ndim == 3 and image.shape[2] == 4:
        return np.ascontiguousarray(image[:, :, :3])
    if image.ndim == 3 and image.shape[2] == 3:
        return image
    raise NotAnImage(f"array of shape {image.shape} is not an image: pass HxW or HxWx3")


def load_image(source: Source) -> np.ndarray:
    """Decode `source` to a BGR uint8 array; raise an UnreadableDocument subclass if it is bad."""
    if isinstance(source, np.ndarray):
        return _from_array(source)
    data = read_bytes(source)
    if not data:
        raise EmptyDocument("the document is empty (0 bytes): upload the scan again")
    try:
        with Image.open(io.BytesIO(data)) as img:
            _check_size(*img.size)  # before decoding: a bomb never gets decompressed
            img.load()
            rgb = np.asarray(img.convert("RGB"))
    except UnreadableDocument:
        raise
    except Image.DecompressionBombError as exc:
        raise ImageTooLarge(f"image is too large to decode: {exc}") from exc
    except UnidentifiedImageError as exc:
        raise NotAnImage("the document is not an image: upload a PNG, JPEG or TIFF scan") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise TruncatedImage(
            f"the image is damaged or cut short ({exc}): upload the complete file"
        ) from exc
    return np.ascontiguousarray(rgb[:, :, ::-1])
