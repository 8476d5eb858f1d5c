"""A worker's log lines, set up in one place (`configure`) for `python worker.py`, `loan-journey
worker` and `up`: on stderr, at LOAN_JOURNEY_LOG_LEVEL, as text for people or as JSON for a log
shipper (LOAN_JOURNEY_LOG_FORMAT).

JSON is one object a line (time, level, logger, message, and the exception's traceback as one
string): a shipper that splits on newlines would cut a text traceback into ~60 records of no
level. Two libraries' lines that say nothing an operator acts on are quieted: Alembic's
"Context impl PostgresqlImpl." and "Will assume transactional DDL." at every start (twice:
one migration context checks the revision, another upgrades), and the SDK's "Beginning worker
shutdown", once for each of a process's workers (one a task queue: journeys, documents,
decisions), which the worker says once itself. An activity's failure repeated at every retry
keeps its traceback once per 5 minutes (starter/core_logs.py `RepeatedFailures`).
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from journey.settings import LogFormat
from starter.core_logs import Quieter, RepeatedFailures

TEXT = "%(asctime)s %(levelname)s %(name)s %(message)s"
# the SDK's logger of a worker's life, and its line said by each worker of the process
SDK_WORKER = logging.getLogger("temporalio.worker._worker")
_SDK_QUIETER = Quieter(SDK_WORKER, {"Beginning worker shutdown": logging.DEBUG})
# an activity failing the same way at every retry, which the SDK logs with its traceback at
# each: its traceback once per 5 minutes, one line between
SDK_ACTIVITY = logging.getLogger("temporalio.activity")
_REPEATS = RepeatedFailures()


class JsonLines(logging.Formatter):
    """One JSON object a record, on one line: newlines in the message or the traceback are
    escaped by JSON, so that each record stays one line whatever it holds."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False)


def formatter(log_format: LogFormat) -> logging.Formatter:
    return JsonLines() if log_format == "json" else logging.Formatter(TEXT)


def configure(level: str, log_format: LogFormat) -> None:
    """The root logger's handler on stderr in `log_format`, at `level`, as `basicConfig`
    does (nothing, where a handler is set already: a test's); the quieted lines quieted."""
    handler = logging.StreamHandler()
    handler.setFormatter(formatter(log_format))
    logging.basicConfig(level=level, handlers=[handler])
    logging.getLogger("alembic").setLevel(logging.WARNING)
    SDK_WORKER.addFilter(_SDK_QUIETER)  # once: a filter added again is not added twice
    SDK_ACTIVITY.addFilter(_REPEATS)
