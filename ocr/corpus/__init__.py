"""A corpus of synthetic, damaged licences and statements with ground-truth labels.

`python -m ocr.corpus --out DIR --count N --seed S [--photo]` writes N JPEG pages and
`labels.json`; `--photo` makes every page a photo taken at an angle on a desk.
Pages come in threes per company (licence, balance sheet, income statement) so a demo can
use matching documents; fonts, layouts, languages, units and damage vary page by page.
"""

from __future__ import annotations

import io
import json
import random
from datetime import date
from pathlib import Path

from ocr.corpus._damage import add_seal, damage
from ocr.corpus._data import Company, company
from ocr.corpus._financials import UNITS, period_end
from ocr.corpus._fonts import available
from ocr.corpus._license_page import LAYOUTS as LICENSE_LAYOUTS
from ocr.corpus._license_page import license_labels, render_license
from ocr.corpus._statement_page import LAYOUTS as STATEMENT_LAYOUTS
from ocr.corpus._statement_page import render_statement

KINDS = ("business_license", "balance_sheet", "income_statement")


def make_page(kind: str, rng: random.Random, comp: Company | None = None, *,
              turn: int | None = None, seal: bool | None = None, clean: bool = False,
              mild: bool = False, period: date | None = None,
              photo: bool = False) -> tuple[bytes, dict]:
    """One damaged page of `kind` and its labels (amounts in yuan, dates ISO); statements
    end on `period` when given, else on a random past period. A `photo` is taken at an angle
    on a desk instead of scanned with a small rotation."""
    comp = comp or company(rng)
    face = rng.choice(available())
    if kind == "business_license":
        layout = rng.choice(LICENSE_LAYOUTS)
        img = render_license(comp, face, layout, rng)
        labels = {"kind": kind, **license_labels(comp)}
        seal_at = (rng.randint(700, 1000), rng.choice([760, 900, 1540]))
    else:
        lang = "en" if rng.random() < 0.25 else "zh"
        layout = rng.choice(STATEMENT_LAYOUTS if kind == "balance_sheet" else ("ruled", "open"))
        printed = comp.name if rng.random() < 0.85 else None
        img, labels = render_statement(kind, lang, layout, printed, period or period_end(rng),
                                       rng.choice(list(UNITS)), face, rng)
        labels["language"] = lang
        seal_at = (rng.randint(300, 900), rng.choice([230, 700, 1200]))
    if seal is None:
        seal = rng.random() < 0.5
    if seal and not clean:
        img = add_seal(img, seal_at, comp.name, face, rng)
    if turn is None:
        r = rng.random()
        turn = 180 if r < 0.1 else 90 if r < 0.14 else 270 if r < 0.17 else 0
    if clean:
        buf = io.BytesIO()
        img.save(buf, format="PNG", optimize=True)
        data, info = buf.getvalue(), dict[str, object]()
    else:
        data, info = damage(img, rng, turn=turn, mild=mild, photo=photo)
    extra: dict[str, object] = {"font": face.name, "layout": layout,
                                "damage": info | ({"seal": True} if seal else {})}
    return data, {**labels, **extra}


def generate_corpus(out: Path, count: int, seed: int, photo: bool = False) -> list[dict]:
    """Write `count` pages under `out` and return their labels (also in out/labels.json);
    with `photo`, every page is photographed at an angle (the same seed without it gives the
    recorded bench's corpus)."""
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    pages: list[dict] = []
    comp = None
    for i in range(count):
        kind = KINDS[i % 3]
        if i % 3 == 0:
            comp = company(rng)
        data, labels = make_page(kind, rng, comp, photo=photo)
        name = f"{i:04d}_{kind}.jpg"
        (out / name).write_bytes(data)
        pages.append({"file": name, **labels})
    (out / "labels.json").write_text(json.dumps(pages, ensure_ascii=False, indent=1))
    return pages
