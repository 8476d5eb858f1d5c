from __future__ import annotations

import io
import json
import random
from pathlib import Path

import cv2
import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageDraw

from ocr.corpus._data import Company, company
from ocr.corpus._draw import INK, PAGE, text_center, wrap
from ocr.corpus._fonts import BOLD, FACES, font
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


def pdf(*pages: Image.Image, dpi: int = 150) -> bytes:
    """The pages as a scanner's PDF: each page one image (a JPEG stays JPEG), `dpi` its size."""
    buf = io.BytesIO()
    pages[0].save(buf, format="PDF", resolution=dpi, save_all=True, append_images=pages[1:])
    return buf.getvalue()


def pdf_of(*documents: bytes) -> bytes:
    """The PDFs' pages in one PDF, in order: pages scanned at resolutions of their own."""
    whole = pdfium.PdfDocument.new()
    for document in documents:
        whole.import_pages(pdfium.PdfDocument(document))
    buf = io.BytesIO()
    whole.save(buf)
    return buf.getvalue()


def locked(document: bytes) -> bytes:
    """`document` (from `pdf`) locked with a password: its trailer names the standard security
    handler with a user password that is not empty, which no reader opens without it."""
    handler = (b"/Encrypt << /Filter /Standard /V 1 /R 2 /P -4 /O <" + b"a1" * 32 + b"> /U <"
               + b"b2" * 32 + b"> >>\n/ID [<" + b"c3" * 16 + b"> <" + b"c3" * 16 + b">]\n")
    assert document.count(b"trailer\n<<\n") == 1
    return document.replace(b"trailer\n<<\n", b"trailer\n<<\n" + handler)


LETTER = ("中国某某银行股份有限公司：",
          "我公司二〇二五年末货币资金较上年减少，主要原因是支付了新生产线的设备采购款，并提前"
          "偿还了部分供应商货款。目前经营正常，订单充足。",
          "特此说明。", "上海测试制造有限公司（盖章）", "二〇二六年十一月三十日")


def letter_page(title: str = "说 明 函", body: tuple[str, ...] = LETTER) -> np.ndarray:
    """A printed letter (BGR): a page of no kind the checklist names."""
    img = Image.new("RGB", PAGE, (252, 250, 246))
    draw = ImageDraw.Draw(img)
    text_center(draw, PAGE[0] // 2, 150, title, font(BOLD, 60))
    y, face = 300, font(FACES[0], 28)
    for paragraph in body:
        for line in wrap(paragraph, face, PAGE[0] - 240):
            draw.text((120, y), line, font=face, fill=INK)
            y += 48
        y += 20
    return np.asarray(img)[:, :, ::-1].copy()
