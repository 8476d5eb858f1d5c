"""Refuse an update while a workflow's last step may not be in its history yet.

The defect this guards against (Python SDK / sdk-core, upstream temporalio/sdk-core#589
family; reproduced alone in tests/e2e/test_run_ahead.py, seen in tests/chaos): a status
query handed to a worker as a query task comes with the history as it is when the worker
polls, which may end in new events (an activity completed, a timer fired) and a workflow task
scheduled but not started. Core applies those events live inside the query task, whether it
rebuilds the run for the query or holds it in its cache: the workflow runs ahead, and its
commands wait in the worker for the real workflow task. When an update arrives with that
task, its acceptance is written after the run-ahead's commands; a replay applies updates
before activity results (the SDK's job order within one activation), writes the acceptance
first and fails as nondeterministic (TMPRL1100 "Update machine does not handle this event").
The history no longer replays, and once the worker that holds the run is gone the workflow
stops for good.

The run-ahead leaves a mark: core moves workflow time only when a workflow task starts, so an
activation that applies new events (a new history length) at the time of the activation
before it is a run-ahead. Its commands are written by the next workflow task to start (the
next new time); an update that comes in that task is refused, before it reaches the history,
and the person sends it again a moment later, in a task of its own. The watch runs as a wait
condition, which the SDK evaluates in every activation with jobs except one that holds only
refused updates; the validator looks too, so that one is seen as well. The SDK calls the
validator hook only for an update that has a validator: every journey update has one
(tests/workflows/test_worker_settings.py).

Updates only: a signal cannot be refused. The journey's one signal, a post-loan review's
result from the review workflow, only queues the result for the journey's next wait, so a
replay that applies it before an activity result changes no command's place; not covered by
a test, as no run-ahead has been seen next to it.
"""

from __future__ import annotations

import asyncio
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

with workflow.unsafe.imports_passed_through():
    from journey.policy import DecisionRefused

REFUSAL = "the journey is still writing down its last step: send this again in a moment"


class _RunAheadInbound(WorkflowInboundInterceptor):
    """Watches each activation's time and history length; refuses updates in the workflow
    task that writes a run-ahead's commands."""

    _now: datetime | None = None
    _length = 0
    _ran_ahead = False  # a run-ahead's commands are not in the history yet
    _writing: datetime | None = None  # the start of the task that writes them

    def _watch(self) -> bool:
        now, length = workflow.now(), workflow.info().get_current_history_length()
        if now == self._now:
            if length != self._length:
                self._ran_ahead, self._writing = True, None
        elif self._ran_ahead:
            if self._writing is None:
                self._writing = now
            else:
                self._ran_ahead, self._writing = False, None
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
        if self._ran_ahead:
            raise DecisionRefused(REFUSAL)
        super().handle_update_validator(input)


class RunAheadGuard(Interceptor):
    """Worker interceptor: every workflow of the worker refuses updates after a run-ahead."""

    def workflow_interceptor_class(
        self, input: WorkflowInterceptorClassInput
    ) -> type[WorkflowInboundInterceptor]:
        return _RunAheadInbound
