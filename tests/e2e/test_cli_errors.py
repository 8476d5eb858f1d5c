"""Mistakes an operator makes get a message and an exit code, never a traceback, whichever
command they are made in: a file that is not there, a journey database that cannot be used
(its password never printed), a query or a run id the Temporal server refuses."""

from __future__ import annotations

import asyncio
import json
import subprocess
import uuid
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from temporalio.client import WorkflowExecutionStatus
from temporalio.service import RPCError, RPCStatusCode
from temporalio.testing import WorkflowEnvironment

from journey.credit_code import generate
from journey.policy import WorkingCalendar
from journey.settings import Settings
from starter.operations import server_gave_up
from store import archive
from store.refusals import Refusal
from store.refusals import refusals as refused_attempts
from tests.e2e.conftest import SAMPLES, env_for
from tests.e2e.processes import eventually
from tests.e2e.server_calls import delete_run
from tests.e2e.test_archive import CUSTOMER, _gone, withdrawn_journey
from tests.e2e.test_journey_on_dev_server import CLI, cli

pytestmark = pytest.mark.e2e


def told(done, code: int) -> str:  # noqa: ANN001
    assert done.returncode == code, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    return " ".join(done.stderr.split())


def another_borrowers_sample() -> dict[str, Any]:
    """demo-001's application for a borrower of its own: the journeys these tests start stay
    out of the demo borrower's exposure, which routing weighs (统一授信) for the journey of
    tests/e2e/test_journey_on_dev_server.py on the same database."""
    sample = json.loads((SAMPLES / "applications" / "demo-001.json").read_text("utf-8"))
    return {**sample, "credit_code": generate()}


async def test_commands_without_a_server_name_the_file_or_the_database(
    e2e_settings: Settings, tmp_path: Path
) -> None:
    nowhere = e2e_settings.model_copy(update={"data_dir": tmp_path / "none"})
    assert "no journey database at" in told(await cli(nowhere, "report", ok=False), 2)
    assert "no journey database at" in told(
        await cli(nowhere, "export", "--format", "csv", "--out", str(tmp_path / "x.csv"),
                  ok=False), 2)
    assert "Can't load plugin" in told(
        await cli(nowhere, "report", "--db", "garbage://", ok=False), 5)
    missing = told(await cli(e2e_settings, "documents", "loan-x", str(tmp_path / "gone.jpg"),
                             "--as", "91440300HNAG2PQU4A", ok=False), 2)
    assert "gone.jpg" in missing and "No such file" in missing

    back = await cli(nowhere, "archive", "run", "--overlap", "-5", ok=False)
    assert back.returncode == 2 and "--overlap" in back.stderr  # a look ahead would skip runs

    secret = "postgresql+psycopg://pguser:S3cretPW@127.0.0.1:1/journey"
    down = await cli(nowhere.model_copy(update={"database_url": secret}), "db", "upgrade",
                     ok=False)
    assert "the journey database cannot be used" in told(down, 5)
    assert "S3cretPW" not in down.stdout + down.stderr


async def test_what_the_temporal_server_refuses_is_told_as_bad_input(
    dev_server: WorkflowEnvironment, e2e_settings: Settings, tmp_path: Path
) -> None:
    query = told(await cli(e2e_settings, "list", "--query", "bogus ===", ok=False), 2)
    assert "the Temporal server refused the request" in query
    none = await cli(e2e_settings, "verify", "-q", "WorkflowId = 'loan-NO-SUCH'", ok=False)
    assert none.returncode == 1 and "nothing to replay: no history matched" in none.stderr
    handle = await dev_server.client.start_workflow(
        "LoanJourneyWorkflow", id=f"errors-{uuid.uuid4()}", task_queue=f"none-{uuid.uuid4()}")
    try:
        run = told(await cli(e2e_settings, "history", handle.id, "--run-id", "bogus",
                             ok=False), 2)
        assert "the Temporal server refused the request" in run
        out = told(await cli(e2e_settings, "history", handle.id, "-o",
                             str(tmp_path / "no" / "dir" / "x.txt"), ok=False), 2)
        assert "x.txt" in out and "No such file" in out
    finally:
        await handle.terminate("test over")


