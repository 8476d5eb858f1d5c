"""Replay recorded histories against the current workflow code.

A change that would break running journeys shows up here as non-determinism, reported per
run with the SDK's message; nothing is raised, so one bad history does not hide the rest.
A run whose payloads are encrypted, replayed without the codec keys, fails to decode: it is
reported as encrypted, apart, not as non-determinism (nothing was checked).

Non-determinism names the first event the code could not match and the build that recorded
the history (starter/replay_divergence.py). A history with no workflow task in it (empty, or
cut short) is refused at once, and every replay has a time limit: one bad file ends as a
finding of its own, and the rest are replayed.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass, field

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message
from temporalio.api.common.v1 import Payload
from temporalio.api.enums.v1 import WorkflowTaskFailedCause
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter
from temporalio.worker import Replayer
from temporalio.workflow import NondeterminismError

from starter.codec import ENCODING, SETTING
from starter.core_logs import replay_runtime
from starter.replay_divergence import first_unmatched, place, recorded_by, runs_code

ENCRYPTED = f"encrypted: set {SETTING} to replay it"
RESET = WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_RESET_WORKFLOW  # a reset's task
# a history of a thousand events replays in a second or two; a replay still going after this
# is stuck (the SDK's replayer waits for a workflow task that never comes), not slow
LIMIT_SECONDS = 60.0
_CANCELS = 5  # the SDK's replayer waits for its worker as it ends: a second cancel ends that
# the SDK fails an activation that holds its thread over 2 s as a potential deadlock; a
# replay's first activation imports the workflow modules into a new sandbox, which on a
# starved machine (a full test run on two cores, an audit beside a busy worker) took longer
# once. Replay is deterministic: a run that really blocks fails each time, a starved one
# replays on its next try, its modules then imported.
STARVED = "TMPRL1101"
_TRIES = 2
_SDK_WORKFLOWS = logging.getLogger("temporalio.worker._workflow")  # where the SDK logs it


@dataclass(frozen=True)
class ReplayOutcome:
    workflow_id: str
    run_id: str
    ok: bool
    nondeterministic: bool = False
    error: str = ""
    encrypted: bool = False  # not replayed: its payloads are encrypted and no keys are set
    history: WorkflowHistory | None = None  # the one replayed, for what a failure is told
    diverges_at: int | None = None  # the first event the code could not match
    build_id: str = ""  # of the worker that recorded the history up to there, if recorded


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
    limit: float = LIMIT_SECONDS,
) -> VerifyReport:
    """Replay every history against `workflows`, each in at most `limit` seconds; each run's
    outcome, never an exception."""
    converter = data_converter or pydantic_data_converter
    report = VerifyReport()
    async for history in _aiter(histories):
        report.outcomes.append(await _outcome(history, workflows, converter, limit))
    return report


def run_id(history: WorkflowHistory) -> str:
    """The run a history is of: its own id. A run a reset made keeps the started event of the
    run it was reset from, with that run's id; its last reset's event names it."""
    made = [failed.new_run_id for e in history.events
            if e.HasField("workflow_task_failed_event_attributes")
            and (failed := e.workflow_task_failed_event_attributes).cause == RESET]
    return made[-1] if made else (
        history.events[0].workflow_execution_started_event_attributes.original_execution_run_id)


async def _outcome(history: WorkflowHistory, workflows: Sequence[type],
                   converter: DataConverter, limit: float) -> ReplayOutcome:
    ids = {"workflow_id": history.workflow_id,
           "run_id": run_id(history) if history.events else "(no events)"}
    if not runs_code(history):
        return ReplayOutcome(**ids, ok=False, error=(
            f"nothing to replay: the history holds {len(history.events)} event(s) and no "
            "workflow task, an empty or cut-short export: export it again (`loan-journey "
            "history ID --json`)"))

    async def replay(some: WorkflowHistory) -> Exception | None:
        for _ in range(_TRIES):
            failure = await replay_within(some, workflows, converter, limit)
            if failure is None or STARVED not in str(failure):
                break
        return failure

    try:
        failure = await replay(history)
    except TimeoutError as err:
        return ReplayOutcome(**ids, ok=False, error=str(err))
    if failure is not None and converter.payload_codec is None and any(
        _encrypted(event) for event in history.events
    ):
        return ReplayOutcome(**ids, ok=False, encrypted=True, error=ENCRYPTED)
    if not isinstance(failure, NondeterminismError):
        return ReplayOutcome(**ids, ok=failure is None,
                             error="" if failure is None else _error_text(failure))
    try:
        event = await first_unmatched(history, replay)
    except TimeoutError:
        event = None
    error = _error_text(failure)
    if event is None:
        return ReplayOutcome(**ids, ok=False, nondeterministic=True, error=error,
                             history=history)
    return ReplayOutcome(**ids, ok=False, nondeterministic=True, history=history,
                         error=f"at {place(event)}: {error}", diverges_at=event.event_id,
                         build_id=recorded_by(history, event.event_id))


async def replay_within(history: WorkflowHistory, workflows: Sequence[type],
                        converter: DataConverter, limit: float) -> Exception | None:
    """The failure replaying `history` (None: it replays); TimeoutError when it does not
    finish in `limit` seconds. Core's log lines go to Python logging, not the terminal.
    A replay the SDK finds starved is stopped at once with that failure: the SDK then waits
    to evict the run, and an eviction after a starved activation was seen never to end (its
    tasks left unfinished by the interrupted thread), which held the replay to `limit`."""
    replayer = Replayer(workflows=workflows, data_converter=converter, runtime=replay_runtime())
    task = asyncio.create_task(replayer.replay_workflow(history, raise_on_replay_failure=False))
    with _StarvedWatch(history) as starved:
        await asyncio.wait([task, starved.seen], timeout=limit,
                           return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        return task.result().replay_failure
    await _stop(task)
    if starved.seen.done():
        return starved.seen.result()
    raise TimeoutError(f"replay did not finish in {limit:g} s ({len(history.events)} events): "
                       "stopped; a history this long replays in seconds, so it is stuck")


async def _stop(task: asyncio.Task) -> None:
    for _ in range(_CANCELS):
        task.cancel()
        if (await asyncio.wait([task], timeout=1))[0]:
            return


class _StarvedWatch(logging.Handler):
    """`seen` holds the SDK's deadlock failure once it logs one for `history`'s replay: the
    SDK's worker reports it on its own logger, not in the replay's result, until the run is
    evicted."""

    def __init__(self, history: WorkflowHistory) -> None:
        super().__init__(logging.ERROR)
        self._run_id = history.events[0].workflow_execution_started_event_attributes \
            .original_execution_run_id if history.events else ""
        self._loop = asyncio.get_running_loop()
        self.seen: asyncio.Future[Exception] = self._loop.create_future()

    def emit(self, record: logging.LogRecord) -> None:
        failure = record.exc_info[1] if record.exc_info else None
        if (isinstance(failure, Exception) and STARVED in str(failure) and self._run_id
                and self._run_id in record.getMessage()):
            self._loop.call_soon_threadsafe(self._seen, failure)

    def _seen(self, failure: Exception) -> None:
        if not self.seen.done():
            self.seen.set_result(failure)

    def __enter__(self) -> _StarvedWatch:
        _SDK_WORKFLOWS.addHandler(self)
        return self

    def __exit__(self, *_: object) -> None:
        _SDK_WORKFLOWS.removeHandler(self)


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
