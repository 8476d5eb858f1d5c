"""A loan's history edited in the Temporal database, held to the bank's sealed records: on the
dev server, with a worker that seals them (LOAN_JOURNEY_ARCHIVE_KEY), `archive run` keeps a
forged history out of the archive, and `archive verify` names one archived before this check
as differing, and `records verify` a running journey's, naming the fact and both places, not
the values: the application, a stage's decider, a payout, a notice."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pydantic import SecretStr
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.workflowservice.v1 import ResetWorkflowExecutionRequest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from activities.archive import _keep
from journey.settings import Settings
from journey.stages import Stage
from starter import audit
from starter.history_cross_check import RECORDS
from store import archive
from store.blobs import DocumentStore
from store.ledger import bookings_for
from tests.e2e.processes import eventually
from tests.e2e.test_archive import said, withdrawn_journey
from tests.e2e.test_customer_work_list import ALL, LABELS, application, scans
from tests.e2e.test_journey_on_dev_server import approving_opinion, cli, until
from worker import build_worker

pytestmark = pytest.mark.e2e
KEY = SecretStr("cross-check-key-0123456789")


def rewrite_temporal_db(settings: Settings, journey: str, old: bytes, new: bytes,
                        within: bytes = b"") -> int:
    """Rewrite `old` as `new` (the same length) in the journey's history batches in the dev
    server's SQLite database, as the auditor did with temporal.db; with `within`, in the
    batches that hold it instead (one event's batch: an update's, or an activity's result,
    which may not name the journey); how many batches."""
    marker = within or journey.removeprefix("loan-").encode()
    with sqlite3.connect(settings.temporal_db_file) as db:
        rows = [(rowid, data) for rowid, data in db.execute("SELECT rowid, data FROM history_node")
                if marker in data and old in data]
        for rowid, data in rows:
            db.execute("UPDATE history_node SET data = ? WHERE rowid = ?",
                       (data.replace(old, new), rowid))
    return len(rows)


def keyed_settings(e2e_settings: Settings, tmp_path: Path) -> Settings:
    """The session's server, with a task queue, a journey database and the archive key of
    the test's own: its worker seals the exposures, stage events and bookings."""
    return e2e_settings.model_copy(update={
        "data_dir": tmp_path, "task_queue": f"cross-{uuid.uuid4()}", "archive_key": KEY})


async def archive_refused(settings: Settings) -> str:
    """What `archive run` says once it lists the closed run and keeps it out (exit 1)."""
    async def kept_out() -> str:
        done = await cli(settings, "archive", "run", ok=False)
        return said(done) if done.returncode == 1 else ""

    return await eventually("the forged run is listed and kept out", kept_out, seconds=30,
                            every=0.5)


async def test_a_history_whose_amount_was_edited_is_not_archived_nor_vouched_for(
    dev_server: WorkflowEnvironment, e2e_settings: Settings, tmp_path: Path
) -> None:
    client = dev_server.client
    keyed = keyed_settings(e2e_settings, tmp_path)
    folders = [tmp_path / name for name in ("true", "forged")]
    for folder in folders:
        folder.mkdir()
    async with build_worker(client, keyed):  # seals the exposures, stage events, bookings
        true = await withdrawn_journey(client, keyed, folders[0])

        async def archived() -> list[archive.ArchivedRun]:
            await cli(keyed, "archive", "run")
            return archive.runs_of(keyed.db_url, true)

        await eventually("the untouched run is archived", archived, seconds=30, every=0.5)
        agreed = await cli(keyed, "archive", "verify", true)
        assert "1 cross-checked with the bank's sealed records: 1 agree, 0 differ" in said(
            agreed)

        forged = await withdrawn_journey(client, keyed, folders[1])
    assert rewrite_temporal_db(e2e_settings, forged, b'"amount":"8000000"',
                               b'"amount":"1000000"')
    history = await audit.fetch_history(client, forged)
    assert b'"1000000"' in history.events[0].workflow_execution_started_event_attributes.input \
        .payloads[0].data  # what `history` and `status` would read

    told = await archive_refused(keyed)
    assert f"kept out of the archive, not sealed: {forged} run" in told
    assert "amount differs: the application in the history's started event (event 1)" in told
    assert "against credit exposure line #" in told and f"(of journey {forged})" in told
    assert "8,000,000" not in told and "8000000" not in told and "1000000" not in told
    assert archive.runs_of(keyed.db_url, forged) == []

    # archived, and sealed, as a pass before this check did: `archive verify` names it
    handle = client.get_workflow_handle(forged)
    assert _keep(keyed.db_url, DocumentStore.of(keyed), await handle.describe(),
                 audit.history_json(history), len(history.events), keyed.archive_seal_key)
    caught = await cli(keyed, "archive", "verify", forged, ok=False)
    told = said(caught)
    assert caught.returncode == 1, told
    assert "matches the server" in told and "1 replayed, 0 failed" in told  # as before
    assert "1 cross-checked with the bank's sealed records: 0 agree, 1 differ" in told
    assert "DIFFERS" in told and "amount differs" in told and "credit exposure line #" in told
    assert "8000000" not in told and "1000000" not in told


