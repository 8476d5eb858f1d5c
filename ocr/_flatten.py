"""flatten_photo: a page photographed at an angle, lying on a darker background, warped flat.

A phone photo shows the page as a quadrilateral: its rows converge, and deskew (a rotation)
cannot straighten them all. The page's outline is looked for on a small copy of the photo: the
bright region's largest contour (Otsu), else the largest closed contour of its edges (Canny),
simplified to four corners. It is followed only when it is clearly a page on a background:
a convex quadrilateral covering at least MIN_AREA of the photo, every corner inside the frame
(a scan filling the frame has its corners on the border and is left as it is), and the
background darker than the paper just inside each of its four sides. The quadrilateral is
then warped to a rectangle as wide as its longer top or bottom side and as tall as its
longer left or right side, at the photo's own resolution.
"""

from __future__ import annotations

import cv2
import numpy as np

from ocr._page import Page

DETECT_SIDE = 640  # long side of the copy the outline is looked for on
MIN_AREA = 0.25  # of the photo: a smaller bright quadrilateral is a detail, not the page
BORDER = 0.01  # of the side: a corner this near the frame's edge is on it
EDGE_CONTRAST = 30  # grey levels the paper must be above the background along every side
PROBE = 0.012  # of the long side: how far inside and outside a side paper and background are


def _corners(contour: np.ndarray) -> list[np.ndarray]:
    """The contour simplified to four corners: each convex quadrilateral found, then each
    pentagon whose corner a hard shadow cut off, completed (`_uncut`)."""
    hull = cv2.convexHull(contour)
    perimeter = cv2.arcLength(hull, True)
    polygons = [cv2.approxPolyDP(hull, share * perimeter, True).reshape(-1, 2).astype(np.float32)
                for share in (0.02, 0.03, 0.04)]
    quads = [p for p in polygons if len(p) == 4 and cv2.isContourConvex(p)]
    quads += [q for q in map(_uncut, (p for p in polygons if len(p) == 5)) if q is not None]
    return quads


def _uncut(pentagon: np.ndarray) -> np.ndarray | None:
    """A page with one corner in a hard shadow's dark: the bright region is the page less
    that corner, a pentagon. Its quadrilateral drops the edge whose two neighbours, extended,
    meet nearest (adding the smallest triangle): the cut across the corner."""
    best: tuple[float, np.ndarray] | None = None
    for i in range(5):
        a, b = pentagon[i - 1], pentagon[i]  # the edge dropped runs from a to b
        corner = _meet(pentagon[i - 2], a, b, pentagon[(i + 1) % 5])
        if corner is None:
            continue
        added = abs(_cross(a - corner, b - corner)) / 2
        quad = np.array([corner if j == (i - 1) % 5 else p for j, p in enumerate(pentagon)
                         if j != i], dtype=np.float32)
        if cv2.isContourConvex(quad) and (best is None or added < best[0]):
            best = (added, quad)
    return None if best is None else best[1]


def _meet(p: np.ndarray, q: np.ndarray, r: np.ndarray, s: np.ndarray) -> np.ndarray | None:
    """Where line p-q, extended beyond q, meets line s-r extended beyond r."""
    d1, d2 = q - p, r - s
    det = _cross(d1, d2)
    if abs(det) < 1e-6:
        return None
    t, u = _cross(s - p, d2) / det, _cross(s - p, d1) / det
    return p + t * d1 if t > 1 and u > 1 else None


def _cross(a: np.ndarray, b: np.ndarray) -> float:
    return float(a[0] * b[1] - a[1] * b[0])


def _ordered(quad: np.ndarray) -> np.ndarray:
    """Top-left, top-right, bottom-right, bottom-left."""
    s, d = quad.sum(axis=1), np.diff(quad, axis=1).ravel()
    return np.array([quad[np.argmin(s)], quad[np.argmin(d)], quad[np.argmax(s)],
                     quad[np.argmax(d)]], dtype=np.float32)


def _stands_out(gray: np.ndarray, quad: np.ndarray) -> bool:
    """Whether, along each side, the paper just inside is clearly brighter than just outside."""
    h, w = gray.shape
    step = PROBE * max(h, w)
    centre = quad.mean(axis=0)
    for a, b in zip(quad, np.roll(quad, -1, axis=0), strict=True):
        t = np.linspace(0.15, 0.85, 24)[:, None]
        points = a + t * (b - a)
        normal = np.array([a[1] - b[1], b[0] - a[0]], dtype=np.float32)
        normal /= max(float(np.linalg.norm(normal)), 1e-6)
        if np.dot(centre - (a + b) / 2, normal) < 0:
            normal = -normal  # pointing into the page
        inside = _sample(gray, points + step * normal)
        outside = _sample(gray, points - step * normal)
        if np.median(inside) - np.median(outside) < EDGE_CONTRAST:
            return False
    return True


def _sample(gray: np.ndarray, points: np.ndarray) -> np.ndarray:
    h, w = gray.shape
    xs = np.clip(points[:, 0].round().astype(int), 0, w - 1)
    ys = np.clip(points[:, 1].round().astype(int), 0, h - 1)
    return gray[ys, xs]


def _candidates(gray: np.ndarray) -> list[np.ndarray]:
    """The largest contour of the bright region, then of the closed edges."""
    blurred = cv2.GaussianBlur(gray, (5, 5), 0)
    _, bright = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    bright = cv2.morphologyEx(bright, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
    edges = cv2.dilate(cv2.Canny(blurred, 40, 120), np.ones((3, 3), np.uint8))
    found = []
    for mask in (bright, edges):
        contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        if contours:
            found.append(max(contours, key=cv2.contourArea))
    return found


def page_outline(color: np.ndarray) -> np.ndarray | None:
    """The four corners (ordered, full-resolution pixels) of a page photographed on a
    background, or None when no outline is clear enough to follow."""
    h, w = color.shape[:2]
    scale = min(1.0, DETECT_SIDE / max(h, w))
    small = cv2.resize(color, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    gray = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
    sh, sw = gray.shape
    margin = BORDER * max(sh, sw)
    for contour in _candidates(gray):
        for quad in _corners(contour):
            if cv2.contourArea(quad) < MIN_AREA * sh * sw:
                continue
            inside = ((quad[:, 0] > margin) & (quad[:, 0] < sw - 1 - margin)
                      & (quad[:, 1] > margin) & (quad[:, 1] < sh - 1 - margin))
            if inside.all() and _stands_out(gray, _ordered(quad)):
                return _ordered(quad) / scale
    return None


def flatten_photo(page: Page) -> Page:
    """Warp a page photographed at an angle to a flat rectangle; leave any other page as it is."""
    quad = page_outline(page.color)
    if quad is None:
        return page
    tl, tr, br, bl = quad
    width = int(round(max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl))))
    height = int(round(max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr))))
    target = np.array([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]],
                      dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(quad, target)
    page.color = cv2.warpPerspective(page.color, matrix, (width, height), flags=cv2.INTER_CUBIC,
                                     borderMode=cv2.BORDER_REPLICATE)
    page.notes["flattened"] = [[round(float(x)), round(float(y))] for x, y in quad]
    return page
