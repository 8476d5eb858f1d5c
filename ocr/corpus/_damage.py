"""Scanner and phone-camera damage: seal, light, rotation, blur, noise, JPEG, page turns, and
(only when asked: the recorded bench's corpus stays as it was) a photo taken at an angle."""

from __future__ import annotations

import io
import math
import random

import cv2
import numpy as np
from PIL import Image, ImageDraw

from ocr.corpus._fonts import Face, font

RED = (210, 40, 40)


def add_seal(img: Image.Image, center: tuple[int, int], text: str, face: Face,
             rng: random.Random) -> Image.Image:
    """A round red company seal, multiplied over whatever text lies beneath."""
    r = rng.randint(110, 140)
    layer = Image.new("RGB", (2 * r + 4, 2 * r + 4), (255, 255, 255))
    d = ImageDraw.Draw(layer)
    d.ellipse((2, 2, 2 * r, 2 * r), outline=RED, width=7)
    cx = cy = r + 1
    star = [(cx + (28 if i % 2 == 0 else 12) * math.cos(math.radians(-90 + 36 * i)),
             cy + (28 if i % 2 == 0 else 12) * math.sin(math.radians(-90 + 36 * i)))
            for i in range(10)]
    d.polygon(star, fill=RED)
    fnt = font(face, 26)
    chars = text[:14]
    for i, ch in enumerate(chars):
        ang = math.radians(-200 + 220 * i / max(1, len(chars) - 1))
        x, y = cx + (r - 34) * math.cos(ang), cy + (r - 34) * math.sin(ang)
        d.text((x - 13, y - 13), ch, font=fnt, fill=RED)
    base = np.asarray(img).astype(np.float32)
    seal = np.asarray(layer).astype(np.float32)
    x0, y0 = center[0] - r, center[1] - r
    h, w = seal.shape[:2]
    region = base[y0:y0 + h, x0:x0 + w]
    seal = seal[: region.shape[0], : region.shape[1]]
    base[y0:y0 + h, x0:x0 + w] = region * (0.35 + 0.65 * seal / 255.0)
    return Image.fromarray(base.clip(0, 255).astype(np.uint8))


def uneven_light(a: np.ndarray, rng: random.Random) -> np.ndarray:
    h, w = a.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    cx, cy = rng.uniform(0, w), rng.uniform(0, h)
    dist = np.sqrt((xx - cx) ** 2 + (yy - cy) ** 2) / math.hypot(w, h)
    shade = 1.0 - rng.uniform(0.25, 0.45) * dist
    return (a.astype(np.float32) * shade[..., None]).clip(0, 255).astype(np.uint8)


def hard_shadow(a: np.ndarray, darkness: float, reach: float = 0.45) -> np.ndarray:
    """A hand's or a phone's sharp shadow across the top-left corner: the pixels left of a
    diagonal edge (x + 0.8 y < reach * width) at `darkness` of their brightness."""
    h, w = a.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w]
    shaded = a.astype(np.float32)
    shaded[(xx + yy * 0.8) < w * reach] *= darkness
    return shaded.clip(0, 255).astype(np.uint8)


def rotate(a: np.ndarray, degrees: float) -> np.ndarray:
    h, w = a.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    return cv2.warpAffine(a, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=(235, 235, 235))


def desk(height: int, width: int, rng: random.Random) -> np.ndarray:
    """A darker textured background: a brownish or greyish desk, grain and blotches."""
    tone = np.array([rng.uniform(50, 110), rng.uniform(60, 115), rng.uniform(70, 125)],
                    np.float32)
    noise = np.random.default_rng(rng.randint(0, 2**31))
    blotches = cv2.resize(noise.normal(0, 18, (height // 40 + 2, width // 40 + 2)),
                          (width, height), interpolation=cv2.INTER_CUBIC)
    grain = cv2.GaussianBlur(noise.normal(0, 10, (height, width)), (1, 9), 0)
    shade = (blotches + grain).astype(np.float32)[..., None]
    return (tone + shade).clip(0, 255).astype(np.uint8)


def photograph(a: np.ndarray, rng: random.Random) -> tuple[np.ndarray, list[list[int]]]:
    """The page photographed at an angle on a desk: each corner moved by 5-15% of the side
    (the page stays in the frame), maybe a soft shadow across it. Returns the photo and where
    the page's corners landed."""
    h, w = a.shape[:2]
    pad_x, pad_y = int(0.08 * w), int(0.08 * h)
    corners = [(0, 0), (w, 0), (w, h), (0, h)]
    moved = [[x + pad_x + (1 if x == 0 else -1) * rng.uniform(0.05, 0.15) * w,  # inwards
              y + pad_y + (1 if y == 0 else -1) * rng.uniform(0.05, 0.15) * h] for x, y in corners]
    matrix = cv2.getPerspectiveTransform(np.float32(corners), np.float32(moved))
    size = (w + 2 * pad_x, h + 2 * pad_y)
    photo = cv2.warpPerspective(a, matrix, size, flags=cv2.INTER_LINEAR)
    paper = cv2.warpPerspective(np.full((h, w), 255, np.uint8), matrix, size) > 127
    photo = np.where(paper[..., None], photo, desk(size[1], size[0], rng))
    if rng.random() < 0.5:  # the phone's or the hand's shadow: a soft dark band
        yy, xx = np.mgrid[0:size[1], 0:size[0]].astype(np.float32)
        angle = rng.uniform(0, 2 * math.pi)
        along = (xx * math.cos(angle) + yy * math.sin(angle)) / max(size)
        edge = rng.uniform(0.3, 0.7)
        shadow = 1.0 - rng.uniform(0.15, 0.3) / (1.0 + np.exp(-(along - edge) * 40))
        photo = (photo.astype(np.float32) * shadow[..., None]).clip(0, 255).astype(np.uint8)
    return photo, [[round(x), round(y)] for x, y in moved]


def damage(img: Image.Image, rng: random.Random, *, turn: int = 0,
           mild: bool = False, photo: bool = False) -> tuple[bytes, dict]:
    """Apply random damage; return JPEG bytes and a description of what was done. A `photo`
    is taken at an angle on a desk (`photograph`) instead of being rotated."""
    a = np.asarray(img)[:, :, ::-1].copy()
    info: dict = {}
    if rng.random() < 0.6:
        a = uneven_light(a, rng)
        info["uneven_light"] = True
    if photo:
        a, info["photo_corners"] = photograph(a, rng)
    else:
        angle = round(rng.uniform(-2, 2) if mild else rng.uniform(-5, 5), 2)
        a = rotate(a, angle)
        info["rotation"] = angle
    if rng.random() < 0.5:
        k = rng.choice([3, 5]) if not mild else 3
        a = cv2.GaussianBlur(a, (k, k), 0)
        info["blur"] = k
    if not mild and rng.random() < 0.6:
        sigma = rng.uniform(4, 12)
        noise = np.random.default_rng(rng.randint(0, 2**31)).normal(0, sigma, a.shape)
        a = (a.astype(np.float32) + noise).clip(0, 255).astype(np.uint8)
        info["noise"] = round(sigma, 1)
    if turn:
        a = np.ascontiguousarray(np.rot90(a, k=turn // 90))
        info["turn"] = turn
    quality = rng.randint(72, 80) if mild else rng.randint(50, 90)
    info["jpeg_quality"] = quality
    buf = io.BytesIO()
    Image.fromarray(a[:, :, ::-1]).save(buf, format="JPEG", quality=quality)
    return buf.getvalue(), info
