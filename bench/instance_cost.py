"""What a new workflow instance costs the worker: the journey's against the no-op's.

    .venv/bin/python bench/instance_cost.py [--repeat 50]

The worker's sandbox (temporalio's default `SandboxedWorkflowRunner`, as worker.py runs it)
re-imports a workflow's module for every new run and every run it must rebuild (a cache
miss, a worker restart, a replay by `audit verify`), which re-applies `@workflow.defn` to the
class. That decorator checks every method of every base class, so its cost grows with the
bases times their members. The modules' bytecode is written first, as the worker writes it
(starter/sandbox_bytecode.py): without it each instance also compiles the module's source.
Printed: milliseconds per instance, the two classes' bases and the members the check reads,
and their ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from temporalio import workflow  # noqa: E402
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner  # noqa: E402

from bench.noop_workflow import NoopWorkflow  # noqa: E402
from starter.sandbox_bytecode import write_sandbox_bytecode  # noqa: E402
from workflows.loan_journey import LoanJourneyWorkflow  # noqa: E402


def members_checked(cls: type) -> int:
    """What `workflow.defn` reads: the class's members, then each base's."""
    return sum(len(inspect.getmembers(c)) for c in cls.__mro__[:-1])


async def per_instance(cls: type, repeat: int) -> float:
    """Seconds per sandbox instance (the runner's own check builds one, as a new run does)."""
    runner, defn = SandboxedWorkflowRunner(), workflow._Definition.must_from_class(cls)
    runner.prepare_workflow(defn)  # the first also imports what passes through
    started = time.perf_counter()
    for _ in range(repeat):
        runner.prepare_workflow(defn)
    return (time.perf_counter() - started) / repeat


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    write_sandbox_bytecode([NoopWorkflow, LoanJourneyWorkflow])
    rows = []
    for cls in (NoopWorkflow, LoanJourneyWorkflow):  # interleaved twice: a noisy machine
        rows.append((cls, await per_instance(cls, args.repeat)))
    for cls in (NoopWorkflow, LoanJourneyWorkflow):
        rows.append((cls, await per_instance(cls, args.repeat)))
    print("| workflow | bases | members checked | ms per instance |")
    print("|---|---:|---:|---:|")
    for cls in (NoopWorkflow, LoanJourneyWorkflow):
        best = min(seconds for c, seconds in rows if c is cls)
        print(f"| {cls.__name__} | {len(cls.__mro__) - 2} | {members_checked(cls)} "
              f"| {best * 1000:.1f} |")
    noop = min(s for c, s in rows if c is NoopWorkflow)
    journey = min(s for c, s in rows if c is LoanJourneyWorkflow)
    print(f"\nA journey's instance costs {journey / noop:.1f}x a no-op's ({args.repeat} each, "
          "the faster of two interleaved rounds).")


if __name__ == "__main__":
    asyncio.run(main())