async def test_a_history_whose_approver_was_edited_is_not_archived(
    dev_server: WorkflowEnvironment, e2e_settings: Settings, tmp_path: Path
) -> None:
    """The approver of an update's payload changed in temporal.db: the approval's sealed
    exit still names the one who decided, whom no accepted update of the history names."""
    client = dev_server.client
    keyed = keyed_settings(e2e_settings, tmp_path)
    async with build_worker(client, keyed):
        journey, path = application(tmp_path, 2, "rm-chen")
        await cli(keyed, "start", str(path), *scans(2, *ALL))
        await until(client, journey, Stage.RISK_REVIEW, checked=True)
        await cli(keyed, *approving_opinion(journey, "cash flow covers", "--as", "risk-sme-1"))
        await cli(keyed, "decide", journey, "--verdict", "approve", "--reason", "within limit",
                  "--as", "appr-ho-1")
        await until(client, journey, Stage.OFFER)
        agrees = await cli(keyed, "records", "verify")  # a running journey's history too
        assert f"{RECORDS}: 1 row(s) checked, 0 changed" in said(agrees)

        assert rewrite_temporal_db(e2e_settings, journey, b"appr-ho-1", b"appr-ho-2")
        running = await cli(keyed, "records", "verify", ok=False)
        told = " ".join(said(running).replace("│", " ").split())
        assert running.returncode == 1, told
        assert f"{RECORDS}: 1 row(s) checked, 1 changed" in told
        assert f"history of {journey} run" in told and "decider differs" in told
        assert "appr-ho-1" not in told and "appr-ho-2" not in told
        customer = LABELS["company2_business_license.jpg"]["credit_code"]
        await cli(keyed, "withdraw", journey, "--reason", "rates elsewhere", "--as", customer)
        await client.get_workflow_handle(journey).result()

    told = await archive_refused(keyed)
    assert f"kept out of the archive, not sealed: {journey} run" in told
    assert ("decider differs: stage event #" in told and "(exited approval) (of journey "
            f"{journey}) names a decider other than the accepted update that decided its visit "
            "(event" in told), told
    assert "appr-ho-1" not in told and "appr-ho-2" not in told
    assert "risk_review" not in told  # the opinion's giver is the history's too
    assert archive.runs_of(keyed.db_url, journey) == []


EVIDENCE = "wet ink, witnessed by rm-chen"  # the signature's: its update's batch holds it


@pytest.fixture
async def forged(dev_server: WorkflowEnvironment) -> AsyncIterator[list[str]]:
    """The journeys a test pays out and then forges, terminated at its end: none is left
    running on the session's server, where another test's `book` or `verify` would list a
    loan whose history was edited, on a queue no worker polls any more."""
    journeys: list[str] = []
    yield journeys
    for journey in journeys:
        await dev_server.client.get_workflow_handle(journey).terminate(
            "test over: its history was edited")


