"""The pages of a PDF as images, one at a time, for the pipeline to read each as a scan.

A bank's statements arrive as scanned PDFs: each page is rendered by PDFium (pypdfium2) at
RENDER_DPI, or smaller where that would make it longer than the pipeline's working size
(WORK_LONG_SIDE: what ocr._pipeline.limit_size shrinks any larger page to). Pages are
rendered in colour: the pipeline's first step pales a red seal by its colour
(ocr._steps.to_gray_without_seal). A PDF that is locked with a password, damaged, holds no
page (PDFium opens none such) or more than MAX_PAGES is refused, saying what to send.

A page that is a scan (an image covering most of it, nothing drawn on it but images and an
OCR layer's invisible text) is rendered at no more than the scan's own resolution: enlarging
it adds no detail. A scan of fewer pixels than an image is read at (ocr._resolution.too_small)
is refused as that image is: rendering would size its characters up, not make them legible.
Its pixels are counted, not its dots per inch: a PDF's page size is often the pixels' count in
points (72 dpi, whatever the paper), not the paper's. A page of text or drawings of its own is
rendered as it stands.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from ocr._pages import MAX_PAGES
from ocr._resolution import WORK_LONG_SIDE, too_small, too_small_reason
from ocr.errors import EncryptedDocument, ImageTooSmall, TooManyPages, TruncatedImage

RENDER_DPI = 300
POINT = 1 / 72  # inch: PDF page sizes are in points
COVERS = 0.8  # of a page's area: an image as large is a scan of the page


class Rendered(NamedTuple):
    """A page as an image (BGR) and its pixels per inch of paper: the pages of one PDF may be
    scans of resolutions of their own."""

    image: np.ndarray
    dpi: float


def is_pdf(data: bytes) -> bool:
    """Whether `data` is a PDF: its header, within the first KB as readers allow."""
    return b"%PDF-" in data[:1024]


def _open(data: bytes) -> pdfium.PdfDocument:
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        # PDFium's last error outlives the call that set it: a password error counts only
        # where the file names its encryption
        if exc.err_code == pdfium_c.FPDF_ERR_PASSWORD and b"/Encrypt" in data:
            raise EncryptedDocument(
                "the PDF is locked with a password: send it unlocked (print it to a new PDF, "
                "or scan the paper)") from exc
        raise TruncatedImage(
            f"the PDF is damaged or holds no page ({exc}): upload the complete file") from exc
    if len(pdf) > MAX_PAGES:
        pages = len(pdf)
        pdf.close()
        raise TooManyPages(
            f"the PDF holds {pages} pages, more than the {MAX_PAGES} a loan file's documents "
            "have: send the licence and each statement as a file of its own")
    return pdf


def _invisible_text(obj: pdfium.PdfObject) -> bool:
    return (obj.type == pdfium_c.FPDF_PAGEOBJ_TEXT and pdfium_c.FPDFTextObj_GetTextRenderMode(
        obj) == pdfium_c.FPDF_TEXTRENDERMODE_INVISIBLE)


def _scan(page: pdfium.PdfPage) -> tuple[float, tuple[int, int]] | None:
    """The resolution in dpi and the pixel size of the scan `page` is: its finest image covering
    most of the page (a scanner's compressed page may lay fine text over a coarse background);
    None for a page that is no scan: no image covers most of it, or it shows text or drawings
    of its own."""
    width, height = page.get_size()
    scans = []
    for obj in page.get_objects(max_depth=0):
        if _invisible_text(obj):
            continue
        if obj.type != pdfium_c.FPDF_PAGEOBJ_IMAGE:
            return None
        left, bottom, right, top = obj.get_bounds()
        if (right - left) * (top - bottom) >= COVERS * width * height:
            pixels = obj.get_px_size()
            inches = sorted(((right - left) * POINT, (top - bottom) * POINT))
            dpi = min(side / inch for side, inch in zip(sorted(pixels), inches, strict=True))
            scans.append((dpi, pixels))
    return max(scans, default=None)


def _render(pdf: pdfium.PdfDocument, index: int) -> Rendered:
    try:
        page = pdf[index]
        long_side = max(page.get_size()) * POINT
        dpi = min(RENDER_DPI, WORK_LONG_SIDE / long_side)
        scan = _scan(page)
        if scan is not None:
            scan_dpi, (width, height) = scan
            if too_small(width, height):
                raise ImageTooSmall(f"page {index + 1} of the PDF: the scan is too coarse: "
                                    f"{too_small_reason(width, height)}")
            dpi = min(dpi, scan_dpi)
        image = page.render(scale=dpi * POINT).to_numpy()[:, :, :3]  # BGR(x): the pipeline's
        return Rendered(image, dpi)
    except pdfium.PdfiumError as exc:
        raise TruncatedImage(
            f"page {index + 1} of the PDF is damaged ({exc}): upload the complete file"
        ) from exc


def pdf_pages(data: bytes) -> Iterator[Rendered]:
    """Each page of the PDF `data` as a BGR image with its dpi, first to last; raises an
    UnreadableDocument subclass for a PDF that cannot be read (locked, damaged, no page, too
    many)."""
    pdf = _open(data)
    try:
        for index in range(len(pdf)):
            yield _render(pdf, index)
    finally:
        pdf.close()
