"""The SDK core's warning of a status query the run-ahead guard failed is one line at INFO;
of a query answered after the server let it go, at DEBUG (off the demo's console); core's
other lines pass as they are (starter/core_logs.py)."""

from __future__ import annotations

import logging
import sys

import pytest

from starter import core_logs
from workflows.run_ahead import RAN_AHEAD

TARGET = "[sdk_core::temporalio_sdk_core::worker::workflow]"  # as core's line is forwarded


def _warned(message: str, level: int = logging.WARNING) -> logging.LogRecord:
    """A record as the runtime's forwarding makes it: target, message, then core's fields."""
    return core_logs.CORE.makeRecord(f"{core_logs.CORE.name}-sdk_core::temporalio_sdk_core",
                                     level, "(sdk-core)", 0, message, (), None)


def test_a_failed_query_of_a_run_ahead_is_one_line_at_info(
    caplog: pytest.LogCaptureFixture,
) -> None:
    failure = (f"Failure {{ message: \"{RAN_AHEAD}\", source: \"PythonSDK\", stack_trace: "
               "\"  File \\\"workflows/run_ahead.py\\\", line 67, in _check\\n    raise "
               "RanAhead(RAN_AHEAD)\\n\", failure_info: ApplicationFailureInfo { r#type: "
               "\"RanAhead\" } }")
    record = _warned(f"{TARGET} Failing legacy query request {{'run_id': 'r1', 'failure': "
                     f"'{failure}'}}")
    with caplog.at_level(logging.INFO, logger=core_logs.CORE.name):
        core_logs.CORE.handle(record)
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("INFO", core_logs.READ_AGAIN)]
    assert "\n" not in caplog.text.strip() and "RanAhead" not in caplog.text


EXPIRED = ("Query not found when attempting to respond to it {'error': 'Status { code: "
           "NotFound, message: \"query task not found, or already expired\", details: [], "
           "metadata: MetadataMap { headers: {} }, source: None }'}")


def test_a_query_answered_after_the_server_let_it_go_is_off_the_console(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The demo's console once showed this warning twice among its progress lines."""
    with caplog.at_level(logging.DEBUG, logger=core_logs.CORE.name):
        core_logs.CORE.handle(_warned(f"{TARGET} {EXPIRED}"))
        core_logs.CORE.handle(_warned(f"{TARGET} {EXPIRED}", logging.ERROR))
    assert [r.levelname for r in caplog.records] == ["DEBUG", "ERROR"]  # an error stays one
    assert all("query task not found" in r.getMessage() for r in caplog.records)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger=core_logs.CORE.name):  # the worker's level
        core_logs.CORE.handle(_warned(f"{TARGET} {EXPIRED}"))
    assert caplog.records == []


@pytest.mark.parametrize("message", [
    "Failing legacy query request {'failure': 'Failure { message: \"boom\" }'}",  # not ours
    "Failed to poll for task: connection refused",
])
def test_other_warnings_of_core_pass_as_they_are(
    message: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger=core_logs.CORE.name):
        core_logs.CORE.handle(_warned(f"{TARGET} {message}"))
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("WARNING", f"{TARGET} {message}")]


def test_a_worker_forwards_cores_lines_to_the_filtered_logger() -> None:
    assert core_logs.LOGGING.forwarding is not None
    assert core_logs.LOGGING.forwarding.logger is core_logs.CORE
    assert any(isinstance(f, core_logs.Quieter) for f in core_logs.CORE.filters)


def _failed(err: Exception) -> logging.LogRecord:
    try:
        raise err
    except Exception:
        return logging.LogRecord("temporalio.activity", logging.WARNING, __file__, 1,
                                 "Completing activity as failed (%s)", ("ids",),
                                 sys.exc_info())


def test_a_repeated_activity_failure_keeps_its_traceback_once_per_period() -> None:
    """A database outage logged a 60-line traceback at every retry of every activity."""
    now = [0.0]
    repeated = core_logs.RepeatedFailures(every=300, clock=lambda: now[0])
    refused = OSError("connection refused\n[SQL: SELECT 1]")
    first, again = _failed(refused), _failed(OSError("connection refused\n[SQL: other]"))
    assert repeated.filter(first) and first.exc_info is not None  # the first: whole
    assert repeated.filter(again) and again.exc_info is None and again.exc_text is None
    assert again.getMessage() == ("Completing activity as failed (ids): OSError: connection "
                                  "refused (again: its traceback is logged once per 5 min)")
    other = _failed(ValueError("bad row"))
    assert repeated.filter(other) and other.exc_info is not None  # another failure: whole
    now[0] = 300.0
    later = _failed(refused)
    assert repeated.filter(later) and later.exc_info is not None  # five minutes on: whole
    plain = logging.LogRecord("temporalio.activity", logging.INFO, __file__, 1, "x", (), None)
    assert repeated.filter(plain) and plain.getMessage() == "x"
