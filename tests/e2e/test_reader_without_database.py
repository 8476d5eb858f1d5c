"""The reader parses customers' files, so it holds neither the journey database nor the
archive key (docker-compose.yml's `reader`): a real journey on the dev server, read by a
reader process whose database points nowhere and which has no archive key, kept by the
journeys' worker process, which has both. Its readings are in `document_readings`, sealed,
and a scan erased under retention still tells the customer so."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import select
from temporalio.testing import WorkflowEnvironment

from journey import contracts
from journey.documents import ReadStatus
from journey.policy import WorkingCalendar
from journey.settings import Settings
from journey.stages import Stage
from store import blobs
from store.db import session
from store.models import DocumentReadingRow
from store.scan_erasures import Erasure, record_erasure
from tests.e2e.conftest import SAMPLES
from tests.e2e.processes import polling, start_sample, worker_process
from tests.e2e.test_journey_on_dev_server import until
from tests.ports import free_port

pytestmark = pytest.mark.e2e

KEY = "reader-test-archive-key-0123"


async def test_a_reader_without_the_database_reads_and_the_journeys_worker_keeps_it(
    dev_server: WorkflowEnvironment, e2e_settings: Settings, tmp_path: Path
) -> None:
    settings = e2e_settings.model_copy(update={
        "task_queue": f"keeps-{uuid.uuid4()}", "data_dir": tmp_path / "data",
        "archive_key": SecretStr(KEY)})
    scans = [SAMPLES / "demo" / f"company2_{kind}.jpg"
             for kind in ("business_license", "balance_sheet")]
    # the income statement, sent years ago and erased: completeness asks for it again
    old = tmp_path / "old_statement.pdf"
    old.write_bytes(b"an income statement erased under retention")
    journey = await start_sample(settings, "demo-002.json", [*scans, old], tmp_path)
    # erased before any worker reads it: the erasure kept, the file gone from the store
    sha256 = hashlib.sha256(old.read_bytes()).hexdigest()
    erased_at = datetime.now(UTC)
    record_erasure(settings.db_url, Erasure(
        sha256=sha256, journeys=["loan-EARLIER"], ended_at=datetime(2015, 3, 4, tzinfo=UTC),
        erased_at=erased_at, erased_by="sup-sme", role="supervisor",
        rule="policy T: scans kept 5 years", origin="test"), KEY.encode())
    blobs.path(settings.documents_dir, sha256).unlink()
    nowhere = f"postgresql+psycopg://journey:secret@127.0.0.1:{free_port()}/loan_journey"
    reader_env = {"LOAN_JOURNEY_DATABASE_URL": nowhere, "LOAN_JOURNEY_ARCHIVE_KEY": ""}
    handle = dev_server.client.get_workflow_handle(journey)
    with (
        worker_process(settings, "journeys", tmp_path / "worker.log") as worker,
        worker_process(settings, "documents", tmp_path / "reader.log", reader_env) as reader,
    ):
        await polling(worker, tmp_path / "worker.log")
        assert (await polling(reader, tmp_path / "reader.log")).endswith(
            f"polling task queue(s) {contracts.documents_queue(settings.task_queue)} at "
            f"{settings.temporal_address}")
        try:
            asked = await until(dev_server.client, journey, Stage.COMPLETENESS, checked=True)
        finally:
            await handle.terminate("test finished")
    by_status = {r.ref.filename: r for r in asked.readings}
    assert [by_status[s.name].status for s in scans] == [ReadStatus.READ] * 2
    said = (f"missing: {old.name} is no longer in the document store (erased on "
            f"{WorkingCalendar().day_of(erased_at)} under the bank's retention rule): "
            "send the file itself again")
    assert by_status[old.name].status is ReadStatus.MISSING
    assert by_status[old.name].reason == said
    with session(settings.db_url) as s:
        rows = {r.filename: (r.status, r.reason, r.seal) for r in s.scalars(
            select(DocumentReadingRow).where(DocumentReadingRow.workflow_id == journey))}
    assert {n: status for n, (status, _, _) in rows.items()} == {
        **{s.name: ReadStatus.READ.value for s in scans}, old.name: ReadStatus.MISSING.value}
    assert rows[old.name][1] == said
    assert all(seal is not None for _, _, seal in rows.values())  # the worker's key