async def test_an_application_from_someone_not_allowed_to_submit_is_not_started(
    dev_server: WorkflowEnvironment, e2e_settings: Settings, tmp_path: Path
) -> None:
    sample = another_borrowers_sample()
    scan = str(SAMPLES / "demo" / "company1_business_license.jpg")
    for submitter, says in [({"id": "nobody-x", "role": "auditor"}, "not in the staff directory"),
                            ({"id": "risk-sme-1", "role": "risk_officer"}, "this needs one of")]:
        app = {**sample, "application_id": f"APP-NOBODY-{uuid.uuid4().hex[:6]}",
               "submitted_by": submitter}
        path = tmp_path / "application.json"
        path.write_text(json.dumps(app, ensure_ascii=False), encoding="utf-8")
        refused = told(await cli(e2e_settings, "start", str(path), scan, ok=False), 3)
        assert "not started" in refused and says in refused
        never = dev_server.client.get_workflow_handle(f"loan-{app['application_id']}")
        with pytest.raises(RPCError):
            await never.describe()  # nothing reached a history
        # but auditors see the attempt: who, what, from where, why
        kept = (await cli(e2e_settings, "refusals", never.id)).stdout
        row = [c.strip() for c in next(ln for ln in kept.splitlines() if never.id in ln)
               .split("│")]
        assert row[2:6] == [never.id, "start", submitter["id"], submitter["role"]]
        assert "pid" in row[6] and says in " ".join(kept.split())


def test_a_query_the_server_gave_up_on_is_no_answer_and_others_are_not() -> None:
    def rpc(status: RPCStatusCode, message: str) -> RPCError:
        return RPCError(message, status, b"")

    poller = "no poller seen for task queue recently, worker may be down"
    assert server_gave_up(rpc(RPCStatusCode.FAILED_PRECONDITION, poller))
    assert server_gave_up(rpc(RPCStatusCode.CANCELLED, "context canceled"))
    assert server_gave_up(rpc(RPCStatusCode.DEADLINE_EXCEEDED, "deadline exceeded"))
    assert not server_gave_up(rpc(RPCStatusCode.FAILED_PRECONDITION, "workflow is closing"))
    assert not server_gave_up(rpc(RPCStatusCode.NOT_FOUND, "workflow not found"))


async def test_an_application_names_an_industry_and_a_region_the_policy_knows(
    dev_server: WorkflowEnvironment, e2e_settings: Settings, tmp_path: Path
) -> None:
    """Routing matches the policy's codes: an industry it does not know could pass a listed
    one by the committee, so it is refused, as is a rate agreed below the policy's floor, a
    field the engine does not take (a currency) and one file given twice; another name for
    a code is kept as the code. Starting it again says it exists."""
    sample = another_borrowers_sample()
    scan = str(SAMPLES / "demo" / "company1_business_license.jpg")
    path = tmp_path / "application.json"

    def written(**fields: object) -> str:
        app = {**sample, "application_id": f"APP-CODE-{uuid.uuid4().hex[:6]}", **fields}
        path.write_text(json.dumps(app, ensure_ascii=False), encoding="utf-8")
        return app["application_id"]

    unknown = written(industry="房地产开发经营与物业", region="XX", annual_rate="0")
    refused = told(await cli(e2e_settings, "start", str(path), scan, ok=False), 2)
    assert "industry '房地产开发经营与物业' is not in the policy's list" in refused
    assert "real_estate" in refused and "region 'XX'" in refused
    assert "the agreed rate 0.0000% is below the policy's floor" in refused

    extra = written(currency="USD")
    foreign = told(await cli(e2e_settings, "start", str(path), scan, ok=False), 2)
    assert "has field(s) this engine does not take: currency" in foreign
    twice = told(await cli(e2e_settings, "start", str(path), scan, scan, ok=False), 2)
    assert "is the same document as" in twice
    ghost = {"sha256": "0" * 64, "filename": "ghost.jpg", "size": 10}
    written(documents=[ghost])
    unstored = told(await cli(e2e_settings, "start", str(path), scan, ok=False), 2)
    assert "ghost.jpg named in it but not in the document store" in unstored
    for never in (unknown, extra):
        with pytest.raises(RPCError):
            await dev_server.client.get_workflow_handle(f"loan-{never}").describe()

    known = written(industry="房地产开发", region="中国")
    started = await cli(e2e_settings, "start", str(path), scan)
    assert "no worker polls" not in started.stdout  # the session's worker polls its queue
    history = await dev_server.client.get_workflow_handle(f"loan-{known}").fetch_history()
    started = history.events[0].workflow_execution_started_event_attributes.input.payloads[0]
    application = json.loads(started.data)["application"]
    assert (application["industry"], application["region"]) == ("real_estate", "CN")
    again = told(await cli(e2e_settings, "start", str(path), scan, ok=False), 2)
    assert f"application {known} was already started on " in again
    assert " and is at " in again and "give the new application its own id" in again
    await dev_server.client.get_workflow_handle(f"loan-{known}").terminate("test over")


