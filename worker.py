"""Run the journey worker (workflows and activities) against a Temporal address.

    python worker.py            # the address, namespace and task queue from settings
    LOAN_JOURNEY_WORKER_ROLE=documents python worker.py    # a reader: document reads only

SIGTERM (`docker stop`) or Ctrl-C stops it gracefully: it stops polling, gives the
activities it runs SHUTDOWN_GRACE to finish, and exits 0. A worker without the codec keys
stops so too once the namespace is declared encrypted, and exits 8 (`stop_when_encrypted`).
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AsyncExitStack, contextmanager
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import typer
from temporalio.client import Client
from temporalio.runtime import Runtime
from temporalio.worker import Worker

from activities import build_activities
from activities.policy import PoliciesInService
from journey import contracts
from journey.settings import Settings
from starter import boundary, core_logs, logs
from starter.boundary import end_process, settings_checked
from starter.errors import SetupError
from starter.keyed_updates import worker_interceptors
from starter.sandbox_bytecode import write_sandbox_bytecode
from starter.start_checks import check_start, policy_in_service
from store import db
from workflows.archivist import HistoryArchivistWorkflow
from workflows.late_feedback import LateFeedbackWorkflow
from workflows.loan_journey import LoanJourneyWorkflow
from workflows.post_loan_review import PostLoanReviewWorkflow
from workflows.run_ahead import RunAheadGuard

if TYPE_CHECKING:
    from activities.health import Probe

WORKFLOWS = [LoanJourneyWorkflow, PostLoanReviewWorkflow, HistoryArchivistWorkflow,
             LateFeedbackWorkflow]
# Below docker-compose.yml's stop_grace_period (60 s), after which docker kills the worker.
SHUTDOWN_GRACE = timedelta(seconds=45)
log = logging.getLogger("worker")


class JourneyWorker:
    """A process's Temporal workers, run together by `async with`: the journey's workflows and
    activities on the task queue; document reading (OCR, CPU-bound) on its documents queue
    with slots of its own, so a burst of uploads never holds the slots that other journeys'
    timing writes, notices and bookings need; and the reads a decision's answer waits for
    on a decisions queue, so that an answer never queues behind those. A worker role
    (`settings.worker_role`) leaves out the documents (role "journeys") or the rest
    ("documents")."""

    def __init__(
        self, journeys: Worker | None, documents: Worker | None, deciding: Worker | None = None
    ) -> None:
        self.journeys, self.documents, self.deciding = journeys, documents, deciding
        self._each = [w for w in (journeys, documents, deciding) if w is not None]
        self._running = AsyncExitStack()

    @property
    def task_queues(self) -> list[str]:
        return [w.task_queue for w in self._each]

    async def __aenter__(self) -> JourneyWorker:
        async with AsyncExitStack() as starting:  # if one cannot start, stop those started
            for worker in self._each:
                await starting.enter_async_context(worker)
            self._running = starting.pop_all()
        return self

    async def __aexit__(self, *exc: Any) -> bool | None:
        # All at once: each gets the whole grace period for its activities. Said once here,
        # not by each of them (the SDK's "Beginning worker shutdown", starter/logs.py).
        grace = self._each[0].config()["graceful_shutdown_timeout"] if self._each else None
        log.info("shutting down: no new tasks from %s; running activities get %s to finish",
                 ", ".join(self.task_queues), grace)
        await asyncio.gather(*(w.shutdown() for w in self._each))
        return await self._running.__aexit__(*exc)


def build_worker(
    client: Client,
    settings: Settings,
    *,
    workflows: Sequence[type] = (),
    activities: Sequence[Callable[..., Any]] = (),
    shutdown_grace: timedelta = timedelta(0),
    policies: PoliciesInService | None = None,
) -> JourneyWorker:
    """The workers for every journey workflow and activity: activities run in a thread pool
    of `settings.activity_slots`, document reads in one of `settings.ocr_slots`, the reads
    a decision waits for (contracts.DECISION_READS) in one of `settings.decision_slots`; once shut
    down, running activities get `shutdown_grace` to finish. `workflows` and `activities` run
    as well: an activity whose function is named like one of the journey's (they are named
    like their methods) runs in its place, which is how tests and the bench stand in for OCR.
    `settings.worker_role` "journeys" leaves the documents queue out, "documents" the rest.
    Every journey pins `policies` (the lending policy at its intake, the post-loan policy at
    its offer), else those read and recorded here (`policy_in_service`: SetupError when they
    cannot be); a reader ("documents") loads none. On a client that encrypts, the journeys
    take updates from keyed senders only (starter/keyed_updates.py)."""
    role = settings.worker_role
    if policies is None and role != "documents":
        policies = policy_in_service(settings)
    replaced = {a.__name__ for a in activities}
    every = [*(a for a in build_activities(settings, policies) if a.__name__ not in replaced),
             *activities]
    # The journeys' queue keeps READ_DOCUMENT too: reads scheduled there before they had a
    # queue of their own (journeys in flight at the upgrade) still find a reader.
    reading = [a for a in every if a.__name__ == contracts.READ_DOCUMENT]
    if role != "documents":  # the sandbox imports these modules again for every new run
        write_sandbox_bytecode([*WORKFLOWS, *workflows])
    journeys = None if role == "documents" else Worker(
        client,
        task_queue=settings.task_queue,
        workflows=[*WORKFLOWS, *workflows],
        activities=every,
        activity_executor=ThreadPoolExecutor(max_workers=settings.activity_slots),
        max_concurrent_activities=settings.activity_slots,
        max_cached_workflows=settings.workflow_cache,
        interceptors=[RunAheadGuard(), *worker_interceptors(client.data_converter)],
        graceful_shutdown_timeout=shutdown_grace,
    )
    documents = None if role == "journeys" else _activity_worker(
        client, contracts.documents_queue(settings.task_queue), reading, settings.ocr_slots,
        shutdown_grace)
    # The journeys' queue keeps these reads too, as it keeps READ_DOCUMENT.
    deciding = None if role == "documents" else _activity_worker(
        client, contracts.decisions_queue(settings.task_queue),
        [a for a in every if a.__name__ in contracts.DECISION_READS], settings.decision_slots,
        shutdown_grace)
    return JourneyWorker(journeys, documents, deciding)


def _activity_worker(client: Client, task_queue: str, activities: list[Callable[..., Any]],
                     slots: int, shutdown_grace: timedelta) -> Worker:
    """A worker of `activities` alone on `task_queue`, `slots` of them at once, each in a
    thread of its own."""
    return Worker(
        client,
        task_queue=task_queue,
        activities=activities,
        activity_executor=ThreadPoolExecutor(max_workers=slots),
        max_concurrent_activities=slots,
        graceful_shutdown_timeout=shutdown_grace,
    )


async def run(settings: Settings | None = None, client: Client | None = None,
              policies: PoliciesInService | None = None) -> None:
    """Run until SIGTERM or SIGINT (in the main thread) or until cancelled, then shut down
    gracefully. A client handed in brings its own runtime, and so its metrics (`up` starts
    them with `metrics_runtime`); without one, the worker connects with `metrics_runtime`'s.
    `policies`: the policies `check_start` loaded (else `build_worker` loads them)."""
    from activities.health import watch_dependencies
    from starter.cluster_checks import require_search_attributes
    from starter.connect import connect
    from starter.delivery_log import deliver_on_start
    from starter.encryption import writes_allowed

    settings = settings or Settings()
    if client is None:
        client = await connect(settings, runtime=metrics_runtime(settings))
    if settings.worker_role != "documents":  # a reader sets no search attribute
        await require_search_attributes(client)
    await writes_allowed(client, "worker not started")  # its results are payloads too
    with stop_signals() as stop:
        async with build_worker(client, settings, shutdown_grace=SHUTDOWN_GRACE,
                                policies=policies) as worker:
            log.info("%s worker polling task queue(s) %s at %s", settings.worker_role,
                     ", ".join(worker.task_queues), settings.temporal_address)
            # acts typed while no worker ran (starter/pending.py); a reader takes none
            delivering = None if settings.worker_role == "documents" else asyncio.create_task(
                deliver_on_start(client, settings))
            checking = None if settings.metrics_port is None else asyncio.create_task(
                watch_dependencies(dependency_probes(client, settings)))
            stopping = asyncio.create_task(stop.wait())
            watching = None if client.data_converter.payload_codec else asyncio.create_task(
                stop_when_encrypted(client))
            try:
                await asyncio.wait([t for t in (stopping, watching) if t is not None],
                                   return_when=asyncio.FIRST_COMPLETED)
            finally:
                for task in (delivering, checking, stopping, watching):
                    if task is not None:
                        task.cancel()
        log.info("stopped")
        if watching is not None and watching.done() and not watching.cancelled():
            watching.result()  # the namespace declared encrypted: CodecError, exit 8


def dependency_probes(client: Client, settings: Settings) -> dict[str, Probe]:
    """What the worker's readiness (/ready, activities/health.py) asks: Temporal, and the
    journey database, which a reader ("documents") does not use: it returns what it read and
    the journey's worker keeps it (workflows/reading.py), so that the process that parses
    customers' files holds neither the database's password nor the archive key, and a
    database outage does not take the readers out of service."""
    from activities.health import database_probe, temporal_probe

    probes = {"temporal": temporal_probe(client)}
    if settings.worker_role != "documents":
        probes["database"] = database_probe(settings.db_url)
    return probes


async def stop_when_encrypted(client: Client) -> None:
    """A keyless worker's watch on the namespace (starter/encryption.py), asked every RECHECK
    seconds: once it is declared encrypted, a `CodecError` saying to set the codec keys, and
    the worker stops polling. Left running, it would take encrypted tasks it cannot decode
    and fail them, attempt after attempt. A server that does not answer is asked again."""
    from temporalio.service import RPCError

    from starter import encryption

    while True:
        await asyncio.sleep(encryption.RECHECK)
        try:
            await encryption.writes_allowed(client, "worker stopped polling")
        except RPCError as err:
            log.warning("could not ask whether namespace %s is encrypted: %s",
                        client.namespace, err)


def metrics_runtime(settings: Settings) -> Runtime | None:
    """With `metrics_port` set, a runtime that serves the SDK's metrics on that port, and the
    journey's served on the next one; None (the SDK's default runtime) without."""
    if settings.metrics_port is None:
        return None
    from activities.metrics import start_worker_metrics

    port = settings.metrics_port
    try:
        runtime, _server = start_worker_metrics(port, str(settings.metrics_host),
                                                logs=core_logs.LOGGING)
    except (ValueError, OSError) as err:  # the SDK's exporter says ValueError, ours OSError
        raise SetupError(
            f"cannot serve the metrics on {settings.metrics_host}, ports {port} and {port + 1}: "
            f"{err}; set LOAN_JOURNEY_METRICS_PORT to a port that is free, and the one after "
            "it, and LOAN_JOURNEY_METRICS_HOST to an address of this machine"
        ) from err
    return runtime


@contextmanager
def stop_signals() -> Iterator[asyncio.Event]:
    """An event that SIGTERM and SIGINT set, from before the worker polls. Python as a
    container's PID 1 ignores a SIGTERM it has no handler for: docker would wait out its grace
    period and kill the worker mid-task."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    main = threading.current_thread() is threading.main_thread()
    signals = (signal.SIGTERM, signal.SIGINT) if main else ()
    for sig in signals:
        loop.add_signal_handler(sig, stop.set)
    try:
        yield stop
    finally:
        for sig in signals:
            loop.remove_signal_handler(sig)


def log_to_stderr(settings: Settings) -> None:
    """A worker's process's lines on stderr (the queues it polls, the pending instructions it
    delivers, "stopped"), each with its time, level and logger, at the settings' level and in
    their format (starter/logs.py: text, or JSON for a log shipper)."""
    logs.configure(settings.log_level, settings.log_format)
    core_logs.forward()  # the SDK core's lines too, a run-ahead's failed query as one line


async def checked_run(settings: Settings) -> None:
    """`run`, once the data directory and the policy files are found usable (SetupError)."""
    await run(settings, policies=check_start(settings))


def main() -> None:
    """`python worker.py`, as the image runs it: a setting that is wrong, or a Temporal server
    it cannot reach, ends it with the project's message and exit code, not a traceback."""
    try:
        with settings_checked():
            settings = Settings()
            db.migrate_on_start(settings.migrate_on_start)
            log_to_stderr(settings)
            boundary.run(checked_run(settings))
    except typer.Exit as done:
        end_process(done.exit_code)
    end_process(0)


if __name__ == "__main__":
    main()
