"""Heartbeats for a long synchronous activity (a document read): a thread beats every quarter
of the activity's heartbeat timeout while the work runs, so that Temporal retries the activity
soon after its worker dies (kill -9, a lost node) instead of after its start-to-close timeout.
An activity scheduled without a heartbeat timeout runs as it is.
"""

from __future__ import annotations

import contextvars
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from temporalio import activity

log = logging.getLogger(__name__)


@contextmanager
def heartbeating() -> Iterator[None]:
    timeout = activity.info().heartbeat_timeout
    if not timeout:
        yield
        return
    every = timeout.total_seconds() / 4
    stop = threading.Event()
    context = contextvars.copy_context()  # the activity's, which `heartbeat` reads

    def beat() -> None:
        while not stop.wait(every):
            try:
                context.run(activity.heartbeat)
            except Exception:  # the worker's loop did not take it in time: beat on
                log.warning("a heartbeat was not sent; the next may be", exc_info=True)

    beater = threading.Thread(target=beat, name="activity-heartbeat", daemon=True)
    beater.start()
    try:
        yield
    finally:
        stop.set()
        beater.join()
