"""HistoryArchivistWorkflow: one archiving pass, started every hour by its Schedule
(`loan-journey archive schedule`): closed runs' histories into the journey's own store
before the namespace's retention deletes them (store/archive.py); then, from marker
`chain-anchor` on, the sealed chains' heads (the bank's records', and the archive's own)
into its result, this history, where `records verify` and `archive verify` compare them with
the chains (store/chain_anchors.py), with the heads the previous pass anchored that the
chains no longer hold, and those it carried. `archive run` asks for a pass now (through the
schedule) to anchor what it sealed."""

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from journey import archive_contracts as ac
    from workflows.activity_options import IO_RETRY

# A pass reads each new closed run's history: minutes after a busy day, beating per run.
PASS_TIMEOUT = timedelta(minutes=30)
PASS_HEARTBEAT = timedelta(minutes=2)
ANCHOR_TIMEOUT = timedelta(minutes=1)  # the previous anchor, one indexed read per chain


@workflow.defn(name=ac.ARCHIVIST_WORKFLOW)
class HistoryArchivistWorkflow:
    @workflow.run
    async def run(self, request: ac.ArchivePassInput) -> ac.ArchivePassResult:
        done = await workflow.execute_activity(
            ac.ARCHIVE_CLOSED_RUNS,
            request,
            result_type=ac.ArchivePassResult,
            start_to_close_timeout=PASS_TIMEOUT,
            heartbeat_timeout=PASS_HEARTBEAT,
            retry_policy=IO_RETRY,
        )
        if not workflow.patched(ac.ANCHOR_PATCH):
            return done
        anchor = await workflow.execute_activity(
            ac.ANCHOR_CHAINS,
            ac.ChainAnchorInput(),
            result_type=ac.ChainAnchor,
            start_to_close_timeout=ANCHOR_TIMEOUT,
            retry_policy=IO_RETRY,
        )
        return done.model_copy(update={"anchor": anchor})
