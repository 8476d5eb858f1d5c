"""Throw away a query-task run-ahead: the query fails, the journey does not run ahead.

The defect this guards against (Python SDK / sdk-core, upstream temporalio/sdk-core#589
family; reproduced alone in tests/e2e/test_run_ahead.py, seen in tests/chaos): a status
query handed to a worker as a query task carries the history as it is when the worker polls,
which may end in new events (an activity completed, a timer fired) and a workflow task
scheduled but not started. Core applies those events live inside the query task, whether it
rebuilds the run for the query or holds it in its cache: the workflow runs ahead, with the
time of its previous task (core moves workflow time only when a task starts), and its
commands wait in the worker for the real workflow task. So the run-ahead stamps its timing
events with a time earlier than a replay of the history gives, and an update that arrives
with the real task is accepted after the run-ahead's commands; a replay applies updates
before activity results (the SDK's job order within one activation), writes the acceptance
first and fails as nondeterministic (TMPRL1100 "Update machine does not handle this event"):
the history no longer replays, and after the next worker restart the workflow stops for good.

The server opens the window: it hands a query to matching as a query task only while the run
has no workflow task pending or started, and events may arrive between that and a worker's
poll. Until a run's first workflow task has completed it never does (the query rides on that
task; temporalio/temporal service/history/api/queryworkflow/api.go), so a new run, continued
as new, cannot run ahead before its first activation, where the guard has none to compare.

The run-ahead leaves a mark: an activation that applies new events (a new history length) at
the time of the activation before it. This interceptor watches every activation (as a wait
condition, which the SDK evaluates in every activation with jobs, and in each update
validator, which sees an activation of refused updates only too) and fails the run-ahead's
activation. Core then answers the query with that failure (`RAN_AHEAD`; `operations.status`
asks again) and drops the run from its cache; the real workflow task rebuilds the run from
the history and applies the new events there, at that task's time, as any replay will.
Nothing of the run-ahead reaches the history, and no workflow task fails. The SDK logs every
failed activation as a warning with its traceback; for a thrown-away run-ahead, which is
the guard at work, the worker logs one line at INFO instead (`_QuietRunAhead`).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any

from temporalio import workflow
from temporalio.worker import (
    ExecuteWorkflowInput,
    HandleUpdateInput,
    Interceptor,
    WorkflowInboundInterceptor,
    WorkflowInterceptorClassInput,
)

RAN_AHEAD = "the journey moved on while its status was read: ask again"


class RanAhead(RuntimeError):
    """Fails the activation of a run-ahead, so that core throws the run away."""


class _RunAheadInbound(WorkflowInboundInterceptor):
    """Watches each activation's time and history length."""

    _now: datetime | None = None
    _length = 0

    def _watch(self) -> bool:
        now, length = workflow.now(), workflow.info().get_current_history_length()
        if now == self._now and length != self._length:
            raise RanAhead(RAN_AHEAD)
        self._now, self._length = now, length
        return False  # never satisfied: it only watches

    async def execute_workflow(self, input: ExecuteWorkflowInput) -> Any:
        self._watch()
        watcher = asyncio.create_task(workflow.wait_condition(self._watch))
        try:
            return await super().execute_workflow(input)
        finally:
            watcher.cancel()

    def handle_update_validator(self, input: HandleUpdateInput) -> None:
        self._watch()
        super().handle_update_validator(input)


class _QuietRunAhead(logging.Filter):
    """Turns the SDK's "Failed activation" warning with a traceback, for a RanAhead, into one
    line at INFO. Matched by name and message: the sandbox raises its own copy of the class."""

    def filter(self, record: logging.LogRecord) -> bool:
        err = record.exc_info[1] if record.exc_info else None
        if type(err).__name__ == RanAhead.__name__ and str(err) == RAN_AHEAD:
            record.levelno, record.levelname = logging.INFO, "INFO"
            record.msg, record.args = f"{record.getMessage()}: {RAN_AHEAD}", ()
            record.exc_info, record.exc_text = None, None
        return True


_SDK_ACTIVATIONS = logging.getLogger("temporalio.worker._workflow_instance")
_QUIET = _QuietRunAhead()


class RunAheadGuard(Interceptor):
    """Worker interceptor: no workflow of the worker runs ahead inside a query task."""

    def __init__(self) -> None:
        _SDK_ACTIVATIONS.addFilter(_QUIET)  # once per process: addFilter skips a repeat

    def workflow_interceptor_class(
        self, input: WorkflowInterceptorClassInput
    ) -> type[WorkflowInboundInterceptor]:
        return _RunAheadInbound
