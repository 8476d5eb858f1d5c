"""Replay recorded histories against the current workflow code.

A change that would break running journeys shows up here as non-determinism, reported per
run with the SDK's message; nothing is raised, so one bad history does not hide the rest.
A run whose payloads are encrypted, replayed without the codec keys, fails to decode: it is
reported as encrypted, apart, not as non-determinism (nothing was checked).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass, field

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message
from temporalio.api.common.v1 import Payload
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter
from temporalio.worker import Replayer
from temporalio.workflow import NondeterminismError

from starter.codec import ENCODING, SETTING

ENCRYPTED = f"encrypted: set {SETTING} to replay it"


@dataclass(frozen=True)
class ReplayOutcome:
    workflow_id: str
    run_id: str
    ok: bool
    nondeterministic: bool = False
    error: str = ""
    encrypted: bool = False  # not replayed: its payloads are encrypted and no keys are set


@dataclass
class VerifyReport:
    outcomes: list[ReplayOutcome] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(o.ok for o in self.outcomes)

    @property
    def failures(self) -> list[ReplayOutcome]:
        """The runs that replayed and failed (the encrypted ones did not replay)."""
        return [o for o in self.outcomes if not o.ok and not o.encrypted]

    @property
    def encrypted(self) -> list[ReplayOutcome]:
        return [o for o in self.outcomes if o.encrypted]


async def verify(
    histories: Iterable[WorkflowHistory] | AsyncIterator[WorkflowHistory],
    workflows: Sequence[type],
    data_converter: DataConverter | None = None,
) -> VerifyReport:
    """Replay every history against `workflows`; each run's outcome, never an exception."""
    converter = data_converter or pydantic_data_converter
    replayer = Replayer(workflows=workflows, data_converter=converter)
    report = VerifyReport()
    async with replayer.workflow_replay_iterator(_aiter(histories)) as results:
        async for result in results:
            failure = result.replay_failure
            if failure is not None and converter.payload_codec is None and any(
                _encrypted(event) for event in result.history.events
            ):
                report.outcomes.append(ReplayOutcome(
                    workflow_id=result.history.workflow_id, run_id=result.history.run_id,
                    ok=False, encrypted=True, error=ENCRYPTED))
                continue
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


def _encrypted(message: Message) -> bool:
    """Whether any payload in `message` (an event, at any depth) is encrypted."""
    if isinstance(message, Payload):
        return message.metadata.get("encoding") == ENCODING
    for descriptor, value in message.ListFields():
        if descriptor.type != FieldDescriptor.TYPE_MESSAGE:
            continue
        if isinstance(value, Message):
            values = [value]
        else:  # a repeated field, or a map (of payloads, or of other messages)
            values = list(value.values() if hasattr(value, "values") else value)
        if any(isinstance(v, Message) and _encrypted(v) for v in values):
            return True
    return False


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
