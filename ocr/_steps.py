"""The preprocessing steps, in pipeline order. Each takes a Page and returns it.

flatten_photo (ocr._flatten) -> to_gray_without_seal -> even_light -> whiten_seal
-> refuse_blank -> orient -> deskew -> measure_glyphs -> upscale_small_glyphs -> binarise
-> remove_rules
"""

from __future__ import annotations

import cv2
import numpy as np

from ocr import _tesseract
from ocr._flatten import flatten_photo
from ocr._page import Page
from ocr.errors import BlankPage

OSD_SURE = 1.0  # tesseract's orientation confidence worth following
MIN_GLYPH_PX = 22  # tesseract's chi_sim reads best with glyphs ~28-36 px tall
TARGET_GLYPH_PX = 30
MAX_UPSCALE = 2.0  # smaller glyphs than MIN_GLYPH_PX / MAX_UPSCALE: ocr._resolution refuses


def to_gray_without_seal(page: Page) -> Page:
    """Grey from colour, reading red (seal) pixels from the red channel so they turn pale."""
    c = page.color
    b, g, r = (c[:, :, i].astype(np.int16) for i in range(3))
    gray = cv2.cvtColor(c, cv2.COLOR_BGR2GRAY)
    redness = r - np.maximum(g, b)
    red = (redness > 35).astype(np.uint8)
    if red.any():
        # JPEG keeps colour at half resolution: thin red strokes come out only faintly red,
        # so near clearly red pixels a faint tint is enough
        near = cv2.dilate(red, np.ones((15, 15), np.uint8)).astype(bool)
        red = (red.astype(bool) | (near & (redness > 12))).astype(np.uint8)
        page.seal = red.astype(bool)
        ring = cv2.dilate(red, np.ones((3, 3), np.uint8)).astype(bool)
        gray[ring] = np.maximum(gray[ring], c[:, :, 2][ring])
        page.notes["seal_pixels"] = int(red.sum())
    page.gray = gray
    return page


# Below this (light evened), a pixel of the seal's mask is text. The seal's own pixels stay
# above ~150 in the red channel even where JPEG's half-resolution colour darkens its thin
# strokes (and a brown licence border sits at ~150); text under the seal keeps ~0.9 of its
# darkness there, and a blurred stroke's core is 110-140: a lower limit cut digits, labels
# and rules where the seal crosses them.
SEAL_INK = 140


def whiten_seal(page: Page) -> Page:
    """After evening the light, the seal's own pixels become paper: shade can make even their
    red channel darker than the threshold. Black text under the seal stays: JPEG smears the
    seal's colour onto the strokes it crosses, but in the red channel they are still dark."""
    if page.seal is not None and page.gray is not None:
        page.gray[page.seal & (page.gray >= SEAL_INK)] = 255
        page.seal = None
    return page


# Where a closing of the paper's light is below this share of its dilation, the dilation has
# carried lit paper across a shadow's edge: there the closing is the paper's light.
SHADOW_EDGE = 0.75


def even_light(page: Page) -> Page:
    """Divide by an estimate of the paper's brightness so shadows and gradients become white.

    The estimate is the brightest nearby (a dilation, text thinner than the kernel gone) of a
    quarter-size copy, smoothed by a median. Along a hard shadow's edge the dilation carries
    the lit side a kernel's radius into the shade, a dark band that binarised as marks: there
    (a closing, the darkest of those brightest, well below the dilation) the closing is taken,
    which keeps the edge where it is. notes["light"]: how bright the darkest of the estimate is
    beside its brightest (2nd and 98th percentiles), 1.0 for even light."""
    gray = page.gray
    assert gray is not None
    small = cv2.resize(gray, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (15, 15))
    bright = cv2.dilate(small, kernel)
    closed = cv2.erode(bright, kernel)
    bg = np.where(closed < SHADOW_EDGE * bright.astype(np.float32), closed, bright)
    bg = cv2.medianBlur(bg.astype(np.uint8), 7)
    darkest, brightest = np.percentile(bg, (2, 98))
    page.notes["light"] = round(float(darkest) / max(float(brightest), 1.0), 2)
    bg = cv2.resize(bg, (gray.shape[1], gray.shape[0]), interpolation=cv2.INTER_LINEAR)
    norm = gray.astype(np.float32) / np.maximum(bg.astype(np.float32), 1.0) * 255.0
    page.gray = norm.clip(0, 255).astype(np.uint8)
    return page