async def paid_out_journey(client: Client, keyed: Settings, tmp_path: Path,
                           forged: list[str], backup: Path | None = None) -> tuple[str, str]:
    """Sample company 2's loan, approved, asked about by its customer at the offer (a status
    inquiry, an update of theirs), signed by them and paid out: its id and the customer's
    credit code, kept in `forged`. Its history holds to its sealed records (`records
    verify`). With `backup`, the journey database is backed up there before the signature."""
    journey, path = application(tmp_path, 2, "rm-chen")
    licence = LABELS["company2_business_license.jpg"]
    await cli(keyed, "start", str(path), *scans(2, *ALL))
    forged.append(journey)
    await until(client, journey, Stage.RISK_REVIEW, checked=True)
    await cli(keyed, *approving_opinion(journey, "cash flow covers", "--as", "risk-sme-1"))
    await cli(keyed, "decide", journey, "--verdict", "approve", "--reason", "within limit",
              "--as", "appr-ho-1")
    await until(client, journey, Stage.OFFER)
    await cli(keyed, "inquiry", journey, "--as", licence["credit_code"], "--channel", "phone")
    if backup is not None:
        with sqlite3.connect(keyed.data_dir / "journey.db") as live, \
                sqlite3.connect(backup) as copy:
            live.backup(copy)
    await cli(keyed, "sign", journey, "--as", licence["credit_code"], "--signatory",
              licence["legal_representative"], "--capacity", "legal_representative",
              "--evidence", EVIDENCE)
    await until(client, journey, Stage.POST_LOAN)
    agrees = await cli(keyed, "records", "verify")
    assert f"{RECORDS}: 1 row(s) checked, 0 changed" in said(agrees), said(agrees)
    return journey, licence["credit_code"]


async def records_changed(keyed: Settings, journey: str) -> str:
    """What `records verify` says of the journey's history, changed (exit 1)."""
    running = await cli(keyed, "records", "verify", ok=False)
    told = " ".join(said(running).replace("│", " ").split())
    assert running.returncode == 1, told
    assert f"{RECORDS}: 1 row(s) checked, 1 changed" in told and f"history of {journey} run" \
        in told, told
    return told


async def test_a_history_whose_payout_or_notice_was_edited_is_named_changed(
    dev_server: WorkflowEnvironment, e2e_settings: Settings, tmp_path: Path, forged: list[str]
) -> None:
    """The payout's booked amount in its activity's result, then the text of the notice that
    told the customer of it in its activity's input, changed in temporal.db: the ledger's
    sealed booking and the outbox's sealed notice still say what was booked and queued."""
    client = dev_server.client
    keyed = keyed_settings(e2e_settings, tmp_path)
    async with build_worker(client, keyed):
        journey, _ = await paid_out_journey(client, keyed, tmp_path, forged)

        booking = bookings_for(keyed.db_url, journey)[0].booking_id  # its result holds it
        assert rewrite_temporal_db(e2e_settings, journey, b'"amount":"3000000',
                                   b'"amount":"8000000', within=booking.encode())
        told = await records_changed(keyed, journey)
        assert "payout amount differs: the payout booked at event" in told, told
        assert "ledger booking #" in told and "payee differs" not in told
        assert "3000000" not in told and "8000000" not in told

        # the account it went into, as its result says it: the sealed booking's stands
        assert rewrite_temporal_db(e2e_settings, journey, b'"account":"1001020309000067890"',
                                   b'"account":"6222000000000000001"', within=booking.encode())
        told = await records_changed(keyed, journey)
        assert "payout account differs: the payout booked at event" in told, told
        assert "1001020309000067890" not in told and "6222000000000000001" not in told

        assert rewrite_temporal_db(e2e_settings, journey, b"into your account",
                                   b"into rm's account")
        told = await records_changed(keyed, journey)
        assert "notice text differs: the notice its notify activity was asked to queue at " \
            "event" in told, told
        assert "outbox notice #" in told and "notice recipient differs" not in told
        assert "your account" not in told and "rm's account" not in told


