"""The newest sealed rows' deletion, which a chain alone does not show: on the dev server, the
archivist's pass anchors each chain's head in its history (the archive's own too, `archive
verify`; a pass `archive run` asks for), and `records verify` names a row deleted with SQL
after it, still after the next pass has anchored the shortened chain (the
loss that pass found carried in its anchor); offline, or with the server out of reach, it
says what it could not tell."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import text
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.anchors import latest
from activities.archive import ArchiveActivities, _keep
from activities.chain_anchor import AnchorActivities
from journey import archive_contracts as ac
from journey.settings import Settings
from starter import archivist, audit
from store.blobs import DocumentStore
from store.chain_anchors import Anchored
from store.db import engine_for
from store.refusals import Refusal, record_refusal
from tests.cli_kit import cli, point_cli_at, said
from tests.e2e.processes import eventually
from tests.ports import free_port
from workflows.archivist import HistoryArchivistWorkflow

pytestmark = pytest.mark.e2e
KEY = "anchor-key-0123456789"


def refused(settings: Settings, times: int) -> None:
    """Refused attempts kept sealed, as the command line keeps them with the key."""
    for n in range(times):
        assert record_refusal(settings.db_url, Refusal(
            workflow_id=f"loan-ANCHOR-{n}", action="record_repayment", actor="rm-zhang",
            role="relationship_manager", reason="not allowed", at=datetime.now(UTC),
            origin="test@host"), settings.archive_seal_key)


async def archivist_pass(client: Client, settings: Settings
                         ) -> tuple[str, ac.ArchivePassResult]:
    """One pass of the archivist, as its Schedule starts one, listed once done (its anchor
    then the latest)."""
    run_id = f"{ac.SCHEDULE_ID}-{uuid.uuid4()}"
    done = await client.execute_workflow(HistoryArchivistWorkflow.run, ac.ArchivePassInput(),
                                         id=run_id, task_queue=settings.task_queue)

    async def listed() -> bool:
        anchored = await latest(client, settings.task_queue)
        return anchored is not None and anchored.run == run_id

    await eventually("the pass is listed", listed, seconds=30, every=0.2)
    return run_id, done


def keyed_cli(client: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings on a task queue of the test's own, with the archive key, and the command line
    pointed at them."""
    settings = Settings(data_dir=tmp_path, temporal_address=client.service_client.config
                        .target_host, task_queue=f"anchor-{uuid.uuid4()}",
                        archive_key=SecretStr(KEY))
    point_cli_at(monkeypatch, client, tmp_path)
    monkeypatch.setenv("LOAN_JOURNEY_TASK_QUEUE", settings.task_queue)
    monkeypatch.setenv("LOAN_JOURNEY_ARCHIVE_KEY", KEY)
    return settings


