"""A test that sets up a worker's logs in its own process (`loan-journey up` through
CliRunner, tests/e2e/test_encryption_required.py, reaches starter/logs.py `configure`) leaves
the next test of that process the logging it found: `configure`'s repeated-failures filter,
left on the SDK's activity logger, had seen a failure and cut the first traceback that
another test (tests/e2e/test_readiness.py's outage test) expected.

The two tests run in this order in one process (a file is one pytest-xdist process's): the
first configures as the command does, the second finds nothing of it left."""

from __future__ import annotations

from starter import logs
from starter.core_logs import Quieter, RepeatedFailures


def test_a_command_sets_up_a_worker_s_logs_in_the_test_process() -> None:
    logs.configure("INFO", "json")
    assert any(isinstance(f, RepeatedFailures) for f in logs.SDK_ACTIVITY.filters)
    assert any(isinstance(f, Quieter) for f in logs.SDK_WORKER.filters)


def test_the_next_test_finds_the_logging_it_would_have_found_alone() -> None:
    assert not any(isinstance(f, RepeatedFailures) for f in logs.SDK_ACTIVITY.filters)
    assert not any(isinstance(f, Quieter) for f in logs.SDK_WORKER.filters)
