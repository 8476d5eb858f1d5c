"""A bitonal scan dithered when it was made 1-bit (error diffusion: Floyd-Steinberg, as
Pillow's convert("1") and many scanners' "halftone" setting do) turned back into grey.

Dither draws grey, the paper's faint tint included, as a scatter of lone black pixels: the
binarised page is thousands of separate marks (refused as not a document) and its strokes are
ragged. A page whose pixels take two values, a good share of its ink in pixels with no ink
beside them, is dither: blurred over about a pixel's radius it is grey again, and the pipeline
reads it as any grey scan. A thresholded bitonal scan has hardly any lone pixels and passes
untouched. Run on the image as loaded, before limit_size: dither's scale is the source's pixel,
which shrinking would smear into a grey texture no longer told from print.
"""

from __future__ import annotations

import cv2
import numpy as np

TWO_VALUED = 0.99  # the two commonest levels hold this share of the pixels: a bitonal image
# Lone ink pixels (no ink among the 8 beside them) per ink pixel: 0.37 on a licence on tinted
# paper dithered at 200 dpi, 0.000 on the same page thresholded
LONE_INK = 0.05
SIGMA = 1.2  # px of the source: read best of 0.8-1.5, a 3x3 box and an area halving


def is_dithered(image: np.ndarray) -> bool:
    """Whether `image` (BGR) is two-valued with the lone pixels of dither."""
    sample = cv2.cvtColor(np.ascontiguousarray(image[::4, ::4]), cv2.COLOR_BGR2GRAY)
    counts = np.bincount(sample.ravel(), minlength=256)  # a photo is told at 1/16 the cost
    dark, light = sorted(int(level) for level in np.argsort(counts)[-2:])
    if counts[dark] + counts[light] < TWO_VALUED * sample.size:
        return False
    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    ink = (gray <= (dark + light) // 2).astype(np.uint8)
    beside = np.ones((3, 3), np.uint8)
    beside[1, 1] = 0
    lone = ink.astype(bool) & (cv2.dilate(ink, beside) == 0)
    return int(lone.sum()) > LONE_INK * max(int(ink.sum()), 1)


def undither(image: np.ndarray) -> np.ndarray:
    """A dithered page (is_dithered) as grey: a Gaussian blur of SIGMA px."""
    return cv2.GaussianBlur(image, (0, 0), SIGMA)