def kept_rows(settings: Settings, workflow_id: str) -> list[Refusal]:
    return refused_attempts(settings.db_url, workflow_id)


async def listed(settings: Settings, workflow_id: str) -> list[list[str]]:
    """`loan-journey refusals <id>`: its table's rows, each a list of cells (a long reason
    wraps onto the lines after its row, with empty cells beside it)."""
    shown = (await cli(settings, "refusals", workflow_id)).stdout
    rows: list[list[str]] = []
    for line in shown.splitlines():
        cells = [c.strip() for c in line.split("│")[1:-1]]
        if len(cells) != 7:
            continue
        if cells[1]:
            rows.append(cells)
        elif rows:
            rows[-1] = [f"{a} {b}".strip() for a, b in zip(rows[-1], cells, strict=True)]
    return rows


async def test_what_the_command_line_refuses_before_sending_is_kept_for_auditors(
    dev_server: WorkflowEnvironment, e2e_settings: Settings, tmp_path: Path
) -> None:
    """Not only what a journey or the server refuses: an application the command line turns
    away before a journey exists (kept under the journey id it would have had), a field it
    does not take, a review cadence, an amount an update cannot carry. Each is in the journey
    database once, and listed with who tried it and why."""
    settings = e2e_settings
    sample = another_borrowers_sample()
    scan = str(SAMPLES / "demo" / "company1_business_license.jpg")
    path = tmp_path / "application.json"

    def written(**fields: object) -> str:
        app = {**sample, "application_id": f"APP-KEPT-{uuid.uuid4().hex[:6]}", **fields}
        path.write_text(json.dumps(app, ensure_ascii=False), encoding="utf-8")
        return f"loan-{app['application_id']}"

    unknown = written(industry="房地产开发经营与物业", annual_rate="0")
    told(await cli(settings, "start", str(path), scan, ok=False), 2)
    (row,) = await listed(settings, unknown)
    assert row[1:5] == [unknown, "start", "rm-zhang", "relationship_manager"]
    assert "pid" in row[5] and "not started" in row[6]
    assert "industry '房地产开发经营与物业' is not in the policy's list" in row[6]
    assert "below the policy's floor" in row[6]
    (kept,) = kept_rows(settings, unknown)  # in the database, once
    assert kept.action == "start" and "below the policy's floor" in kept.reason
    with pytest.raises(RPCError):
        await dev_server.client.get_workflow_handle(unknown).describe()  # and nothing started

    foreign = written(currency="USD")
    told(await cli(settings, "start", str(path), scan, ok=False), 2)
    (row,) = await listed(settings, foreign)
    assert row[2] == "start" and "does not take: currency" in row[6]
    twice = written()
    told(await cli(settings, "start", str(path), scan, scan, ok=False), 2)
    (row,) = await listed(settings, twice)
    assert row[2] == "start" and "is the same document as" in row[6]

    # an update the command line cannot send, and a review schedule's cadence and staff check
    loan = f"loan-APP-KEPT-{uuid.uuid4().hex[:6]}"
    told(await cli(settings, "repay", loan, "--amount", "-5", "--reference", "R-1",
                   "--as", "ops-li", ok=False), 2)
    told(await cli(settings, "schedules", "create", loan, "--as", "ops-li", "--every", "5",
                   ok=False), 2)
    told(await cli(settings, "schedules", "pause", loan, "--as", "nobody-x", ok=False), 3)
    rows = await listed(settings, loan)
    assert [r[2:5] for r in rows] == [["record_repayment", "ops-li", "operations"],
                                      ["schedule created", "ops-li", "operations"],
                                      ["schedule paused", "nobody-x", "operations"]]
    assert "amount: Input should be greater than 0" in rows[0][6]
    assert "--every: reviews every 5 months" in rows[1][6]
    assert "not in the staff directory" in rows[2][6]
    assert len(kept_rows(settings, loan)) == 3


