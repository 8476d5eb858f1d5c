"""Run the journey worker (workflows and activities) against a Temporal address.

    python worker.py            # the address, namespace and task queue from settings
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from temporalio.client import Client
from temporalio.worker import Worker

from activities import build_activities
from journey.settings import Settings
from workflows.loan_journey import LoanJourneyWorkflow
from workflows.post_loan_review import PostLoanReviewWorkflow
from workflows.run_ahead import RunAheadGuard

WORKFLOWS = [LoanJourneyWorkflow, PostLoanReviewWorkflow]


def build_worker(
    client: Client,
    settings: Settings,
    *,
    max_activities: int = 8,
    workflows: Sequence[type] = (),
    activities: Sequence[Callable[..., Any]] = (),
) -> Worker:
    """A worker for every journey workflow and activity; activities run in a thread pool of
    `max_activities`. `workflows` and `activities` run as well: an activity whose function is
    named like one of the journey's (they are named like their methods) runs in its place,
    which is how tests and the bench stand in for OCR."""
    replaced = {a.__name__ for a in activities}
    journey = [a for a in build_activities(settings) if a.__name__ not in replaced]
    return Worker(
        client,
        task_queue=settings.task_queue,
        workflows=[*WORKFLOWS, *workflows],
        activities=[*journey, *activities],
        activity_executor=ThreadPoolExecutor(max_workers=max_activities),
        max_concurrent_activities=max_activities,
        max_cached_workflows=settings.workflow_cache,
        interceptors=[RunAheadGuard()],
    )


async def run(settings: Settings | None = None, client: Client | None = None) -> None:
    """Run until cancelled. With `metrics_port` set (and no client handed in), the SDK's
    metrics are served on that port and the journey's on the next one."""
    from starter.connect import connect

    settings = settings or Settings()
    if client is None:
        runtime = None
        if settings.metrics_port is not None:
            from activities.metrics import start_worker_metrics

            runtime, _server = start_worker_metrics(settings.metrics_port)
        client = await connect(settings, runtime=runtime)
    await build_worker(client, settings).run()


def main() -> None:
    asyncio.run(run())


if __name__ == "__main__":
    main()
