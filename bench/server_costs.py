"""What a phase of the journey bench cost: CPU seconds of the dev server and the worker
processes (from /proc), and the server's own request counters (its Prometheus endpoint).

Ratios of throughput say how fast; these say why: on a saturated machine a workflow whose
transitions cost the server more CPU gets fewer of them per second.
"""

from __future__ import annotations

import asyncio
import os
import re
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

SAMPLE = re.compile(r'^(\w+)\{([^}]*)\} ([0-9.e+-]+)$')
LABEL = re.compile(r'(\w+)="([^"]*)"')
PUBLISHED = 1.5  # seconds until the dev server's request counters include a request
# (metric family, service or "" for any) -> the row's name in the table
COUNTED = {
    ("service_requests", "frontend"): "frontend requests",
    ("persistence_requests", ""): "persistence requests",
    ("visibility_persistence_requests", ""): "visibility writes and reads",
}
SHOWN_FRONTEND = ("StartWorkflowExecution", "UpdateWorkflowExecution", "QueryWorkflow",
                  "DescribeWorkflowExecution", "CreateSchedule", "DeleteSchedule",
                  "RespondWorkflowTaskCompleted", "RespondActivityTaskCompleted")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process so far (Linux /proc)."""
    stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")


def server_pid(port: int) -> int:
    """The `temporal server start-dev` process listening on `port`."""
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            argv = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"start-dev" in argv and str(port).encode() in argv:
            return int(proc.name)
    raise RuntimeError(f"no `temporal server start-dev` process with port {port}")


def scrape(metrics_port: int) -> Counter[str]:
    """Request counters by `family operation`, summed over namespaces."""
    url = f"http://127.0.0.1:{metrics_port}/metrics"
    with urllib.request.urlopen(url, timeout=10) as reply:
        text = reply.read().decode()
    counts: Counter[str] = Counter()
    for line in text.splitlines():
        m = SAMPLE.match(line)
        if not m:
            continue
        labels = dict(LABEL.findall(m.group(2)))
        for (family, service), _ in COUNTED.items():
            if m.group(1) == family and service in ("", labels.get("service_name")):
                counts[f"{family} {labels.get('operation', '?')}"] += float(m.group(3))
    return counts


@dataclass
class Costs:
    """CPU seconds and server requests of one phase."""

    server_cpu: float = 0.0
    worker_cpu: float = 0.0
    requests: Counter[str] = field(default_factory=Counter)
    bench_cpu: float = 0.0  # the bench's own process: starting workflows, acting as people


@dataclass
class Meter:
    """Reads the costs before and after a phase."""

    metrics_port: int
    server: int
    workers: list[int]

    async def read(self) -> Costs:
        """CPU now; the request counters once the server has published them (it does so
        about once a second, so a scrape at once misses the last second's requests and
        counts them in the next phase)."""
        server, workers = cpu_seconds(self.server), sum(cpu_seconds(p) for p in self.workers)
        bench = time.process_time()
        await asyncio.sleep(PUBLISHED)
        return Costs(server, workers, scrape(self.metrics_port), bench)

    @staticmethod
    def spent(before: Costs, after: Costs) -> Costs:
        return Costs(after.server_cpu - before.server_cpu, after.worker_cpu - before.worker_cpu,
                     after.requests - before.requests, after.bench_cpu - before.bench_cpu)


def table(rows: list[tuple[str, Costs, int, int]]) -> str:
    """Per workflow and per transition, for each (label, costs, workflows, transitions)."""
    out = ["| per workflow | " + " | ".join(label for label, *_ in rows) + " |",
           "|---|" + "---:|" * len(rows)]

    def line(name: str, values: list[float], fmt: str) -> None:
        out.append(f"| {name} | " + " | ".join(format(v, fmt) for v in values) + " |")

    line("server CPU ms", [c.server_cpu * 1000 / n for _, c, n, _ in rows], ".0f")
    line("server CPU ms per transition", [c.server_cpu * 1000 / t for _, c, _, t in rows], ".2f")
    line("worker CPU ms per transition", [c.worker_cpu * 1000 / t for _, c, _, t in rows], ".2f")
    line("bench (its own process) CPU ms", [c.bench_cpu * 1000 / n for _, c, n, _ in rows], ".0f")
    for (family, _), name in COUNTED.items():
        line(name, [sum(v for k, v in c.requests.items() if k.startswith(family + " ")) / n
                    for _, c, n, _ in rows], ".1f")
    for op in SHOWN_FRONTEND:
        line(f"- frontend {op}", [c.requests[f"service_requests {op}"] / n
                                  for _, c, n, _ in rows], ".1f")
    return "\n".join(out)