@pytest.mark.parametrize("role", ["all", "documents"])
async def test_a_worker_for_a_namespace_that_does_not_exist_says_so(
    dev_server: WorkflowEnvironment, e2e_settings: Settings, role: str
) -> None:
    """A reader makes no call before it polls: the SDK's validation says it, not the server."""
    env = {**env_for(e2e_settings), "LOAN_JOURNEY_TEMPORAL_NAMESPACE": "nope",
           "LOAN_JOURNEY_WORKER_ROLE": role}
    done = await asyncio.to_thread(subprocess.run, [*CLI, "worker"], env=env,
                                   capture_output=True, text=True, timeout=90)
    said = told(done, 5)
    assert "Namespace nope" in said and "check LOAN_JOURNEY_TEMPORAL_NAMESPACE" in said


async def test_a_command_in_a_namespace_that_does_not_exist_says_so(
    dev_server: WorkflowEnvironment, e2e_settings: Settings
) -> None:
    """Not 'no journey': the setting to check."""
    env = {**env_for(e2e_settings), "LOAN_JOURNEY_TEMPORAL_NAMESPACE": "nope"}
    for args in (["status", "loan-x"],
                 ["opinion", "loan-x", "--verdict", "approve", "--grade", "3", "--reason", "ok",
                  "--as", "risk-sme-1"]):
        done = await asyncio.to_thread(subprocess.run, [*CLI, *args], env=env,
                                       capture_output=True, text=True, timeout=90)
        said = told(done, 5)
        assert "Namespace nope" in said and "check LOAN_JOURNEY_TEMPORAL_NAMESPACE" in said


async def test_an_amount_below_the_products_minimum_is_refused_before_temporal(
    dev_server: WorkflowEnvironment, e2e_settings: Settings, tmp_path: Path
) -> None:
    """1 yuan of working capital is refused with the policy's minimum for the product, before
    the command line reaches Temporal (here an address where no server is); the minimum itself
    starts a journey."""
    sample = another_borrowers_sample()
    scan = str(SAMPLES / "demo" / "company1_business_license.jpg")
    path = tmp_path / "application.json"

    def written(amount: str) -> str:
        app = {**sample, "application_id": f"APP-MIN-{uuid.uuid4().hex[:6]}", "amount": amount}
        path.write_text(json.dumps(app, ensure_ascii=False), encoding="utf-8")
        return app["application_id"]

    tiny = written("1")
    nowhere = e2e_settings.model_copy(update={"temporal_address": "127.0.0.1:1"})
    refused = told(await cli(nowhere, "start", str(path), scan, ok=False), 2)
    assert (f"application {tiny} not started: the amount 1.00 yuan is below the least the "
            "bank lends for a working_capital loan, 500,000.00 yuan (policy 2026.12-8): apply "
            "for at least 500,000.00") in refused
    with pytest.raises(RPCError):
        await dev_server.client.get_workflow_handle(f"loan-{tiny}").describe()

    least = written("500000")
    await cli(e2e_settings, "start", str(path), scan)
    await dev_server.client.get_workflow_handle(f"loan-{least}").terminate("test over")


async def test_a_term_beyond_the_products_longest_and_a_rate_above_the_ceiling_are_refused(
    dev_server: WorkflowEnvironment, e2e_settings: Settings, tmp_path: Path
) -> None:
    """Ten years of working capital, and a rate of 35% agreed in the application, are refused
    with the policy's maximum and ceiling before the command line reaches Temporal (an address
    where no server is), kept for auditors; 36 months at the ceiling starts a journey."""
    sample = another_borrowers_sample()
    scan = str(SAMPLES / "demo" / "company1_business_license.jpg")
    path = tmp_path / "application.json"

    def written(**fields: object) -> str:
        app = {**sample, "application_id": f"APP-MAX-{uuid.uuid4().hex[:6]}", **fields}
        path.write_text(json.dumps(app, ensure_ascii=False), encoding="utf-8")
        return app["application_id"]

    nowhere = e2e_settings.model_copy(update={"temporal_address": "127.0.0.1:1"})
    decade = written(term_months=120)
    refused = told(await cli(nowhere, "start", str(path), scan, ok=False), 2)
    assert (f"application {decade} not started: the term of 120 months is longer than the "
            "bank lends a working_capital loan for, 36 months (policy 2026.12-8): apply for at "
            "most 36 months") in refused
    usury = written(annual_rate="0.35")
    refused = told(await cli(nowhere, "start", str(path), scan, ok=False), 2)
    assert (f"application {usury} not started: the agreed rate 35.0000% is above the "
            "policy's ceiling of 7.1000% (1y LPR 3.10% +4.00%): agree a lower rate") in refused
    for never in (decade, usury):
        assert [r.action for r in kept_rows(e2e_settings, f"loan-{never}")] == ["start"]
        with pytest.raises(RPCError):
            await dev_server.client.get_workflow_handle(f"loan-{never}").describe()

    longest = written(term_months=36, annual_rate="0.071")
    await cli(e2e_settings, "start", str(path), scan)
    await dev_server.client.get_workflow_handle(f"loan-{longest}").terminate("test over")


