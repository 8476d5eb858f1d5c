"""The SDK core's log lines through Python logging, beside the worker's own.

Core (the SDK's Rust side) writes its warnings straight to stderr unless a runtime forwards
them to a Python logger. Forwarded, one of them is quieted: the run-ahead guard
(workflows/run_ahead.py) fails a status query that met a journey running ahead of its
history, on purpose, so that the reader asks again; core then warns "Failing legacy query
request" with that failure and its stack trace. That one becomes one line at INFO. And
core's warnings that are no one's to act on go down to DEBUG (`QUIETER`), off the console
of the demo and the worker (INFO): a status query the reader stopped waiting for, answered
after the server let it go ("Query not found when attempting to respond to it ... query
task not found, or already expired"), where the reader's own timeout is what it is told.
Every other line of core's, and any of these at ERROR, passes as it is.

Replays (`verify`, `archive verify`) have a runtime of their own, forwarding to REPLAY: core
would print its colour-coded lines on the terminal, into an auditor's report. A replay that
fails is core's warning "Failing workflow task", which the replay's report says better: that
one is quieted to DEBUG the same way (`REPLAY_QUIETER`); the rest reach Python logging
(stderr, where no handler is set).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from functools import cache

from temporalio.runtime import (
    LogForwardingConfig,
    LoggingConfig,
    Runtime,
    TelemetryConfig,
    TelemetryFilter,
)

from workflows.run_ahead import RAN_AHEAD

CORE = logging.getLogger("temporalio.core")
# the SDK's default levels (core WARN, the rest ERROR), forwarded to CORE
LOGGING = LoggingConfig(filter=TelemetryFilter(core_level="WARN", other_level="ERROR"),
                        forwarding=LogForwardingConfig(logger=CORE))
REPLAY = logging.getLogger("temporalio.core.replay")
READ_AGAIN = "a status read met a journey running ahead of its history; the reader asks again"
_FAILED_QUERY = "Failing legacy query request"
_FAILED_TASK = "Failing workflow task"
# core's warnings, by a fragment of their text, and the level each is logged at instead
QUIETER = {"Query not found when attempting to respond to it": logging.DEBUG}
REPLAY_QUIETER = {_FAILED_TASK: logging.DEBUG}  # a replay's failure, which its report says


class Quieter(logging.Filter):
    """Core's warnings of `quieter` at their level there, unless core said them as errors;
    on CORE, the warning of a query the run-ahead guard failed as one line at INFO."""

    def __init__(self, logger: logging.Logger, quieter: dict[str, int]) -> None:
        super().__init__()
        self.logger, self.quieter = logger, quieter

    def filter(self, record: logging.LogRecord) -> bool:
        said = record.getMessage()
        if _FAILED_QUERY in said and RAN_AHEAD in said:
            record.levelno, record.levelname = logging.INFO, "INFO"
            record.msg, record.args = READ_AGAIN, ()
            record.exc_info, record.exc_text = None, None
        elif record.levelno < logging.ERROR:
            for fragment, level in self.quieter.items():
                if fragment in said:
                    record.levelno, record.levelname = level, logging.getLevelName(level)
        # as if logged at its new level: the handlers above (the worker's, on the root at
        # INFO) print what reaches them, whatever their logger's level
        return self.logger.isEnabledFor(record.levelno)


CORE.addFilter(Quieter(CORE, QUIETER))
REPLAY.addFilter(Quieter(REPLAY, REPLAY_QUIETER))


class RepeatedFailures(logging.Filter):
    """An activity's failure, which the SDK logs with its traceback at every retry: a
    database outage wrote a 60-line traceback per attempt, 2,813 lines in 65 s. The same
    failure (its type and first line) keeps its traceback once per `every` seconds; between,
    one line that names it."""

    def __init__(self, every: float = 300.0, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.every, self.clock = every, clock
        self._shown: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        err = record.exc_info[1] if record.exc_info else None
        if err is None:
            return True
        key = (type(err).__name__, (str(err).strip().splitlines() or [""])[0][:200])
        now = self.clock()
        with self._lock:
            if len(self._shown) > 1000:  # errors whose text varies: forget, never grow
                self._shown.clear()
            last = self._shown.get(key)
            if last is None or now - last >= self.every:
                self._shown[key] = now
                return True
        record.msg = (f"{record.getMessage()}: {key[0]}: {key[1]} (again: its traceback is "
                      f"logged once per {self.every / 60:g} min)")
        record.args, record.exc_info, record.exc_text = (), None, None
        return True


@cache
def forward() -> None:
    """Have this process's default runtime forward core's lines to CORE, once: called as
    the process sets up its logging, before a client connects."""
    Runtime.set_default(Runtime(telemetry=TelemetryConfig(logging=LOGGING)),
                        error_if_already_set=False)


@cache
def replay_runtime() -> Runtime:
    """The runtime replays run on: core's lines forwarded to REPLAY, never on the terminal."""
    return Runtime(telemetry=TelemetryConfig(logging=LoggingConfig(
        filter=LOGGING.filter, forwarding=LogForwardingConfig(logger=REPLAY))))
