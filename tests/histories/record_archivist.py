"""Record one pass of the HistoryArchivistWorkflow into tests/histories/archivist_pass.json.

    .venv/bin/python -m tests.histories.record_archivist

Its activities stand in for the real ones (what they read is the dev server's and the
database's; tests/e2e runs them): the history holds their results, which is what a replay
needs. before-chain-anchor_archivist_pass.json was recorded so before marker `chain-anchor`,
when a pass anchored no chain.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from temporalio import activity

from journey import archive_contracts as ac
from tests.audit.histories import record_one
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
    return await record_one(
        HistoryArchivistWorkflow, [archive_closed_runs, anchor_record_chains],
        ac.ArchivePassInput(), f"{ac.SCHEDULE_ID}-{PASSED:%Y-%m-%dT%H:%M:%SZ}", "archivist_pass")


if __name__ == "__main__":
    print(f"recorded {asyncio.run(main())}")
