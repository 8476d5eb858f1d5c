"""Recorded histories of the real journey, kept under tests/histories/ and replayed in CI.

To add one, run a terminal path (a test in tests/workflows, or a journey on the dev server)
and save its history; `test_replay_recorded.py` picks up every *.json file there:

    await save_history(handle, "rejected_at_risk_review")
    # or: loan-journey history <id> --json --out tests/histories/rejected_at_risk_review.json

Record without codec keys: the history is checked into the repository.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from temporalio.client import WorkflowFailureError, WorkflowHandle
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from starter.audit import history_json
from tests.conftest import installed_test_server

HISTORIES = Path(__file__).resolve().parents[1] / "histories"


def recorded_files() -> list[Path]:
    return sorted(HISTORIES.glob("*.json"))


async def save_history(handle: WorkflowHandle[Any, Any], name: str) -> Path:
    """Write the handle's history to tests/histories/<name>.json, as `history --json` does."""
    HISTORIES.mkdir(exist_ok=True)
    path = HISTORIES / f"{name}.json"
    path.write_text(history_json(await handle.fetch_history()), encoding="utf-8")
    return path


async def record_one(workflow: type, activities: Sequence[Callable[..., Any]], arg: Any,
                     workflow_id: str, name: str) -> Path:
    """Run one `workflow` with `arg` on a fresh time-skipping server, its `activities`
    standing in for the real ones, and save its history as `name`, ended either way (a run
    that fails is recorded too: code before a marker may fail where today's does not)."""
    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=pydantic_data_converter, test_server_existing_path=installed_test_server()
    )
    try:
        queue = str(uuid.uuid4())
        async with Worker(env.client, task_queue=queue, workflows=[workflow],
                          activities=activities):
            handle = await env.client.start_workflow(
                workflow, arg, id=workflow_id, task_queue=queue)  # type: ignore[call-overload]
            try:
                await handle.result()
            except WorkflowFailureError:
                pass
            return await save_history(handle, name)
    finally:
        await env.shutdown()
