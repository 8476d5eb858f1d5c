"""Write the small fixed sample set kept in the repository (samples/documents).

    python -m ocr.corpus.samples --out samples/documents   # the OCR tests' set
    python -m ocr.corpus.samples --out samples/demo        # the demo's and e2e tests' set

Three companies, each with a licence, a balance sheet and an income statement (mildly
damaged, as a good phone scan), one heavily damaged licence turned upside down, and one
truncated JPEG. Labels go to labels.json; the demo and tests read them.
"""

from __future__ import annotations

import argparse
import json
import random
from datetime import date
from pathlib import Path

from ocr.corpus import KINDS, make_page
from ocr.corpus._data import company

# Statements in the sample set end on one recent period per company, so a journey built on
# them passes the completeness check (statements at most 18 months old).
PERIOD = date(2025, 12, 31)


def write_samples(out: Path, seed: int = 2024) -> list[dict]:
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    pages: list[dict] = []
    companies = [company(rng) for _ in range(3)]
    for n, comp in enumerate(companies, 1):
        for kind in KINDS:
            data, labels = make_page(kind, rng, comp, turn=0, seal=kind != "income_statement",
                                     mild=True, period=PERIOD)
            name = f"company{n}_{kind}.jpg"
            (out / name).write_bytes(data)
            pages.append({"file": name, "company_no": n, **labels})
    data, labels = make_page("business_license", rng, companies[0], turn=180, seal=True)
    (out / "damaged_rotated_license.jpg").write_bytes(data)
    pages.append({"file": "damaged_rotated_license.jpg", "company_no": 1, **labels})
    first = (out / "company2_business_license.jpg").read_bytes()
    (out / "corrupt_truncated.jpg").write_bytes(first[: len(first) // 3])
    pages.append({"file": "corrupt_truncated.jpg", "kind": "corrupt",
                  "expect_error": "TruncatedImage"})
    (out / "labels.json").write_text(json.dumps(pages, ensure_ascii=False, indent=1) + "\n")
    return pages


def main() -> None:
    parser = argparse.ArgumentParser(description="Write the fixed sample documents.")
    parser.add_argument("--out", type=Path, default=Path("samples/documents"))
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    pages = write_samples(args.out, args.seed)
    print(f"wrote {len(pages)} samples to {args.out}")


if __name__ == "__main__":
    main()
