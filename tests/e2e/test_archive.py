"""Histories outlive the namespace's retention: on the dev server, a closed journey's history
is archived by `loan-journey archive run` and by the hourly schedule's HistoryArchivist, and
once the server has deleted the run (as the retention does), `loan-journey history` shows it
from the archive and `loan-journey verify` replays it."""

from __future__ import annotations

import base64
import gzip
import json
import signal
import subprocess
import time
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from functools import partial
from pathlib import Path

import pytest
from prometheus_client import REGISTRY
from pydantic import SecretStr
from sqlalchemy import text
from temporalio.client import (
    Client,
    ScheduleActionStartWorkflow,
    ScheduleHandle,
    WorkflowExecution,
)
from temporalio.service import RPCError, RPCStatusCode
from temporalio.testing import WorkflowEnvironment

from activities.archive import archive_closed_runs
from journey import archive_contracts as ac
from journey.application import Channel
from journey.policy.calendar import moment_at
from journey.settings import Settings
from journey.stages import Stage
from journey.touchpoints import LATE_TOUCHPOINT_BASE, late_touchpoints_id
from store import archive, blobs
from store.db import engine_for
from store.timing import events_for
from tests.e2e.conftest import SAMPLES, env_for
from tests.e2e.processes import eventually, start_sample
from tests.e2e.server_calls import delete_run
from tests.e2e.test_journey_on_dev_server import CLI, cli
from tests.ports import free_port

pytestmark = pytest.mark.e2e
CUSTOMER = json.loads((SAMPLES / "applications/demo-003.json").read_text())["credit_code"]


def archive_of_its_own(settings: Settings, folder: Path) -> Settings:
    """`settings` with an archive table of a test's own (the journeys' database stays the
    worker's): once a run is sealed, nothing is archived there without the key, and the
    tests that archive without one, the worker's hourly pass among them, use the worker's."""
    return settings.model_copy(update={"database_url": f"sqlite:///{folder / 'archive.db'}"})


async def withdrawn_journey(client: Client, settings: Settings, folder: Path) -> str:
    """A sample journey its customer withdrew, closed: its id."""
    scans = [SAMPLES / "demo" / "company3_business_license.jpg"]
    journey = await start_sample(settings, "demo-003.json", scans, folder)
    await cli(settings, "withdraw", journey, "--reason", "found other funding", "--as", CUSTOMER)
    assert (await client.get_workflow_handle(journey).result())["outcome"] == "withdrawn"
    return journey


