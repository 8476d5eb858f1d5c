"""python -m ocr.corpus --out DIR --count N --seed S [--photo]"""

from __future__ import annotations

import argparse
from pathlib import Path

from ocr.corpus import generate_corpus


def main() -> None:
    parser = argparse.ArgumentParser(description="Render damaged synthetic documents + labels.")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--count", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--photo", action="store_true",
                        help="every page photographed at an angle on a desk")
    args = parser.parse_args()
    pages = generate_corpus(args.out, args.count, args.seed, args.photo)
    print(f"wrote {len(pages)} pages and labels.json to {args.out}")


if __name__ == "__main__":
    main()
