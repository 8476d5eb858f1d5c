"""Replay recorded histories against the current workflow code.

A change that would break running journeys shows up here as non-determinism, reported per
run with the SDK's message; nothing is raised, so one bad history does not hide the rest.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass, field

from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter
from temporalio.worker import Replayer
from temporalio.workflow import NondeterminismError


@dataclass(frozen=True)
class ReplayOutcome:
    workflow_id: str
    run_id: str
    ok: bool
    nondeterministic: bool = False
    error: str = ""


@dataclass
class VerifyReport:
    outcomes: list[ReplayOutcome] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(o.ok for o in self.outcomes)

    @property
    def failures(self) -> list[ReplayOutcome]:
        return [o for o in self.outcomes if not o.ok]


async def verify(
    histories: Iterable[WorkflowHistory] | AsyncIterator[WorkflowHistory],
    workflows: Sequence[type],
    data_converter: DataConverter | None = None,
) -> VerifyReport:
    """Replay every history against `workflows`; each run's outcome, never an exception."""
    replayer = Replayer(
        workflows=workflows, data_converter=data_converter or pydantic_data_converter
    )
    report = VerifyReport()
    async with replayer.workflow_replay_iterator(_aiter(histories)) as results:
        async for result in results:
            failure = result.replay_failure
            report.outcomes.append(
                ReplayOutcome(
                    workflow_id=result.history.workflow_id,
                    run_id=result.history.run_id,
                    ok=failure is None,
                    nondeterministic=isinstance(failure, NondeterminismError),
                    error="" if failure is None else _error_text(failure),
                )
            )
    return report


def _error_text(failure: Exception) -> str:
    """The core's message without the Rust debug dump around it."""
    text = str(failure)
    found = re.search(r'message: "((?:[^"\\]|\\.)*)"', text)
    return found.group(1).replace('\\"', '"') if found else f"{type(failure).__name__}: {text}"


async def _aiter(
    histories: Iterable[WorkflowHistory] | AsyncIterator[WorkflowHistory],
) -> AsyncIterator[WorkflowHistory]:
    if isinstance(histories, AsyncIterator):
        async for history in histories:
            yield history
    else:
        for history in histories:
            yield history