async def test_a_closed_journey_is_read_and_replayed_from_the_archive_once_deleted(
    dev_server: WorkflowEnvironment, e2e_settings: Settings, tmp_path: Path
) -> None:
    client = dev_server.client
    # the archive key: each archived row sealed, which only the key holder can redo
    settings = archive_of_its_own(e2e_settings, tmp_path).model_copy(
        update={"archive_key": SecretStr("k" * 32)})
    journey = await withdrawn_journey(client, settings, tmp_path)
    handle = client.get_workflow_handle(journey)
    run_id = (await handle.describe()).run_id
    # a customer who calls about it hears how it ended, not "no journey"; the call is kept
    ended = await cli(settings, "inquiry", journey, "--as", CUSTOMER, "--channel", "phone")
    told = " ".join(ended.stdout.split())
    assert told.startswith(f"Your application {journey.removeprefix('loan-')} for a ")
    assert " ended on 20" in told and journey not in told
    assert told.endswith(": the application was withdrawn.")
    late = late_touchpoints_id(journey)
    assert "inquiry is kept" not in told  # the answer alone; where it is kept on stderr
    assert f"the inquiry is kept as {late}" in " ".join(ended.stderr.split())
    [asked] = [e for e in events_for(e2e_settings.db_url, journey)  # the worker's
               if e.sequence >= LATE_TOUCHPOINT_BASE]
    assert (asked.stage, asked.channel, asked.actor, asked.detail) == (
        Stage.WITHDRAWN, Channel.PHONE, CUSTOMER, "inquiry")
    stopped = await cli(settings, "repay", journey, "--amount", "1", "--reference", "R-1",
                        "--as", "ops-li", ok=False)
    assert stopped.returncode == 3, stopped.stderr  # an action on it is refused as ended
    assert f"{journey} has ended and takes no repayment" in " ".join(
        stopped.stderr.split())

    async def archived() -> list[archive.ArchivedRun]:
        """A pass, and what it kept of the journey, once it kept the run that keeps the
        inquiry too (visibility may list either a moment late)."""
        assert "archived" in (await cli(settings, "archive", "run")).stdout
        if not archive.runs_of(settings.db_url, late):
            return []
        return archive.runs_of(settings.db_url, journey)

    (kept,) = await eventually("the closed run is archived", archived, seconds=30, every=0.5)
    assert (kept.run_id, kept.status, kept.workflow_type) == (
        run_id, "completed", "LoanJourneyWorkflow")
    assert archive.position_of(kept.seal) is not None  # sealed, in the chain
    unkeyed = await cli(e2e_settings, "archive", "seal", ok=False)
    assert unkeyed.returncode == 2 and "set LOAN_JOURNEY_ARCHIVE_KEY first" in unkeyed.stderr
    previous = archive.last_pass_started(settings.db_url)
    assert previous is not None
    again = await cli(settings, "archive", "run")
    # held already: nothing twice; listed from the previous pass's start less the overlap (an
    # hour), not from the first run, and saying so
    assert " ".join(again.stdout.split()).startswith(
        f"archived 0 closed run(s) of those closed since "
        f"{moment_at(previous - ac.OVERLAP, 8, seconds=True)}: the previous pass started at "
        f"{moment_at(previous, 8, seconds=True)}, looked behind by --overlap 60 min (")
    assert archive.runs_of(settings.db_url, journey) == [kept]
    listed = await cli(settings, "archive", "list", journey)
    assert run_id in listed.stdout and "completed" in listed.stdout

    await delete_run(client, journey, run_id)

    await eventually("the server deletes the run", partial(_gone, client, journey), seconds=60,
                     every=0.5)
    trail = await cli(settings, "history", journey)
    assert "from the archive" in trail.stdout and "withdraw" in trail.stdout
    started = next(line for line in trail.stdout.splitlines() if "started" in line)
    assert "ops-li" in started and "operations" in started  # who submitted it
    no_server = settings.model_copy(update={"temporal_address": f"127.0.0.1:{free_port()}"})
    offline = await cli(no_server, "history", journey, "--archived")  # an auditor's laptop
    assert "from the archive" in offline.stdout and "withdraw" in offline.stdout
    exported = tmp_path / f"{journey}.json"
    await cli(settings, "history", journey, "--json", "--out", str(exported))
    assert exported.read_text(encoding="utf-8") == archive.history_json(
        blobs.DocumentStore.of(settings), kept)
    replayed = await cli(settings, "verify", str(exported))
    assert "1 replayed, 0 failed" in replayed.stdout
    replayed = await cli(settings, "archive", "verify", journey)  # the same, straight from it
    assert "1 replayed, 0 failed" in replayed.stdout
    replayed = await cli(settings, "archive", "verify", late)  # and the inquiry's run
    assert "1 replayed, 0 failed" in replayed.stdout
    wrong_key = settings.model_copy(update={"archive_key": SecretStr("x" * 32)})
    refused = await cli(wrong_key, "archive", "verify", journey, ok=False)
    assert refused.returncode == 8, refused.stdout
    assert "not the key the archive's runs were sealed" in " ".join(refused.stderr.split())
    missing = await cli(settings, "history", "loan-APP-NEVER", ok=False)
    assert missing.returncode == 4 and "nor in the archive" in missing.stderr
    missing = await cli(settings, "archive", "verify", "loan-APP-NEVER", ok=False)
    assert missing.returncode == 4 and "no archived run of loan-APP-NEVER" in missing.stderr
    partly = await cli(settings, "archive", "verify", journey, "loan-APP-NEVER", ok=False)
    assert partly.returncode == 4 and "no archived run of loan-APP-NEVER" in partly.stderr

    blob = blobs.path(settings.documents_dir, kept.sha256)
    blob.write_bytes(gzip.compress(exported.read_bytes().replace(b"withdraw", b"approve")))
    damaged = await cli(settings, "history", journey, ok=False)
    said = " ".join(damaged.stderr.split())
    assert damaged.returncode == 1 and "does not match its sha256" in said
    assert "from a backup" in said
    # verify reports a damaged archive among the runs it checks, not instead of them
    checked = await cli(settings, "archive", "verify", journey, ok=False)
    said = " ".join(checked.stdout.split())
    assert checked.returncode == 1 and "does not match its sha256" in said
    assert "1 failed (0 non-deterministic)" in said
    blob.unlink()  # and a missing one says what to restore, not to upload a document
    for command in (["history", journey], ["archive", "verify", journey]):
        gone = await cli(settings, *command, ok=False)
        said = " ".join((gone.stdout + gone.stderr).split())
        assert gone.returncode == 1 and "is missing: restore" in said, command
        assert "Traceback" not in gone.stderr, command


def said(done: subprocess.CompletedProcess[str]) -> str:
    return " ".join((done.stdout + done.stderr).split())