async def test_the_newest_sealed_row_deleted_after_the_archivists_pass_is_named(
    dev_server: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = dev_server.client
    settings = keyed_cli(client, tmp_path, monkeypatch)
    refused(settings, 3)
    none_yet = await cli("records", "verify")
    assert none_yet.exit_code == 0, none_yet.output
    assert "no anchor yet" in said(none_yet)

    async with Worker(client, task_queue=settings.task_queue,
                      workflows=[HistoryArchivistWorkflow],
                      activities=[ArchiveActivities(settings).archive_closed_runs,
                                  AnchorActivities(settings).anchor_record_chains]):
        run_id, done = await archivist_pass(client, settings)
        assert done.anchor is not None and not done.anchor.lost
        [head] = done.anchor.heads
        assert (head.records, head.table, head.row_id, head.rows) == (
            "refused attempts", "refusals", 3, 3)
        anchored = await cli("records", "verify")
        assert anchored.exit_code == 0, anchored.output
        assert f"compared with the chains' anchor, recorded by archivist run {run_id}" in said(
            anchored)

        refused(settings, 1)  # sealed after the anchor: its deletion is not covered
        with engine_for(settings.db_url).begin() as db:
            db.execute(text("delete from refusals where id >= 3"))
        checked = await cli("records", "verify")
        told = " ".join(checked.output.replace("│", " ").split())  # a detail's lines joined
        assert checked.exit_code == 1, checked.output
        assert "seal #3 of the refused attempts" in told and "DELETED" in told
        assert (f"row 3 of refusals, sealed and anchored at {done.anchor.taken_at:%Y-%m-%d}"
                in told and f"by archivist run {run_id}, is missing" in told)
        assert "restore it from a backup" in told

        # the next pass anchors the shortened chain, and carries the loss it found on
        found_by, next_pass = await archivist_pass(client, settings)
    assert next_pass.anchor is not None
    assert [h.rows for h in next_pass.anchor.heads] == [2]
    [lost] = next_pass.anchor.lost
    assert (lost.head, lost.anchored_by, lost.found_by) == (head, run_id, found_by)
    still = await cli("records", "verify")
    told = " ".join(still.output.replace("│", " ").split())
    assert still.exit_code == 1, still.output
    assert f"recorded by archivist run {found_by}" in told
    assert "and with the 1 anchored row(s) earlier passes found lost" in told
    assert (f"row 3 of refusals, sealed and anchored at {done.anchor.taken_at:%Y-%m-%d}"
            in told and f"by archivist run {run_id}, is missing (the chain ends at seal #2"
            in told and f"found lost at {lost.found_at:%Y-%m-%d} " in told
            and f"by archivist run {found_by}, the anchors since taken without it" in told)

    offline = await cli("records", "verify", "--offline")  # the chain alone: it verifies
    assert offline.exit_code == 0, offline.output
    assert "not compared with the chains' anchor (--offline)" in said(offline)
    monkeypatch.setenv("LOAN_JOURNEY_TEMPORAL_ADDRESS", f"127.0.0.1:{free_port()}")  # nobody
    unreachable = await cli("records", "verify")
    assert unreachable.exit_code == 5, unreachable.output
    assert "`loan-journey records verify --offline`" in said(unreachable)


async def kept(client: Client, settings: Settings, run_id: str) -> None:
    """A closed run kept sealed in the archive, as a pass keeps a journey's: an archivist
    pass's own (which no pass archives) stands in for one, quicker to close."""
    handle = client.get_workflow_handle(run_id)
    history = await handle.fetch_history()
    assert _keep(settings.db_url, DocumentStore.of(settings), await handle.describe(),
                 audit.history_json(history), len(history.events), settings.archive_seal_key)


async def test_the_archives_newest_run_deleted_after_archive_run_asked_for_a_pass_is_named(
    dev_server: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`archive run` asks the archivist's schedule for a pass now, which anchors the
    archive's own chain with the others; `archive verify` then names its newest run deleted,
    which the chain alone does not show. Without a schedule, it says nothing anchors them."""
    client = dev_server.client
    settings = keyed_cli(client, tmp_path, monkeypatch)
    async with Worker(client, task_queue=settings.task_queue,
                      workflows=[HistoryArchivistWorkflow],
                      activities=[ArchiveActivities(settings).archive_closed_runs,
                                  AnchorActivities(settings).anchor_record_chains]):
        runs = [(await archivist_pass(client, settings))[0] for _ in range(2)]
        for run_id in runs:
            await kept(client, settings, run_id)
        unanchored = await cli("archive", "verify")  # the passes' anchors, taken before
        assert unanchored.exit_code == 0, unanchored.output
        assert "that anchor holds no head of the archive's chain" in said(unanchored)
        alone = await cli("archive", "run")
        assert alone.exit_code == 0, alone.output
        assert "no archivist schedule (history-archivist) on this server: nothing anchors" in (
            said(alone))

        assert await archivist.schedule(client, settings.task_queue)
        try:
            asked = await cli("archive", "run")
            assert "asked the archivist for a pass now" in said(asked), asked.output

            async def anchored_archive() -> Anchored | None:
                anchored = await latest(client, settings.task_queue)
                heads = anchored.anchor.heads if anchored is not None else []
                return anchored if [h.rows for h in heads
                                    if h.records == "archived histories"] == [2] else None

            anchored = await eventually("the schedule's pass anchors the archive",
                                        anchored_archive, seconds=30, every=0.2)
        finally:
            await client.get_schedule_handle(ac.SCHEDULE_ID).delete()
    assert anchored.run not in runs  # the schedule's
    whole = await cli("archive", "verify")
    assert whole.exit_code == 0, whole.output
    assert f"compared with the chains' anchor, recorded by archivist run {anchored.run}" in (
        said(whole)) and "warning" not in said(whole)

    with engine_for(settings.db_url).begin() as db:
        db.execute(text("delete from archived_histories where workflow_id = :run"),
                   {"run": runs[1]})
    checked = await cli("archive", "verify")
    told = " ".join(checked.output.replace("│", " ").split())
    assert checked.exit_code == 1, checked.output
    assert "seal #2 of the archived histories DELETED" in told
    assert (f"the archived history of {runs[1]} run" in told and "(archived_histories), sealed "
            f"and anchored at {anchored.at:%Y-%m-%d}" in told
            and f"by archivist run {anchored.run}, is missing (the chain ends at seal #1" in told)
    assert "1 archived run(s) sealed and anchored are missing from the archive" in told
