"""CJK fonts from Debian packages (fonts-noto-cjk, fonts-wqy-*, fonts-arphic-uming)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import ImageFont


@dataclass(frozen=True)
class Face:
    name: str
    path: str
    index: int


FACES = (
    Face("noto-sans-sc", "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    Face("noto-serif-sc", "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
    Face("wqy-zenhei", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    Face("wqy-microhei", "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    Face("ar-pl-uming", "/usr/share/fonts/truetype/arphic/uming.ttc", 0),
)
BOLD = Face("noto-sans-sc-bold", "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 2)


def available() -> list[Face]:
    faces = [f for f in FACES if Path(f.path).is_file()]
    if not faces:
        raise RuntimeError(
            "no CJK font found: apt-get install fonts-noto-cjk fonts-wqy-zenhei "
            "fonts-wqy-microhei fonts-arphic-uming"
        )
    return faces


@lru_cache(maxsize=64)
def font(face: Face, size: int) -> ImageFont.FreeTypeFont:
    if not Path(face.path).is_file():
        face = available()[0]
    return ImageFont.truetype(face.path, size, index=face.index)
