"""The pages of a scan: a multi-page TIFF (a scanner's usual output for a bundle of pages)
holds one page per frame; a reduced-resolution copy of a page (a scanner's thumbnail,
NewSubfileType bit 0) is no page. The pipeline reads one page: `split_pages` makes each page
a TIFF of its own, losslessly, and the command line stores each as a document
(starter/applications.py `store_documents`); a file of several pages that reaches the reader
whole is refused, saying so (ocr._load). A PDF is one document, its pages read together
(ocr._document): it is no TIFF, and stays whole here.
"""

from __future__ import annotations

import io

from PIL import Image

from ocr._load import check_size, page_frames
from ocr.errors import ImageTooLarge, TooManyPages

# a loan file's scan holds a licence and a few statements: a TIFF or PDF of more is refused
MAX_PAGES = 20


def _one_page(img: Image.Image) -> bytes:
    out = io.BytesIO()
    options: dict[str, object] = {
        "compression": "group4" if img.mode == "1" else "tiff_adobe_deflate"}
    if "dpi" in img.info:
        options["dpi"] = img.info["dpi"]
    img.save(out, format="TIFF", **options)
    return out.getvalue()


def split_pages(data: bytes) -> list[bytes]:
    """`data` as files of one page each: `[data]` itself when it holds one page, is no TIFF or
    is no image at all (reading it says what is wrong). Raises TooManyPages for more than
    MAX_PAGES pages."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            frames = page_frames(img)
            if frames == [0]:
                return [data]
            if len(frames) > MAX_PAGES:
                raise TooManyPages(
                    f"the file holds {len(frames)} pages, more than the {MAX_PAGES} a loan "
                    "file's scan has: send the licence and the statements only")
            pages = []
            for frame in frames:
                img.seek(frame)
                check_size(*img.size)  # before decoding, as the reader checks
                pages.append(_one_page(img))
            return pages
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError, ImageTooLarge):
        return [data]  # read whole, the reader refuses it saying why
