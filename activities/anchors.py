"""The latest anchor of the sealed records' chains: the result of the newest completed
archivist pass that recorded one (workflows/archivist.py), read from the server's history,
which whoever can write the journey database cannot rewrite."""

from __future__ import annotations

from datetime import UTC, datetime

from temporalio.client import Client

from journey import archive_contracts as ac
from store.chain_anchors import Anchored

# The newest passes looked at for an anchor, a day's: some may have run on a worker from before
# marker `chain-anchor` (a rolling upgrade, a rollback), which records none.
LOOKED_AT = 24


async def latest(client: Client, task_queue: str) -> Anchored | None:
    """The newest anchor the archivist's passes on `task_queue` recorded; None before any."""
    query = (f"WorkflowType = '{ac.ARCHIVIST_WORKFLOW}' AND ExecutionStatus = 'Completed' "
             f"AND TaskQueue = '{task_queue}'")
    passes = [run async for run in client.list_workflows(query)]
    passes.sort(key=lambda run: run.close_time or datetime.min.replace(tzinfo=UTC),
                reverse=True)
    for run in passes[:LOOKED_AT]:
        done = await client.get_workflow_handle(
            run.id, run_id=run.run_id, result_type=ac.ArchivePassResult).result()
        if done.anchor is not None:
            return Anchored(run=run.id, anchor=done.anchor)
    return None
