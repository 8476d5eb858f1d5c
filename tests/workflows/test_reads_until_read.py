"""A document read that raises is infrastructure failing (a reader without the codec keys, a
store not mounted), not the scan: the journey waits at documents, retrying, however many
attempts it takes, and goes on once a proper reader reads (workflows/io_retry.py)."""

from __future__ import annotations

from datetime import timedelta

from temporalio import activity
from temporalio.testing import WorkflowEnvironment

from journey import contracts
from journey.contracts import ReadDocumentInput
from journey.documents import DocumentReading
from journey.stages import Stage
from tests.workflows.journey_kit import new_application, running_journey, until_stage

FAILED_READS = 11  # one more than the 10 attempts reads once had


async def test_a_read_failing_beyond_ten_attempts_keeps_the_journey_waiting_not_failed(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    docs, app = new_application()
    first = app.documents[0].sha256
    attempts: list[int] = []

    @activity.defn(name=contracts.READ_DOCUMENT)
    def read_document(request: ReadDocumentInput) -> DocumentReading:
        if request.ref.sha256 == first:
            attempts.append(activity.info().attempt)
            if activity.info().attempt <= FAILED_READS:  # a keyless reader's decoding error
                raise RuntimeError("Unknown payload encoding binary/encrypted")
        return docs.readings[request.ref.sha256]

    async with running_journey(
        time_skipping_env, tmp_path, docs, app, [read_document]
    ) as (_, handle):
        await time_skipping_env.sleep(timedelta(minutes=15))  # the retries' back-off
        await until_stage(handle, Stage.RISK_REVIEW)
    assert attempts == list(range(1, FAILED_READS + 2))
