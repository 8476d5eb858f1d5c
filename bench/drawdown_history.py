"""How long a project's history grows while it draws: events per month of availability.

    .venv/bin/python bench/drawdown_history.py [--drawdowns 3]

On the time-skipping test server, with the drawdown test kit's worker and project (15m,
60 months, 18 months' availability, tranches 4.5m / 6m / 4.5m): each tranche drawn in
`--drawdowns / 3` equal parts, spread evenly over the period, t2's to the contractor
(entrusted, operations' maker-checker), the last part never asked for, so that drawdowns
close when the period ends; the quarters' interest never paid, so from the first payment
day on the project is in arrears and the journey wakes daily. Printed: at the end of each
30 days of availability (month 0: at the first drawdown) the history length (the server's
count, `describe()`), what the month added, its size in bytes, and the run
(continue-as-new starts another); then how long a worker takes to replay the last run whole.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from temporalio.client import WorkflowHandle, WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from journey.drawdowns import DrawdownState  # noqa: E402
from tests.conftest import installed_test_server, register_search_attributes  # noqa: E402
from tests.drawdowns.kit import (  # noqa: E402
    CONTRACTOR,
    approve,
    ask,
    at_drawdowns,
    permit,
    request,
    until,
)
from tests.workflows import journey_kit  # noqa: E402
from tests.workflows.journey_kit import Documents  # noqa: E402
from workflows.loan_journey import LoanJourneyWorkflow  # noqa: E402

MONTH = timedelta(days=30)
TRANCHES = (("t1", 4_500_000, ["planning_permit", "capital_proof"]),
            ("t2", 6_000_000, ["construction_progress", "insurance"]),
            ("t3", 4_500_000, ["equipment_delivery", "insurance"]))


def drawn_at(drawdowns: int, months: int) -> dict[int, list[tuple[str, int, list[str]]]]:
    """`drawdowns` (a multiple of three) spread over the months, each tranche in equal parts,
    in order, the last never asked for (drawdowns stay open to the period's end): which
    month asks for which."""
    per = drawdowns // 3
    pieces = [(tid, amount // per, labels) for tid, amount, labels in TRANCHES
              for _ in range(per)]
    plan: dict[int, list[tuple[str, int, list[str]]]] = {}
    for n, piece in enumerate(pieces[:-1]):
        plan.setdefault(n * months // len(pieces), []).append(piece)
    return plan


async def length(handle: WorkflowHandle) -> tuple[int, int, str]:
    """The latest run's history length, its size in bytes (its events' encoded size: the
    time-skipping server does not count it) and its run id."""
    info = (await handle.describe()).raw_description.workflow_execution_info
    history = await handle.fetch_history()
    return (info.history_length, sum(e.ByteSize() for e in history.events),
            info.execution.run_id)


async def replay_seconds(history: WorkflowHistory) -> float:
    """Seconds a worker takes to replay `history` whole (as on a cache miss): the second of
    two replays, the first paying the sandbox's imports."""
    replayer = Replayer(workflows=[LoanJourneyWorkflow], data_converter=pydantic_data_converter)
    await replayer.replay_workflow(history)
    started = time.perf_counter()
    await replayer.replay_workflow(history)
    return time.perf_counter() - started


async def measure(drawdowns: int, data_dir: Path
                  ) -> tuple[list[tuple[int, int, int, int, int]], float]:
    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=pydantic_data_converter, test_server_existing_path=installed_test_server()
    )
    await register_search_attributes(env.client)
    journey_kit.TODAY = (await env.get_current_time()).date()
    docs, rows = Documents(), []
    try:
        async with at_drawdowns(env, data_dir, docs) as (app, _, handle):
            latest = env.client.get_workflow_handle(handle.id)
            months = (await until(latest, lambda s: s.drawdown_plan is not None)
                      ).drawdown_plan.availability_months  # type: ignore[union-attr]
            plan, before, runs = drawn_at(drawdowns, months), 0, []
            for month in range(months + 1):
                if month:
                    await env.sleep(MONTH)
                for tranche, amount, labels in plan.get(month, []):
                    payee = CONTRACTOR if tranche == "t2" else None  # entrusted: 6m in all
                    await request(latest, ask(app, tranche, amount,
                                              [permit(docs, x) for x in labels], payee))
                    assert (await approve(latest, tranche)).state is DrawdownState.BOOKED
                events, size, run = await length(latest)
                runs += [run] if run not in runs else []
                rows.append((month, events, events - before, size, len(runs)))
                before = events
            replayed = await replay_seconds(await latest.fetch_history())
    finally:
        await env.shutdown()
    return rows, replayed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--drawdowns", type=int, default=3,
                        help="drawdowns over the availability period (a multiple of 3)")
    args = parser.parse_args()
    if args.drawdowns < 3 or args.drawdowns % 3:
        parser.error("--drawdowns: a multiple of 3, each tranche drawn in as many parts")
    with tempfile.TemporaryDirectory(prefix="bench-drawdown-history-") as tmp:
        rows, replayed = asyncio.run(measure(args.drawdowns, Path(tmp)))
    print(f"{args.drawdowns} drawdowns\n"
          "| month | history events | added that month | history bytes | run |\n"
          "|---:|---:|---:|---:|---:|")
    for month, events, added, size, run in rows:
        print(f"| {month} | {events:,} | {added:,} | {size:,} | {run} |")
    print(f"\nreplayed whole at month {rows[-1][0]} ({rows[-1][1]:,} events): {replayed:.2f} s")


if __name__ == "__main__":
    main()
