"""A worker an orchestrator can probe (activities/health.py): on the journey's metrics port,
/healthz answers while the process serves, /ready only while Temporal and the journey
database answer (503 naming what is down otherwise), and any other path is 404; the same
check sets `journey_dependency_up`, which the alerts read. And the outage's log: a failure
repeated at every retry keeps its traceback once (starter/core_logs.RepeatedFailures)."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Callable
from contextlib import AsyncExitStack
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from temporalio.service import RPCError, RPCStatusCode
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.health import (
    Readiness,
    database_probe,
    serve,
    temporal_probe,
    watch_dependencies,
)
from activities.metrics import JOURNEY_METRICS_PORT_OFFSET
from journey.settings import Settings
from starter import core_logs
from starter.embedded import embedded_server
from tests.e2e.processes import eventually, polling, worker_process
from tests.e2e.test_prometheus_alerts import WritesToAStoreThatIsDown, store_unreachable
from tests.ports import free_port, free_port_pair
from worker import dependency_probes

pytestmark = pytest.mark.e2e


async def get(url: str) -> httpx.Response:
    async with httpx.AsyncClient() as http:
        return await http.get(url, timeout=5)


async def readiness_is(base: str, status: int) -> dict | None:
    """/ready's body once it answers `status`."""
    answer = await get(f"{base}/ready")
    return json.loads(answer.text) if answer.status_code == status else None


async def test_a_worker_is_ready_while_temporal_answers_and_not_once_it_stops(
    tmp_path: Path,
) -> None:
    """A real worker process on a Temporal server of the test's own: ready, live, the
    gauges at 1, 404 elsewhere; the server stops: not ready, naming temporal, yet live."""
    settings = Settings(
        data_dir=tmp_path / "data", temporal_address=f"127.0.0.1:{free_port()}",
        ui_port=free_port(), task_queue=f"ready-{uuid.uuid4()}",
    )
    port = free_port_pair(JOURNEY_METRICS_PORT_OFFSET)
    base = f"http://127.0.0.1:{port + JOURNEY_METRICS_PORT_OFFSET}"
    async with AsyncExitStack() as server:
        await server.enter_async_context(embedded_server(settings))
        with worker_process(settings, "journeys", tmp_path / "worker.log",
                            {"LOAN_JOURNEY_METRICS_PORT": str(port)}) as worker:
            await polling(worker, tmp_path / "worker.log")
            assert await eventually("ready", lambda: readiness_is(base, 200)) == {"ready": True}
            assert (await get(f"{base}/healthz")).status_code == 200
            for path in ("/", "/nope", "/metrics/x", "/readyz"):
                assert (await get(f"{base}{path}")).status_code == 404, path
            page = (await get(f"{base}/metrics")).text
            assert 'journey_dependency_up{dependency="database"} 1.0' in page
            assert 'journey_dependency_up{dependency="temporal"} 1.0' in page
            assert "_created" not in page  # finding 13: no doubled series

            await server.aclose()  # Temporal stops; the worker runs on
            down = await eventually("not ready", lambda: readiness_is(base, 503), seconds=30)
            assert down["ready"] is False and set(down["down"]) == {"temporal"}, down
            assert (await get(f"{base}/healthz")).status_code == 200
            page = (await get(f"{base}/metrics")).text
            assert 'journey_dependency_up{dependency="temporal"} 0.0' in page
            assert 'journey_dependency_up{dependency="database"} 1.0' in page
        log = (tmp_path / "worker.log").read_text(errors="replace")
        assert log.count("temporal is unreachable") == 1, log  # once, not every check


async def test_not_ready_while_the_journey_database_is_unreachable(
    dev_server: WorkflowEnvironment,
) -> None:
    """The worker's probes against a live Temporal and a PostgreSQL URL whose port nothing
    listens on: /ready is 503 naming the database alone, and stays so check after check."""
    readiness = Readiness()
    url = f"postgresql+psycopg://journey:secret@127.0.0.1:{free_port()}/loan_journey"
    probes = {"temporal": temporal_probe(dev_server.client),
              "database": database_probe(url, timeout=2)}
    server = serve(0, "127.0.0.1", readiness=readiness)
    base = f"http://127.0.0.1:{server.server_port}"
    checking = asyncio.create_task(watch_dependencies(probes, every=0.2, readiness=readiness))
    try:
        assert (await get(f"{base}/ready")).status_code == 503  # starting, or down
        down = await eventually("checked", lambda: _checked(base))
        assert set(down["down"]) == {"database"}, down
        assert "secret" not in json.dumps(down)  # the password is never shown
        await asyncio.sleep(0.5)  # a few checks later, still down
        assert set((await readiness_is(base, 503) or {})["down"]) == {"database"}
    finally:
        checking.cancel()
        await asyncio.gather(checking, return_exceptions=True)
        server.shutdown()
    assert readiness.answer()[0].startswith("503")  # stopped checking: not ready


