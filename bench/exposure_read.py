"""The cost of one borrower's exposure read on its seals (store/exposure_vouched.py
`vouched_others`, what routing, the approval's re-read and the holders check run for every
journey) as the loan book grows: N lines of N borrowers kept sealed by store/exposure.py's own
writer with a key, one in ten with its principal changed, in one SQLite file; then the read of
one borrower's four lines timed.

    .venv/bin/python bench/exposure_read.py --lines 1000 [--repeat 5]

Prints the seconds the N lines took to write and the milliseconds of the read (median and
fastest of `repeat`).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from journey.exposure import KeepExposureInput  # noqa: E402
from store.exposure import keep  # noqa: E402
from store.exposure_vouched import vouched_others  # noqa: E402

KEY = b"bench-archive-key-0123456789abcdef"
BORROWER = "91310000BENCH0000X"


def written(url: str, lines: int) -> None:
    """`lines` lines, sealed as the journeys keep them: the borrower's four among them."""
    for n in range(lines):
        code = BORROWER if n % (lines // 3) == 0 else f"91310000{n:010d}"
        line = KeepExposureInput(workflow_id=f"loan-{n}", credit_code=code,
                                 amount=Decimal(1_000_000 + n))
        keep(url, line, KEY)
        if n % 10 == 0:
            keep(url, line.model_copy(update={"principal": Decimal(900_000 + n)}), KEY)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'journeys.db'}"
        start = time.perf_counter()
        written(url, args.lines)
        wrote = time.perf_counter() - start
        reads = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            read = vouched_others(url, BORROWER, "loan-new", KEY)
            reads.append((time.perf_counter() - start) * 1000)
        print(f"{args.lines} lines written in {wrote:.1f} s; the borrower's {len(read)} lines "
              f"read on their seals: median {statistics.median(reads):.1f} ms, "
              f"fastest {min(reads):.1f} ms ({args.repeat} reads)")


if __name__ == "__main__":
    main()