def forged(history: str, old: bytes, new: bytes) -> str:
    """`history` with `old` rewritten as `new` in every payload's data (base64 in the JSON),
    as someone rewriting what a loan's customer said would: still its run's history, with
    the same events, as the archive's own checks see it."""
    def rewrite(value: object) -> None:
        if isinstance(value, dict):
            if isinstance(value.get("data"), str) and "metadata" in value:  # a payload
                data = base64.b64decode(value["data"]).replace(old, new)
                value["data"] = base64.b64encode(data).decode()
            for inner in value.values():
                rewrite(inner)
        elif isinstance(value, list):
            for inner in value:
                rewrite(inner)

    parsed = json.loads(history)
    rewrite(parsed)
    return json.dumps(parsed, indent=2) + "\n"


def rewrite_row(settings: Settings, run: archive.ArchivedRun, **values: str) -> None:
    """Change the archived run's row, as someone with the database's credentials can."""
    sets = ", ".join(f"{column} = :{column}" for column in values)
    with engine_for(settings.db_url).begin() as db:
        db.execute(text(f"UPDATE archived_histories SET {sets} "
                        "WHERE workflow_id = :journey AND run_id = :run"),
                   {**values, "journey": run.workflow_id, "run": run.run_id})


async def test_archive_verify_compares_each_archived_run_with_the_server_while_it_has_it(
    dev_server: WorkflowEnvironment, e2e_settings: Settings, tmp_path: Path
) -> None:
    """Without an archive key, whoever can write the database and the document store can
    rewrite a run's blob and its row consistently: the archive's own checks pass, and only
    the server's copy tells. Once the server has deleted the run, verify says so."""
    client, settings = dev_server.client, e2e_settings  # no archive key: nothing is sealed
    journey = await withdrawn_journey(client, settings, tmp_path)

    async def archived() -> list[archive.ArchivedRun]:
        await cli(settings, "archive", "run")
        return archive.runs_of(settings.db_url, journey)

    (kept,) = await eventually("the closed run is archived", archived, seconds=30, every=0.5)
    assert kept.seal is None
    same = await cli(settings, "archive", "verify", journey)
    assert "matches the server" in same.stdout and "1 replayed, 0 failed" in same.stdout
    assert "1 compared with the server: 1 match, 0 differ, 0 no longer on it" in same.stdout

    # the customer's reason rewritten, stored under its new digest, the row pointed at it
    true_copy = archive.history_json(blobs.DocumentStore.of(settings), kept)
    lie = forged(true_copy, b"found other funding", b"the bank lost our file")
    assert lie != true_copy
    ref = blobs.put(blobs.DocumentStore.of(settings), gzip.compress(lie.encode(), mtime=0),
                    "forged.gz")
    rewrite_row(settings, kept, sha256=ref.sha256)
    alone = await cli(settings, "archive", "verify", journey, "--offline")
    assert "1 replayed, 0 failed" in alone.stdout  # what the archive's own checks let pass
    assert "not compared with the server (--offline)" in alone.stdout
    caught = await cli(settings, "archive", "verify", journey, ok=False)
    told = said(caught)
    assert caught.returncode == 1, told
    assert "DIFFERS from the server" in told and "1 replayed, 0 failed" in told
    assert "1 compared with the server: 0 match, 1 differ, 0 no longer on it" in told
    assert "WORKFLOW_EXECUTION_UPDATE_ACCEPTED" in told  # which event, and which field
    assert "acceptedRequest.input.args.payloads[0].data" in told
    assert "found other funding" not in told and "lost our file" not in told  # no values
    rewrite_row(settings, kept, sha256=kept.sha256)  # restored from a backup
    assert "1 match" in (await cli(settings, "archive", "verify", journey)).stdout

    # the row moved to another journey: the server cannot find it there, but lists it
    rewrite_row(settings, kept, workflow_id="loan-APP-ELSEWHERE")
    moved = archive.runs_of(settings.db_url, "loan-APP-ELSEWHERE")[0]
    try:
        elsewhere = await cli(settings, "archive", "verify", "loan-APP-ELSEWHERE", ok=False)
        assert elsewhere.returncode == 1 and f"under {journey}" in said(elsewhere)
    finally:
        rewrite_row(settings, moved, workflow_id=journey)

    # the server unreachable: verify says how to check without it
    no_server = settings.model_copy(update={"temporal_address": f"127.0.0.1:{free_port()}"})
    unreachable = await cli(no_server, "archive", "verify", journey, ok=False)
    assert unreachable.returncode == 5 and "archive verify --offline" in said(unreachable)
    offline = await cli(no_server, "archive", "verify", journey, "--offline")
    assert "1 replayed, 0 failed" in offline.stdout and "--offline" in offline.stdout

    await delete_run(client, journey, kept.run_id)  # as the namespace's retention does, early
    await eventually("the server deletes the run", partial(_gone, client, journey), seconds=60,
                     every=0.5)
    gone = await cli(settings, "archive", "verify", journey)
    told = said(gone)
    assert "not on the server" in told and "only copy now, unsealed" in told
    assert "deleted before the namespace's retention" in told
    assert "1 compared with the server: 0 match, 0 differ, 1 no longer on it" in told