async def test_a_closed_journeys_application_id_is_not_started_again(
    dev_server: WorkflowEnvironment, e2e_settings: Settings, tmp_path: Path
) -> None:
    """An application id is used once: a start under the id of a journey that has closed
    (its customer withdrew) is refused with when it started and how it ended, kept for
    auditors, and the closed journey stays the only run under its id; once the server has
    deleted it (its retention), the archive still refuses the id."""
    client = dev_server.client
    journey = await withdrawn_journey(client, e2e_settings, tmp_path)
    started = (await client.get_workflow_handle(journey).describe()).start_time
    application_id = journey.removeprefix("loan-")
    scan = str(SAMPLES / "demo" / "company3_business_license.jpg")
    again = told(await cli(e2e_settings, "start", str(tmp_path / "application.json"), scan,
                           ok=False), 2)
    assert (f"application {application_id} not started" not in again
            and f"application {application_id} was already started on "
            f"{WorkingCalendar().day_of(started)} and is withdrawn: give the new application "
            f"its own id (the first: `loan-journey status {journey}`)") in again
    assert [r.action for r in kept_rows(e2e_settings, journey)] == ["start"]
    runs = [run async for run in client.list_workflows(f"WorkflowId = '{journey}'")]
    assert [run.status for run in runs] == [WorkflowExecutionStatus.COMPLETED]

    (kept,) = await archive_closed_run(e2e_settings, journey)
    await delete_run(client, journey, kept.run_id)
    await eventually("the server deletes the run", partial(_gone, client, journey),
                     seconds=60, every=0.5)
    deleted = told(await cli(e2e_settings, "start", str(tmp_path / "application.json"), scan,
                             ok=False), 2)
    assert (f"application {application_id} was already started and its journey closed on "
            f"{WorkingCalendar().day_of(kept.closed_at)} (completed); its history is archived "
            f"(`loan-journey history {journey}`): give the new application its own id"
            ) in deleted
    assert await _gone(client, journey)  # nothing started under it again


async def archive_closed_run(settings: Settings, journey: str) -> list[archive.ArchivedRun]:
    """`loan-journey archive run` until the archive holds the journey's closed run (visibility
    may list it a moment late): its archived runs."""
    async def archived() -> list[archive.ArchivedRun]:
        await cli(settings, "archive", "run")
        return archive.runs_of(settings.db_url, journey)

    return await eventually("the closed run is archived", archived, seconds=30, every=0.5)


async def test_a_journey_id_as_copied_is_trimmed_and_a_near_miss_says_which_was_meant(
    dev_server: WorkflowEnvironment, e2e_settings: Settings, tmp_path: Path
) -> None:
    """An id copied from a table with its spaces is the journey's; the application's own id
    (as notices name it) and an id a character off are no journey, and the refusal names the
    journey meant, for a read and for an act alike."""
    journey = await withdrawn_journey(dev_server.client, e2e_settings, tmp_path)
    copied = await cli(e2e_settings, "status", f" {journey}\u3000")
    assert journey in copied.stdout
    application_id = journey.removeprefix("loan-")
    by_application = told(await cli(e2e_settings, "status", application_id, ok=False), 4)
    assert f"no journey {application_id!r}" in by_application
    assert f"(did you mean {journey}?)" in by_application
    off_by_one = journey[:-1] + ("X" if journey[-1] != "X" else "Y")
    acted = told(await cli(e2e_settings, "withdraw", off_by_one, "--reason", "typo",
                           "--as", CUSTOMER, ok=False), 4)
    assert f"no running journey {off_by_one!r} (did you mean {journey}?)" in acted
    unlike = told(await cli(e2e_settings, "status", "loan-NOTHING-LIKE-IT", ok=False), 4)
    assert "did you mean" not in unlike