async def test_a_history_whose_signer_was_edited_is_named_though_they_acted_in_it(
    dev_server: WorkflowEnvironment, e2e_settings: Settings, tmp_path: Path, forged: list[str]
) -> None:
    """The signature's customer changed in its update's payload in temporal.db, not their
    status inquiry at the same offer: the customer the sealed offer exit names made an
    accepted update of the run, but not the one that decided the offer."""
    client = dev_server.client
    keyed = keyed_settings(e2e_settings, tmp_path)
    async with build_worker(client, keyed):
        journey, customer = await paid_out_journey(client, keyed, tmp_path, forged)
        other = customer[:-1] + ("0" if customer[-1] != "0" else "1")
        assert rewrite_temporal_db(e2e_settings, journey, f'"id":"{customer}"'.encode(),
                                   f'"id":"{other}"'.encode(), within=EVIDENCE.encode())

        told = await records_changed(keyed, journey)
    assert ("decider differs: stage event #" in told and f"(exited offer) (of journey "
            f"{journey}) names a decider other than the accepted update that decided its visit "
            "(event" in told), told
    assert customer not in told and other not in told


async def test_a_journey_database_restored_older_than_the_history_is_not_told_to_restore_temporal(
    dev_server: WorkflowEnvironment, e2e_settings: Settings, tmp_path: Path, forged: list[str]
) -> None:
    """The journey database restored alone from a backup taken before the payout: the
    history holds a payout and notices the records lack. The money was paid: `records verify`
    says the journey database is the older, not to restore the Temporal database (which would
    lose the payout's history)."""
    client = dev_server.client
    keyed = keyed_settings(e2e_settings, tmp_path)
    backup = tmp_path / "before-payout.db"
    async with build_worker(client, keyed):
        journey, _ = await paid_out_journey(client, keyed, tmp_path, forged, backup)
    with sqlite3.connect(backup) as copy, \
            sqlite3.connect(keyed.data_dir / "journey.db") as live:
        copy.backup(live)

    told = await records_changed(keyed, journey)
    assert "payout differs: the payout booked at event" in told, told
    assert "has no ledger booking of its booking id" in told
    assert "the journey database lacks what the history says the workers wrote" in told
    assert "do not restore the Temporal database" in told
    assert "was changed outside the engine, the sealed records not" not in told
    assert (f"of {journey} are in its history, not in the database: `loan-journey records "
            f"rebuild-events {journey}`") in told, told  # its newest stage events, too

    await cli(keyed, "records", "rebuild-events", journey)
    told = await records_changed(keyed, journey)  # the payout and notices are still lacking
    assert "has no ledger booking of its booking id" in told
    assert "are in its history, not in the database" not in told, told


