"""A page dithered when it was made 1-bit (error diffusion: Floyd-Steinberg, as Pillow's
convert("1") and many scanners' "halftone" setting do) turned back into grey.

Dither draws grey, the paper's faint tint included, as a scatter of lone black dots: the
binarised page is thousands of separate marks (refused as not a document) and its strokes are
ragged. A page on which a good share of the dark pixels stand in specks of a few pixels, each
far darker than the paper right beside it, is dither: blurred over about a pixel's radius it is
grey again, and the pipeline reads it as any grey scan. The specks are told by their contrast
with the paper around them, not by the page's two values, so that a dithered scan saved as JPEG
(its dots ringed with grey) or resized (its dots grey blobs of a pixel or two) is told too. Print
makes strokes, marks of more than a few pixels, and a photo's noise or a JPEG's ringing is far
fainter: a thresholded bitonal scan, a clean grey scan and a photo pass untouched. Run on the
image as loaded, before limit_size: dither's scale is the source's pixel, which shrinking would
smear into a grey texture no longer told from print.
"""

from __future__ import annotations

import cv2
import numpy as np

# A speck is darker than the brightest pixel within 2 px by more than CONTRAST, in a mark of at
# most SPECK pixels (8-connected): a dot of dither, JPEG'd or resized
CONTRAST = 60
SPECK = 4
# The share of the dark pixels in specks: 0.31-0.46 on licences dithered at 200 and 400 dpi, as
# TIFF, as JPEG of quality 50-75 and resized 0.8x (area, linear, cubic); at most 0.015 on the
# OCR tests' clean renders, their damage, JPEGs, photos, the sample scans and the corpus pages
SPECKS = 0.1
SIGMA = 1.2  # px of the source: read best of 0.8-1.5, a 3x3 box and an area halving


def is_dithered(image: np.ndarray) -> bool:
    """Whether `image` (BGR) bears the specks of dither."""
    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    paper = cv2.dilate(gray, np.ones((5, 5), np.uint8))
    dark = (cv2.subtract(paper, gray) > CONTRAST).astype(np.uint8)
    _, _, stats, _ = cv2.connectedComponentsWithStats(dark, connectivity=8)
    areas = stats[1:, cv2.CC_STAT_AREA]
    return int(areas[areas <= SPECK].sum()) > SPECKS * max(int(areas.sum()), 1)


def undither(image: np.ndarray) -> np.ndarray:
    """A dithered page (is_dithered) as grey: a Gaussian blur of SIGMA px."""
    return cv2.GaussianBlur(image, (0, 0), SIGMA)
