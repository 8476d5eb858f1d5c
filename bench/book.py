"""The loan book's cost as it grows: N running loans on the embedded server, read as
`loan-journey book` reads them (starter/work_lists.loan_book: the visibility listing, then
every loan's status query, BOOK_READS at a time) against the listing alone, in the same run.

    .venv/bin/python bench/book.py --loans 200 [--repeat 3]

Prints the seconds of each, the status reads' milliseconds per loan and loans per second:
what a book of ten thousand loans would take. The loans are journeys walked to post-loan by
bench/journeys.py's people, on one worker process as bench/journeys.py runs them.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from activities.policy import policy_text  # noqa: E402
from bench.journeys import Phase, StageWatch, bounded, drive, worker_processes  # noqa: E402
from journey.policy import parse_policy  # noqa: E402
from journey.settings import Settings  # noqa: E402
from starter import work_lists  # noqa: E402
from starter.embedded import embedded_server  # noqa: E402
from tests.chaos.chaos_kit import readings_json  # noqa: E402
from tests.ports import free_port  # noqa: E402
from tests.workflows.journey_kit import Documents, application  # noqa: E402


async def timings(loans: int, repeat: int, data_dir: Path) -> tuple[list[float], list[float]]:
    """Seconds of the listing alone and of the whole book, `repeat` times each, in turn."""
    settings = Settings(data_dir=data_dir, task_queue=f"book-{uuid.uuid4().hex[:8]}",
                        temporal_address=f"127.0.0.1:{free_port()}", ui_port=free_port())
    policy, docs = parse_policy(policy_text(None)), Documents()
    apps = [application(docs) for _ in range(loans)]
    labels = data_dir / "readings.json"
    labels.write_text(readings_json(docs.readings), encoding="utf-8")
    async with embedded_server(settings) as env, worker_processes(settings, labels, 1):
        client, watch = env.client, StageWatch(settings.db_url)
        await bounded(10, [lambda a=a: drive(client, watch, settings, policy, a,
                                             Phase("loans"), closes=False) for a in apps])
        query = work_lists.book_query()
        while await work_lists.count_journeys(client, query) < loans:  # visibility lags
            await asyncio.sleep(0.2)
        listing, book = [], []
        for _ in range(repeat):
            started = time.perf_counter()
            rows = await work_lists.list_journeys(client, query, limit=None)
            listing.append(time.perf_counter() - started)
            started = time.perf_counter()
            lines = (await work_lists.loan_book(client)).lines
            book.append(time.perf_counter() - started)
            assert len(rows) == len(lines) == loans, (len(rows), len(lines))
    return listing, book


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--loans", type=int, default=200, help="running loans in the book")
    parser.add_argument("--repeat", type=int, default=3, help="reads of each, in turn")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-book-") as tmp:
        listing, book = asyncio.run(timings(args.loans, args.repeat, Path(tmp)))
    lone, whole = statistics.median(listing), statistics.median(book)
    per_loan = (whole - lone) / args.loans
    print(f"| loans | listing s | book s | book / listing | status reads ms per loan | "
          f"loans/s | 10,000 loans, s |\n|---:|---:|---:|---:|---:|---:|---:|\n"
          f"| {args.loans} | {lone:.2f} | {whole:.2f} | {whole / lone:.0f}x | "
          f"{per_loan * 1000:.1f} | {args.loans / whole:.0f} | {10_000 * per_loan:.0f} |")
    print(f"medians of {args.repeat}: listing {', '.join(f'{t:.2f}' for t in listing)} s; "
          f"book {', '.join(f'{t:.2f}' for t in book)} s (work_lists.BOOK_READS = "
          f"{work_lists.BOOK_READS})")


if __name__ == "__main__":
    main()