async def test_a_reset_run_is_named_reset_not_forged_until_a_supervisor_acknowledges_it(
    dev_server: WorkflowEnvironment, e2e_settings: Settings, tmp_path: Path, forged: list[str]
) -> None:
    """The paid-out journey reset on the server to the workflow task before its signature
    (the signature applied again, as `temporal workflow reset` does by default): the records
    keep the run before the reset, whose offer exit the new run did not write. `records
    verify` names that exit as thrown away by the reset, which it names with its reason on the
    bank's clock, and says to check it with whoever made it and how a supervisor acknowledges
    it; the trail names who signed again. A supervisor acknowledges it (an auditor may not;
    another key is refused): verify then holds that exit to the run reset from, and passes,
    telling the acknowledgement. The acknowledgement changed in the database is not taken:
    the finding is back, and acknowledging again says to restore it."""
    client = dev_server.client
    keyed = keyed_settings(e2e_settings, tmp_path)
    async with build_worker(client, keyed):
        journey, code = await paid_out_journey(client, keyed, tmp_path, forged)
        history = await audit.fetch_history(client, journey)
        signed = next(e.event_id for e in history.events if e.HasField(
            "workflow_execution_update_accepted_event_attributes") and EVIDENCE.encode() in
            e.workflow_execution_update_accepted_event_attributes.accepted_request.input
            .args.payloads[0].data)
        task = max(e.event_id for e in history.events if e.event_id < signed
                   and e.HasField("workflow_task_completed_event_attributes"))
        made = await client.workflow_service.reset_workflow_execution(
            ResetWorkflowExecutionRequest(
                namespace=client.namespace,
                workflow_execution=WorkflowExecution(workflow_id=journey),
                reason="BCP drill: reset before the signature",
                workflow_task_finish_event_id=task, request_id=str(uuid.uuid4())))
        await until(client, journey, Stage.POST_LOAN)
        # its own id, not the one its started event keeps (the replay report's, the trail's)
        assert audit.run_id(await audit.fetch_history(client, journey)) == made.run_id
        running = await cli(keyed, "records", "verify", ok=False)
        trail = await cli(keyed, "history", journey, columns=False)
    told = " ".join(said(running).replace("│", " ").split())
    assert running.returncode == 1, told
    # both runs are checked: the one reset away agrees with what its workers wrote; the one
    # the reset made is named by its own id
    assert f"{RECORDS}: 2 row(s) checked, 1 changed" in told, told
    assert f"history of {journey} run {made.run_id}" in told, told
    assert (f"(exited offer) (of journey {journey}), stage event" in told and "written in the "
            f"part of the run the reset at event {task} of {journey} run {made.run_id} (" in
            told), told
    assert "UTC+8, reason: BCP drill: reset before the signature) threw away, by the run it " \
        "was reset from" in told, told
    assert "check that reset with whoever made it" in told
    assert f"records acknowledge-reset {journey} --run {made.run_id}" in told, told
    assert "decider differs" not in told, told
    assert "do as each says" in told, told
    # the signature the server applied again, by whom, in the trail
    lines = [line for line in said(trail).split("update sign") if code in line]
    assert "(applied again by a reset)" in said(trail) and lines, said(trail)

    why = "BCP drill of 7 Dec, checked with IT operations (change 4711)"
    refused = await cli(keyed, "records", "acknowledge-reset", journey, "--as", "audit-1",
                        "--why", why, ok=False)
    assert refused.returncode == 3 and "no reset acknowledged" in said(refused), said(refused)
    other = keyed.model_copy(update={"archive_key": SecretStr("another-key-0123456789")})
    wrong = await cli(other, "records", "acknowledge-reset", journey, "--as", "sup-sme",
                      "--why", why, ok=False)
    assert wrong.returncode == 8, said(wrong)
    done = await cli(keyed, "records", "acknowledge-reset", journey, "--as", "sup-sme",
                     "--why", why)
    assert (f"the reset at event {task} of {journey} run {made.run_id} (" in said(done)
            and "BCP drill: reset before the signature" in said(done)
            and said(done).endswith(": acknowledged")), said(done)
    again = await cli(keyed, "records", "acknowledge-reset", journey, "--as", "sup-sme",
                      "--why", why, "--run", made.run_id)
    assert "acknowledged before, left as it was" in said(again), said(again)

    clean = await cli(keyed, "records", "verify")
    told = " ".join(said(clean).replace("│", " ").split())
    assert f"{RECORDS}: 2 row(s) checked, 0 changed" in told, told
    assert f"run {made.run_id} (" in told and f"acknowledged by sup-sme: {why}" in told, told
    assert "reset acknowledgements: 1 row(s) checked, 0 changed" in told, told

    with sqlite3.connect(keyed.data_dir / "journey.db") as db:
        db.execute("UPDATE reset_acknowledgements SET acknowledged_by = 'sup-corp'")
    tampered = await cli(keyed, "records", "verify", ok=False)
    told = " ".join(said(tampered).replace("│", " ").split())
    assert tampered.returncode == 1, told
    assert "reset acknowledgements: 1 row(s) checked, 1 changed" in told, told
    assert f"{RECORDS}: 2 row(s) checked, 1 changed" in told, told
    assert "acknowledged by" not in told, told
    assert "its acknowledgement (acknowledgement #1 of the reset" in told, told
    lost = await cli(keyed, "records", "acknowledge-reset", journey, "--as", "sup-sme",
                     "--why", why, ok=False)
    assert lost.returncode == 1 and "fails its seal: restore it from a backup" in said(lost), \
        said(lost)
