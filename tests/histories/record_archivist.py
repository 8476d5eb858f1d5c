"""Record one pass of the HistoryArchivistWorkflow into tests/histories/archivist_pass.json.

    .venv/bin/python -m tests.histories.record_archivist

Its activities stand in for the real ones (what they read is the dev server's and the
database's; tests/e2e runs them): the history holds their results, which is what a replay
needs. before-chain-anchor_archivist_pass.json was recorded so before marker `chain-anchor`,
when a pass anchored no chain.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from pathlib import Path

from temporalio import activity
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from journey import archive_contracts as ac
from tests.audit.histories import save_history
from tests.conftest import installed_test_server
from workflows.archivist import HistoryArchivistWorkflow

PASSED = datetime(2026, 12, 6, 5, tzinfo=UTC)


@activity.defn(name=ac.ARCHIVE_CLOSED_RUNS)
async def archive_closed_runs(request: ac.ArchivePassInput) -> ac.ArchivePassResult:
    return ac.ArchivePassResult(archived=1, held=2, gone=0, closed_since=PASSED)


@activity.defn(name=ac.ANCHOR_CHAINS)
async def anchor_record_chains(request: ac.ChainAnchorInput) -> ac.ChainAnchor:
    return ac.ChainAnchor(taken_at=PASSED, heads=[ac.ChainHead(
        records="refused attempts", table="refusals", row_id=3, rows=3,
        seal="2:000000000003:abc")])


async def main() -> Path:
    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=pydantic_data_converter, test_server_existing_path=installed_test_server()
    )
    try:
        queue = str(uuid.uuid4())
        async with Worker(env.client, task_queue=queue, workflows=[HistoryArchivistWorkflow],
                          activities=[archive_closed_runs, anchor_record_chains]):
            handle = await env.client.start_workflow(
                HistoryArchivistWorkflow.run, ac.ArchivePassInput(),
                id=f"{ac.SCHEDULE_ID}-{PASSED:%Y-%m-%dT%H:%M:%SZ}", task_queue=queue)
            await handle.result()
            return await save_history(handle, "archivist_pass")
    finally:
        await env.shutdown()


if __name__ == "__main__":
    print(f"recorded {asyncio.run(main())}")
