"""The single adapter to the tesseract engine: languages, page modes, time limits, errors.

tesserocr (libtesseract in-process, one loaded model per thread) is used when installed;
otherwise pytesseract runs the `tesseract` binary. Both return the same `Word` boxes, and
every engine failure becomes an `EngineError`.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass

import numpy as np
from PIL import Image

from ocr.errors import EngineError, EngineTimeout

LANG = "chi_sim+eng"
# The settings' defaults (journey/settings.py: OCR_TIMEOUT_S, TESSDATA_PREFIX, OCR_ENGINE);
# a worker sets its own with `ocr.configure` before its first read.
TIMEOUT_S = 30.0
TESSDATA = "/usr/share/tesseract-ocr/5/tessdata/"
os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # OpenMP threads only thrash on shared cores

try:  # pragma: no cover - depends on the environment
    import tesserocr
except ImportError:  # pragma: no cover
    tesserocr = None

ENGINE = "tesserocr" if tesserocr else "pytesseract"


def configure(*, engine: str | None, timeout_s: float, tessdata: str) -> None:
    """The engine (None: tesserocr when installed), its time limit per recognition and where
    its models are, for the reads from now on."""
    global ENGINE, TIMEOUT_S, TESSDATA
    ENGINE = engine or ("tesserocr" if tesserocr else "pytesseract")
    TIMEOUT_S, TESSDATA = timeout_s, tessdata


@dataclass(frozen=True)
class Word:
    text: str
    left: int
    top: int
    width: int
    height: int
    conf: float  # 0..100

    @property
    def right(self) -> int:
        return self.left + self.width

    @property
    def bottom(self) -> int:
        return self.top + self.height

    @property
    def cx(self) -> float:
        return self.left + self.width / 2

    @property
    def cy(self) -> float:
        return self.top + self.height / 2


_local = threading.local()


def _api(lang: str, psm: int):  # type: ignore[no-untyped-def]
    apis = getattr(_local, "apis", None)
    if apis is None:
        apis = _local.apis = {}
    key = (lang, psm)
    if key not in apis:
        try:
            apis[key] = tesserocr.PyTessBaseAPI(path=TESSDATA, lang=lang, psm=psm)
        except RuntimeError as exc:
            raise EngineError(
                f"tesseract could not load {lang!r} from {TESSDATA}: install tesseract-ocr "
                "with tesseract-ocr-chi-sim, or set TESSDATA_PREFIX"
            ) from exc
    return apis[key]


def _words_tesserocr(image: np.ndarray, lang: str, psm: int, whitelist: str) -> list[Word]:
    api = _api(lang, psm)
    api.SetVariable("tessedit_char_whitelist", whitelist)
    api.SetImage(Image.fromarray(image))
    if not api.Recognize(int(TIMEOUT_S * 1000)):
        raise EngineTimeout(f"tesseract gave up after {TIMEOUT_S:.0f} s: scan the page again")
    words: list[Word] = []
    it = api.GetIterator()
    level = tesserocr.RIL.WORD
    if it is None:
        return words
    for w in tesserocr.iterate_level(it, level):
        try:
            text = w.GetUTF8Text(level)
        except RuntimeError:  # "No text returned": an empty word
            continue
        box = w.BoundingBox(level)
        if text and text.strip() and box:
            x0, y0, x1, y1 = box
            words.append(Word(text.strip(), x0, y0, x1 - x0, y1 - y0, w.Confidence(level)))
    return words


def _words_pytesseract(image: np.ndarray, lang: str, psm: int, whitelist: str) -> list[Word]:
    import pytesseract

    config = f"--psm {psm}" + (f" -c tessedit_char_whitelist={whitelist}" if whitelist else "")
    try:
        data = pytesseract.image_to_data(
            image, lang=lang, config=config, timeout=TIMEOUT_S,
            output_type=pytesseract.Output.DICT,
        )
    except RuntimeError as exc:  # pytesseract raises RuntimeError on timeout
        raise EngineTimeout(f"tesseract gave up after {TIMEOUT_S:.0f} s: scan again") from exc
    except pytesseract.TesseractNotFoundError as exc:
        raise EngineError("tesseract is not installed: apt-get install tesseract-ocr") from exc
    except pytesseract.TesseractError as exc:
        raise EngineError(f"tesseract failed: {exc.message}") from exc
    return [
        Word(t.strip(), data["left"][i], data["top"][i], data["width"][i], data["height"][i],
             float(data["conf"][i]))
        for i, t in enumerate(data["text"])
        if t and t.strip()
    ]


def words(image: np.ndarray, *, psm: int = 6, lang: str = LANG, whitelist: str = "") -> list[Word]:
    """Word boxes of a grey or binary page image."""
    if ENGINE == "tesserocr" and tesserocr is not None:
        return _words_tesserocr(image, lang, psm, whitelist)
    return _words_pytesseract(image, lang, psm, whitelist)


def orientation(image: np.ndarray) -> tuple[int, float]:
    """Counter-clockwise degrees (0, 90, 180, 270) that turn the page upright, and confidence."""
    if ENGINE == "tesserocr" and tesserocr is not None:
        api = _api("osd", int(tesserocr.PSM.OSD_ONLY))
        api.SetImage(Image.fromarray(image))
        result = api.DetectOrientationScript()
        if not result:
            return 0, 0.0
        return int(result["orient_deg"]), float(result["orient_conf"])
    import pytesseract

    try:
        osd = pytesseract.image_to_osd(image, timeout=TIMEOUT_S,
                                       output_type=pytesseract.Output.DICT)
    except pytesseract.TesseractError:  # too few characters to decide
        return 0, 0.0
    except RuntimeError as exc:
        raise EngineTimeout(f"orientation detection took over {TIMEOUT_S:.0f} s") from exc
    return int(osd["orientation"]), float(osd["orientation_conf"])