class _Frontend:
    """A client's namespace and workflow service whose describe calls fail as `answers`
    says, one a call (None: answered), and are counted."""

    def __init__(self, *answers: Exception | None) -> None:
        self.namespace, self.workflow_service = "default", self
        self.answers, self.calls = list(answers), 0

    async def describe_namespace(self, request: object, timeout: timedelta) -> None:
        self.calls += 1
        answer = self.answers.pop(0)
        if answer is not None:
            raise answer


LOST = RPCError("operation was canceled", RPCStatusCode.CANCELLED, b"")
REFUSED = RPCError("tcp connect error: Connection refused", RPCStatusCode.UNAVAILABLE, b"")


async def test_a_call_to_a_live_temporal_lost_on_the_way_is_made_again_in_the_same_check(
) -> None:
    """A live server's answer lost once (seen under load in a full run) is no outage: the
    probe calls again within its timeout; a server that refuses is down, named."""
    live = _Frontend(LOST, None)
    assert await temporal_probe(live)() is None and live.calls == 2
    down = _Frontend(REFUSED, REFUSED)
    assert await temporal_probe(down)() == (
        "RPCError: tcp connect error: Connection refused") and down.calls == 2
    assert await temporal_probe(_Frontend(None))() is None


async def _checked(base: str) -> dict | None:
    body = await readiness_is(base, 503)
    return body if body and body["down"] != "starting" else None


async def test_an_outage_logs_its_traceback_once_and_a_line_per_retry_after(
    dev_server: WorkflowEnvironment, caplog: pytest.LogCaptureFixture
) -> None:
    """The SDK logs each failed attempt with its traceback; with the worker's filter
    (starter/logs.py `configure`), the first keeps it and every retry after is one line."""
    logger = logging.getLogger("temporalio.activity")
    repeated = core_logs.RepeatedFailures()
    # this filter alone: another one a process set up before (starter/logs.py `configure`
    # keeps one for the process) may have seen this failure within its 5 minutes
    others = [f for f in logger.filters if isinstance(f, core_logs.RepeatedFailures)]
    for other in others:
        logger.removeFilter(other)
    logger.addFilter(repeated)
    queue = f"outage-{uuid.uuid4()}"
    failed: list[logging.LogRecord] = []

    def attempts() -> list[logging.LogRecord]:
        return [r for r in caplog.records if r.name == logger.name
                and "Completing activity as failed" in r.getMessage()]

    try:
        with caplog.at_level(logging.WARNING, logger=logger.name):
            async with Worker(dev_server.client, task_queue=queue,
                              workflows=[WritesToAStoreThatIsDown],
                              activities=[store_unreachable]):
                handle = await dev_server.client.start_workflow(
                    WritesToAStoreThatIsDown.run, id=queue, task_queue=queue)
                try:
                    await eventually("four attempts", lambda: _at_least(attempts, 4))
                finally:
                    await handle.terminate("test finished")
            failed = attempts()
    finally:
        logger.removeFilter(repeated)
        for other in others:
            logger.addFilter(other)
    assert failed[0].exc_info is not None
    again = "RuntimeError: the journey database cannot be reached"
    assert all(r.exc_info is None and again in r.getMessage()
               for r in failed[1:]), [r.getMessage() for r in failed]


async def _at_least(records: Callable[[], list[logging.LogRecord]], n: int) -> bool:
    return len(records()) >= n



async def test_a_reader_holds_no_journey_database_and_is_ready_without_one(
    dev_server: WorkflowEnvironment, e2e_settings: Settings, tmp_path: Path
) -> None:
    """A reader ("documents") parses the customers' files and keeps no reading (the journeys'
    worker does, workflows/reading.py): a real reader process without a database starts, is
    ready on Temporal alone, sets no database gauge and makes no SQLite journey database in
    its data directory; given a database nothing answers, it would not ask it either."""
    settings = e2e_settings.model_copy(update={
        "data_dir": tmp_path / "data", "task_queue": f"ready-{uuid.uuid4()}"})
    nowhere = f"postgresql+psycopg://journey:secret@127.0.0.1:{free_port()}/loan_journey"
    assert set(dependency_probes(dev_server.client, settings.model_copy(update={
        "worker_role": "documents", "database_url": nowhere}))) == {"temporal"}
    port = free_port_pair(JOURNEY_METRICS_PORT_OFFSET)
    base = f"http://127.0.0.1:{port + JOURNEY_METRICS_PORT_OFFSET}"
    with worker_process(settings, "documents", tmp_path / "reader.log",
                        {"LOAN_JOURNEY_METRICS_PORT": str(port)}) as reader:
        await polling(reader, tmp_path / "reader.log")
        assert await eventually("ready", lambda: readiness_is(base, 200)) == {"ready": True}
        page = (await get(f"{base}/metrics")).text
        assert 'journey_dependency_up{dependency="temporal"} 1.0' in page
        assert 'dependency="database"' not in page
    assert not (settings.data_dir / "journey.db").exists()