def refuse_blank(page: Page) -> Page:
    """A page with (almost) no ink is not a document."""
    gray = page.gray
    assert gray is not None
    ink = float((gray < 128).mean())
    page.notes["ink"] = round(ink, 4)
    if ink < 0.002:
        raise BlankPage("the page is blank: scan the printed side of the document", reason="blank")
    return page


def _elongated(inv: np.ndarray, kernel: tuple[int, int]) -> int:
    """Ink in blobs at least 4x longer than wide along `kernel` once characters are merged."""
    merged = cv2.morphologyEx(inv, cv2.MORPH_CLOSE, np.ones(kernel, np.uint8))
    n, _, stats, _ = cv2.connectedComponentsWithStats(merged, connectivity=8)
    along, across = (cv2.CC_STAT_WIDTH, cv2.CC_STAT_HEIGHT)[:: 1 if kernel[0] == 1 else -1]
    return int(sum(stats[i, cv2.CC_STAT_AREA] for i in range(1, n)
                   if stats[i, along] >= 4 * stats[i, across]))


def lines_run_vertically(gray: np.ndarray) -> bool:
    """True when text lines (and rules) run top to bottom: the page is turned by 90 degrees."""
    small = cv2.resize(gray, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    _, inv = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    return _elongated(inv, (9, 1)) > 1.5 * _elongated(inv, (1, 9))


def orient(page: Page) -> Page:
    """Turn a page whose lines run vertically upright, by 90 or 270 degrees as tesseract's OSD
    says (90 when it is unsure; not at all when it is sure the page is upright or upside down).
    Upright and upside-down pages are told apart by reading (ocr._pipeline): OSD costs as much
    as reading a third of the page, so it runs only here."""
    gray = page.gray
    assert gray is not None
    if not lines_run_vertically(gray):
        return page
    degrees, conf = _tesseract.orientation(gray)  # full size: half size is far less sure
    page.notes["osd"] = (degrees, round(conf, 2))
    if degrees in (0, 180) and conf >= OSD_SURE:
        return page  # the lines run across after all (a tilted page fools the blob test)
    degrees = degrees if degrees in (90, 270) and conf >= OSD_SURE else 90
    page.gray = turn(gray, degrees)
    page.notes["turned"] = degrees
    return page


def turn(image: np.ndarray, degrees: int) -> np.ndarray:
    """Rotate counter-clockwise by a multiple of 90 degrees."""
    return np.ascontiguousarray(np.rot90(image, k=(degrees // 90) % 4))


def small_angle(angle: float, width: float, height: float) -> float:
    """A minAreaRect angle as the tilt of the rectangle's long side, in [-45, 45].

    opencv 4.5+ gives (0, 90], opencv 5 gives [-90, 0): both normalise to the same tilt.
    """
    if width < height:
        angle += 90.0
    while angle > 45.0:
        angle -= 90.0
    while angle < -45.0:
        angle += 90.0
    return angle


def skew_angle(gray: np.ndarray) -> float:
    """Median tilt of text lines and rules, in degrees (positive: counter-clockwise)."""
    small = cv2.resize(gray, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    _, inv = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    blobs = cv2.morphologyEx(inv, cv2.MORPH_CLOSE, np.ones((1, 15), np.uint8))
    blobs = cv2.morphologyEx(blobs, cv2.MORPH_OPEN, np.ones((3, 1), np.uint8))
    contours, _ = cv2.findContours(blobs, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    angles, weights = [], []
    for cnt in contours:
        (_, _), (w, h), a = cv2.minAreaRect(cnt)
        long_side, short_side = max(w, h), min(w, h)
        if long_side < 60 or long_side < 5 * short_side:
            continue
        angles.append(small_angle(a, w, h))
        weights.append(long_side**2)  # long lines measure the tilt precisely
    if not angles:
        return 0.0
    order = np.argsort(angles)
    cum = np.cumsum(np.asarray(weights)[order])
    return -float(np.asarray(angles)[order][np.searchsorted(cum, cum[-1] / 2)])


def _profile_score(inv: np.ndarray, angle: float) -> float:
    h, w = inv.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), -angle, 1.0)
    rotated = cv2.warpAffine(inv, m, (w, h), flags=cv2.INTER_NEAREST)
    profile = rotated.sum(axis=1, dtype=np.float64)
    return float(np.square(np.diff(profile)).sum())


def refine_angle(gray: np.ndarray, around: float, limit: float = 15.0) -> float:
    """The tilt whose rotation gives the sharpest row profile (ink per pixel row).

    `around` (the minAreaRect estimate, up to 45 degrees either way) competes with a coarse
    grid over +-limit degrees; the winner is refined in 0.05 degree steps.
    """
    small = cv2.resize(gray, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    _, inv = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    grid = [float(a) for a in np.arange(-limit, limit + 0.01, 0.25)]
    best = max([*grid, around], key=lambda a: _profile_score(inv, a))
    fine = [best + d for d in np.arange(-0.2, 0.21, 0.05)]
    return float(max(fine, key=lambda a: _profile_score(inv, float(a))))


def deskew(page: Page) -> Page:
    """Measure the tilt (minAreaRect of text lines, refined by row profiles) and undo it."""
    gray = page.gray
    assert gray is not None
    angle = refine_angle(gray, skew_angle(gray))
    page.notes["skew"] = round(angle, 2)
    if abs(angle) >= 0.15:
        h, w = gray.shape
        m = cv2.getRotationMatrix2D((w / 2, h / 2), -angle, 1.0)
        page.gray = cv2.warpAffine(gray, m, (w, h), flags=cv2.INTER_CUBIC,
                                   borderMode=cv2.BORDER_CONSTANT, borderValue=255)
    return page


def measure_glyphs(page: Page) -> Page:
    """Median height of text lines (characters merged along the line), in pixels."""
    gray = page.gray
    assert gray is not None
    _, inv = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    lines = cv2.morphologyEx(inv, cv2.MORPH_CLOSE, np.ones((5, 25), np.uint8))
    n, _, stats, _ = cv2.connectedComponentsWithStats(lines, connectivity=8)
    heights = [stats[i, cv2.CC_STAT_HEIGHT] for i in range(1, n)
               if stats[i, cv2.CC_STAT_WIDTH] > 2 * stats[i, cv2.CC_STAT_HEIGHT]
               and 8 <= stats[i, cv2.CC_STAT_HEIGHT] <= 120]
    page.glyph_height = float(np.median(heights)) if heights else float(TARGET_GLYPH_PX)
    page.notes["glyph_height"] = page.glyph_height
    return page


def upscale_small_glyphs(page: Page) -> Page:
    gray = page.gray
    assert gray is not None
    if page.glyph_height < MIN_GLYPH_PX:
        scale = min(MAX_UPSCALE, TARGET_GLYPH_PX / max(page.glyph_height, 1.0))
        page.gray = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
        page.glyph_height *= scale
        page.scale *= scale
        page.notes["upscaled"] = round(scale, 2)
    return page


def binarise(page: Page) -> Page:
    gray = page.gray
    assert gray is not None
    smooth = cv2.GaussianBlur(gray, (3, 3), 0)
    _, page.binary = cv2.threshold(smooth, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    return page


def remove_rules(page: Page) -> Page:
    """Erase table rules and borders (runs of ink far longer than any CJK stroke) from the
    binary and the grey image."""
    binary = page.binary
    assert binary is not None
    inv = 255 - binary
    length = max(40, int(page.glyph_height * 3.5))
    horiz = cv2.morphologyEx(inv, cv2.MORPH_OPEN, np.ones((1, length), np.uint8))
    vert = cv2.morphologyEx(inv, cv2.MORPH_OPEN, np.ones((length, 1), np.uint8))
    rules = cv2.dilate(cv2.bitwise_or(horiz, vert), np.ones((3, 3), np.uint8))
    page.notes["rule_pixels"] = int((rules > 0).sum())
    page.binary = cv2.bitwise_or(binary, rules)
    if page.gray is not None:  # segments are read from the grey image: erase the rules there too
        page.gray = cv2.bitwise_or(page.gray, rules)
    return page


STEPS = (
    flatten_photo,
    to_gray_without_seal,
    even_light,
    whiten_seal,
    refuse_blank,
    orient,
    deskew,
    measure_glyphs,
    upscale_small_glyphs,
    binarise,
    remove_rules,
)


def preprocess(page: Page) -> Page:
    for step in STEPS:
        page = step(page)
    return page
