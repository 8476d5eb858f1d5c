"""Refuse an update while a workflow's last step may not be in its history yet.

The defect this guards against (Python SDK / sdk-core, upstream temporalio/sdk-core#589
family; reproduced alone in tests/workflows/test_run_ahead.py): a status query handed to a
worker that does not hold the run in its cache comes with a history that may end in new
events (an activity completed, a timer fired) and a workflow task that is scheduled but not
started. Core replays that history and applies the new events live, inside the query task:
the workflow runs ahead, and its commands wait in the worker for the real workflow task. When
an update arrives with that task, its acceptance is written after the run-ahead's commands;
a replay of the history applies updates before activity results (the SDK's job order in one
activation), writes the acceptance first and fails as nondeterministic (TMPRL1100 "Update
machine does not handle this event"). The history no longer replays, and once the worker
that holds the run is gone the workflow stops for good.

The run-ahead leaves a mark: core moves workflow time only when a workflow task starts, so the
first live activation of a run rebuilt by a query keeps the time of the last replayed one. An
activation that goes live with the time of the replayed activation before it, at a new history
length, is a run-ahead. Until the workflow task that writes its commands is over, an update is
refused (before it reaches the history: the person sends it again a moment later). That task
starts at a history length at most three above the run-ahead's (which is the last event the
query's history held) unless three more events came first; the next task starts at least
three above that task's start (its completion, its scheduling, its start). So refusing below
run-ahead + 4 refuses in that task and never after it.

Updates only: a signal cannot be refused. No journey workflow takes a signal from a person
(the post-loan review signal comes from its Schedule).
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

# The next workflow task starts at least this far above the one that writes the run-ahead.
_SETTLED = 4
REFUSAL = (
    "the journey is still writing down its last step after a worker restart: "
    "send this again in a moment"
)


class _Activation:
    """What one activation shows of itself: its time, history length and replay flag."""

    def __init__(self) -> None:
        self.now: datetime = workflow.now()
        self.length = workflow.info().get_current_history_length()
        self.replaying = workflow.unsafe.is_replaying()

    def ran_ahead_of(self, previous: _Activation) -> bool:
        return (previous.replaying and not self.replaying and self.now == previous.now
                and self.length != previous.length)


class _RunAheadInbound(WorkflowInboundInterceptor):
    """Watches each activation (as a wait condition, which the SDK evaluates in every
    activation with jobs) and refuses updates right after a run-ahead."""

    _last: _Activation | None = None
    _ran_ahead_at: int | None = None

    def _watch(self) -> bool:
        seen = _Activation()
        last = self._last
        if last is None or (seen.now, seen.length) != (last.now, last.length):
            if last is not None and seen.ran_ahead_of(last):
                self._ran_ahead_at = seen.length
            self._last = seen
        return False  # never satisfied: it only watches

    async def execute_workflow(self, input: ExecuteWorkflowInput) -> Any:
        self._watch()
        watcher = asyncio.create_task(workflow.wait_condition(self._watch))
        try:
            return await super().execute_workflow(input)
        finally:
            watcher.cancel()

    def handle_update_validator(self, input: HandleUpdateInput) -> None:
        ran_ahead_at = self._ran_ahead_at
        if (ran_ahead_at is not None
                and workflow.info().get_current_history_length() < ran_ahead_at + _SETTLED):
            raise DecisionRefused(REFUSAL)
        super().handle_update_validator(input)


class RunAheadGuard(Interceptor):
    """Worker interceptor: every workflow of the worker refuses updates after a run-ahead."""

    def workflow_interceptor_class(
        self, input: WorkflowInterceptorClassInput
    ) -> type[WorkflowInboundInterceptor]:
        return _RunAheadInbound