async def test_the_hourly_schedule_runs_the_archivist_on_the_worker(
    dev_server: WorkflowEnvironment, e2e_settings: Settings
) -> None:
    client, settings = dev_server.client, e2e_settings
    began = time.time()
    assert "created" in (await cli(settings, "archive", "schedule")).stdout
    handle: ScheduleHandle = client.get_schedule_handle(ac.SCHEDULE_ID)
    try:
        assert "exists already" in (await cli(settings, "archive", "schedule")).stdout
        described = await handle.describe()
        action = described.schedule.action
        assert isinstance(action, ScheduleActionStartWorkflow)
        assert (action.workflow, action.task_queue) == (ac.ARCHIVIST_WORKFLOW, settings.task_queue)
        assert [i.every for i in described.schedule.spec.intervals] == [ac.EVERY]
        await handle.trigger()

        async def passed() -> ac.ArchivePassResult | None:
            found = [w async for w in client.list_workflows(
                f"WorkflowType = '{ac.ARCHIVIST_WORKFLOW}' AND ExecutionStatus = 'Completed'")]
            if not found:
                return None
            return await client.get_workflow_handle(
                found[0].id, run_id=found[0].run_id, result_type=ac.ArchivePassResult
            ).result()

        result = await eventually("the archivist's pass completes", passed, seconds=60, every=0.5)
        assert result.gone == 0
        # what HistoryArchiveStale reads, from this process's worker (the dev_server fixture's)
        last_pass = REGISTRY.get_sample_value(
            "journey_history_archive_last_pass_timestamp_seconds")
        assert last_pass is not None and last_pass >= began
    finally:
        await handle.delete()


async def test_up_creates_the_archive_schedule_on_its_embedded_server(tmp_path: Path) -> None:
    """`loan-journey up`, as a user runs it: the schedule is there while it runs; Ctrl-C ends it."""
    settings = Settings(data_dir=tmp_path, temporal_address=f"127.0.0.1:{free_port()}",
                        ui_port=free_port(), task_queue=f"up-{uuid.uuid4()}")
    log = tmp_path / "up.log"
    with log.open("wb") as out:
        up = subprocess.Popen([*CLI, "up"], env=env_for(settings), stdout=out,
                              stderr=subprocess.STDOUT)
    try:
        async def ready() -> bool:
            assert up.poll() is None, log.read_text(errors="replace")
            return "press Ctrl-C" in log.read_text(errors="replace")

        await eventually("`up` is ready", ready, seconds=90, every=0.2)
        client = await Client.connect(settings.temporal_address)
        described = await client.get_schedule_handle(ac.SCHEDULE_ID).describe()
        action = described.schedule.action
        assert isinstance(action, ScheduleActionStartWorkflow)
        assert (action.workflow, action.task_queue) == (ac.ARCHIVIST_WORKFLOW, settings.task_queue)
    finally:
        up.send_signal(signal.SIGINT)
        assert up.wait(timeout=60) == 0, log.read_text(errors="replace")


async def test_a_run_the_retention_deleted_first_is_counted_lost_not_failed(
    dev_server: WorkflowEnvironment, e2e_settings: Settings, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The retention's deletion landing between a pass's listing and its read of a history
    (made certain here: the run is deleted as the listing yields it): the pass counts it
    lost, goes on, and records itself."""
    client = dev_server.client
    # the archive key: each archived row sealed, which only the key holder can redo
    settings = archive_of_its_own(e2e_settings, tmp_path).model_copy(
        update={"archive_key": SecretStr("k" * 32)})
    journey = await withdrawn_journey(client, settings, tmp_path)
    listing = client.list_workflows

    async def deleted_as_listed(query: str) -> AsyncIterator[WorkflowExecution]:
        async for run in listing(f"{query} AND WorkflowId = '{journey}'"):
            await delete_run(client, run.id, run.run_id)
            await eventually("the run is deleted", partial(_gone, client, run.id), seconds=60,
                             every=0.5)
            yield run

    monkeypatch.setattr(client, "list_workflows", deleted_as_listed)
    done = await archive_closed_runs(client, settings, timedelta(hours=1))
    assert (done.archived, done.gone) == (0, 1)
    assert archive.runs_of(settings.db_url, journey) == []
    assert archive.last_pass_started(settings.db_url) is not None


async def _gone(client: Client, workflow_id: str) -> bool:
    try:
        await client.get_workflow_handle(workflow_id).describe()
    except RPCError as err:
        return err.status is RPCStatusCode.NOT_FOUND
    return False
