"""HistoryArchivistWorkflow: one archiving pass, started every hour by its Schedule
(`loan-journey archive schedule`): closed runs' histories into the journey's own store
before the namespace's retention deletes them (store/archive.py)."""

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from journey import archive_contracts as ac
    from workflows.activity_options import IO_RETRY

# A pass reads each new closed run's history: minutes after a busy day, beating per run.
PASS_TIMEOUT = timedelta(minutes=30)
PASS_HEARTBEAT = timedelta(minutes=2)


@workflow.defn(name=ac.ARCHIVIST_WORKFLOW)
class HistoryArchivistWorkflow:
    @workflow.run
    async def run(self, request: ac.ArchivePassInput) -> ac.ArchivePassResult:
        return await workflow.execute_activity(
            ac.ARCHIVE_CLOSED_RUNS,
            request,
            result_type=ac.ArchivePassResult,
            start_to_close_timeout=PASS_TIMEOUT,
            heartbeat_timeout=PASS_HEARTBEAT,
            retry_policy=IO_RETRY,
        )
