from __future__ import annotations

import io
import json
import random
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from ocr.corpus._data import Company, company
from ocr.corpus._fonts import FACES
from ocr.corpus._license_page import license_labels, render_license

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "documents"


@pytest.fixture(scope="session")
def samples() -> dict[str, dict]:
    labels = json.loads((SAMPLES / "labels.json").read_text())
    return {page["file"]: page for page in labels}


def sample_path(name: str) -> Path:
    return SAMPLES / name


def clean_license(seed: int = 5, layout: str = "single_column") -> tuple[np.ndarray, dict]:
    """A clean rendered licence (BGR) in a plain sans font, and its labels."""
    rng = random.Random(seed)
    comp: Company = company(rng)
    img = render_license(comp, FACES[0], layout, rng)
    return np.asarray(img)[:, :, ::-1].copy(), license_labels(comp)


def jpeg(image: np.ndarray, quality: int) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(image[:, :, ::-1]).save(buf, format="JPEG", quality=quality)
    return buf.getvalue()


def shrunk(name: str, width: int, height: int) -> bytes:
    """The sample scan `name` as a photo of `width` x `height` px, JPEG."""
    image = cv2.imread(str(sample_path(name)))
    return jpeg(cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA), 85)
