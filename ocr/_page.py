"""The page that flows through the preprocessing steps."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Page:
    """A page image in the making: `color` (BGR) until `to_gray`, then `gray`, then `binary`."""

    color: np.ndarray
    gray: np.ndarray | None = None
    binary: np.ndarray | None = None  # text black (0) on white (255)
    seal: np.ndarray | None = None  # bool mask of red (seal) pixels, until whiten_seal
    glyph_height: float = 0.0
    scale: float = 1.0  # pixels of the images per pixel of the source (limit_size, upscaling)
    notes: dict[str, object] = field(default_factory=dict)

    @property
    def image(self) -> np.ndarray:
        """The most processed image so far (what OCR reads)."""
        if self.binary is not None:
            return self.binary
        if self.gray is not None:
            return self.gray
        return self.color
