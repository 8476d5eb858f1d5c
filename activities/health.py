"""Liveness and readiness of a worker, served on the journey's metrics port beside /metrics.

- `/healthz`: 200 while the process serves (liveness: restart it only when this fails);
- `/ready`: 200 only when the worker polls and its last check reached each dependency it
  needs, 503 otherwise with a one-line JSON body naming what is down (readiness: an
  orchestrator's healthcheck, a load balancer);
- `/metrics`: the journey's metrics (activities/metrics.py); any other path: 404.

A database or Temporal outage left /metrics at 200 and the container "healthy", and only
ActivitiesKeepFailing (15 minutes) saw it. So a background task (`watch_dependencies`) asks
each dependency every CHECK_EVERY seconds, each with a short timeout, and /ready answers from
its last result: a probe per request would let a scraper or healthcheck load the database.
The same check sets `journey_dependency_up{dependency}`, which the alerts read
(JourneyDatabaseUnreachable, WorkersCannotReachTemporal).
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import threading
from collections.abc import Awaitable, Callable, Iterable
from datetime import timedelta
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import REGISTRY, CollectorRegistry, Gauge, make_wsgi_app
from prometheus_client.exposition import ThreadingWSGIServer

CHECK_EVERY = 5.0
"""Seconds between two checks of the dependencies."""
CHECK_TIMEOUT = 3.0
"""Seconds a dependency has to answer before it counts as down."""
AGAIN_WITHIN = 0.5
"""Seconds of its CHECK_TIMEOUT the Temporal probe needs left to call again (`temporal_probe`)."""

DEPENDENCY_UP = Gauge(
    "journey_dependency_up",
    "Whether this worker's last check reached the dependency (1) or not (0).",
    ["dependency"],
)
log = logging.getLogger("health")
Probe = Callable[[], Awaitable[str | None]]
"""Asks one dependency: None when it answered, else why not (one short line)."""


class Readiness:
    """The last check's result, shared between the worker's event loop (which writes it) and
    the HTTP server's threads (which read it). Not ready before the first check."""

    def __init__(self) -> None:
        self._down: dict[str, str] | None = None
        self._lock = threading.Lock()

    def report(self, results: dict[str, str | None]) -> None:
        """Records a check (dependency: None if up, else why not), sets the gauges, and logs
        a dependency that went down or came back, once: not each check."""
        down = {name: why for name, why in results.items() if why is not None}
        with self._lock:
            before, self._down = self._down, down
        for name, why in results.items():
            DEPENDENCY_UP.labels(dependency=name).set(0 if why else 1)
            was_down = before is not None and name in before
            if why and not was_down:
                log.warning("%s is unreachable: %s", name, why)
            elif not why and was_down:
                log.info("%s answers again", name)

    def starting(self) -> None:
        """Not ready: the worker stopped polling (or has not started to)."""
        with self._lock:
            self._down = None

    def answer(self) -> tuple[str, str]:
        """The HTTP status line and one-line body /ready answers."""
        with self._lock:
            down = self._down
        if down is None:
            return "503 Service Unavailable", json.dumps({"ready": False, "down": "starting"})
        if down:
            return "503 Service Unavailable", json.dumps({"ready": False, "down": down})
        return "200 OK", json.dumps({"ready": True})


READINESS = Readiness()


def health_app(registry: CollectorRegistry = REGISTRY,
               readiness: Readiness = READINESS) -> Callable[..., Iterable[bytes]]:
    """The WSGI app of the journey's port: /metrics, /healthz, /ready, else 404."""
    metrics = make_wsgi_app(registry)

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/metrics":
            return metrics(environ, start_response)
        if path == "/healthz":
            status, body = "200 OK", "ok"
        elif path == "/ready":
            status, body = readiness.answer()
        else:
            status, body = "404 Not Found", "not found: /metrics, /healthz or /ready"
        start_response(status, [("Content-Type", "text/plain; charset=utf-8")])
        return [body.encode() + b"\n"]

    return app


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """A request is no log line: a healthcheck asks every few seconds."""


def serve(port: int, host: str, registry: CollectorRegistry = REGISTRY,
          readiness: Readiness = READINESS) -> WSGIServer:
    """`health_app` on `host:port` from a daemon thread, as prometheus_client serves."""
    class Server(ThreadingWSGIServer):
        address_family = socket.AF_INET6 if ":" in host else socket.AF_INET

    server = make_server(host, port, health_app(registry, readiness), Server, _Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def temporal_probe(client: Any, timeout: float = CHECK_TIMEOUT) -> Probe:
    """Describes the client's namespace: reaches the frontend, and the namespace and the
    credentials the worker polls with (a cheaper RPC would pass with a revoked API key).

    A call that fails before its time is up is made once more at once, in the time left:
    a live dev server's answer was once lost on a loaded machine ("operation was canceled",
    the client transport's word for a call its connection dropped), and that one call named
    Temporal down, which takes a working worker out of its orchestrator's service until the
    next check. A server that is down refuses both calls at once, and one that does not
    answer is down after `timeout`, as before: no check waits longer for either."""
    from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest

    async def call(seconds: float) -> str | None:
        try:
            await asyncio.wait_for(client.workflow_service.describe_namespace(
                DescribeNamespaceRequest(namespace=client.namespace),
                timeout=timedelta(seconds=seconds)), seconds + 1)
        except Exception as err:  # any failure is "down", named
            return _why(err)
        return None

    async def probe() -> str | None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        why = await call(timeout)
        if why is not None and (left := deadline - loop.time()) >= AGAIN_WITHIN:
            why = await call(left)
        return why

    return probe


def database_probe(url: str, timeout: float = CHECK_TIMEOUT) -> Probe:
    """`SELECT 1` on the journey database, in a thread. A probe that hangs (a host that
    drops packets) is awaited again by the next checks rather than joined by new threads."""
    running: list[asyncio.Future[None]] = []

    def select_one() -> None:
        from sqlalchemy import text

        from store.db import engine_for

        with engine_for(url).connect() as conn:
            conn.execute(text("SELECT 1"))

    async def probe() -> str | None:
        if not running or running[0].done():
            running[:] = [asyncio.ensure_future(asyncio.to_thread(select_one))]
        try:
            await asyncio.wait_for(asyncio.shield(running[0]), timeout)
        except TimeoutError:
            return f"no answer in {timeout:g} s"
        except Exception as err:  # any failure is "down", named
            return _why(err)
        return None

    return probe


async def watch_dependencies(probes: dict[str, Probe], every: float = CHECK_EVERY,
                             readiness: Readiness = READINESS) -> None:
    """Checks every dependency at once, every `every` seconds, until cancelled; then the
    worker is not ready."""
    try:
        while True:
            results = await asyncio.gather(*(probe() for probe in probes.values()))
            readiness.report(dict(zip(probes, results, strict=True)))
            await asyncio.sleep(every)
    finally:
        readiness.starting()


def _why(err: BaseException) -> str:
    """The error's type and first line: no traceback, and no SQL or URL after it."""
    first = (str(err).strip().splitlines() or [""])[0][:200]
    return f"{type(err).__name__}: {first}" if first else type(err).__name__


__all__ = ["CHECK_EVERY", "CHECK_TIMEOUT", "DEPENDENCY_UP", "READINESS", "Readiness",
           "database_probe", "health_app", "serve", "temporal_probe", "watch_dependencies"]
