"""How the two processes end: the worker on `docker stop` (SIGTERM) or Ctrl-C, and the
command line after a command; both on a bad setting, with a message that names it.

The worker image runs `python worker.py` as the container's PID 1, which ignores a SIGTERM
it has no handler for: docker would wait out the stop grace period and kill it mid-task.
Both end with `os._exit` once their output is out: Python's own teardown can abort on the
Temporal SDK's native threads (temporalio/sdk-python#300), which turned a refused update's
exit code 3 into SIGABRT on a loaded machine.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import uuid
from pathlib import Path

import pytest
from alembic import command as alembic_command
from alembic.script import ScriptDirectory
from sqlalchemy import text
from temporalio.testing import WorkflowEnvironment

from journey.settings import Settings
from starter.codec import new_key
from store import blobs
from store.db import alembic_config, engine_for, head_revision, migrate
from tests.deploy.deploy_files import ROOT
from tests.ports import free_port, free_port_pair

# Stands in for Python's teardown: it runs only if the process ends the usual way.
TORN_DOWN = "import atexit; atexit.register(lambda: print('torn down', flush=True)); "
IMAGE_WORKER = TORN_DOWN + "import worker; worker.main()"
WORKER_COMMAND = TORN_DOWN + "import sys; sys.argv = ['loan-journey', 'worker']; " + (
    "from starter.cli import main; main()")
START = TORN_DOWN + "import sys; sys.argv = ['loan-journey', 'start', 'app.json', " + (
    "'licence.jpg']; from starter.cli import main; main()")
LIST = TORN_DOWN + "import sys; sys.argv = ['loan-journey', 'refusals']; " + (
    "from starter.cli import main; main()")
DB_UPGRADE = TORN_DOWN + "import sys; sys.argv = ['loan-journey', 'db', 'upgrade']; " + (
    "from starter.cli import main; main()")


# `loan-journey worker` logs as the image's worker does: its role and queues, "stopped"
@pytest.mark.parametrize(("command", "sig", "role"), [
    (IMAGE_WORKER, signal.SIGTERM, "all"),
    (IMAGE_WORKER, signal.SIGINT, "all"),
    (WORKER_COMMAND, signal.SIGTERM, "journeys"),
], ids=["SIGTERM", "SIGINT", "worker-command"])
async def test_the_worker_stops_polling_and_exits_0_on_a_stop_signal(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path, command: str, sig: signal.Signals,
    role: str
) -> None:
    queue = f"stop-{uuid.uuid4()}"
    env = {
        **os.environ,
        "LOAN_JOURNEY_TEMPORAL_ADDRESS": time_skipping_env.client.service_client.config.target_host,
        "LOAN_JOURNEY_TASK_QUEUE": queue,
        "LOAN_JOURNEY_DATA_DIR": str(tmp_path),
        "LOAN_JOURNEY_WORKER_ROLE": role,
        "PYTHONPATH": str(ROOT),
    }
    worker = await asyncio.create_subprocess_exec(
        sys.executable, "-c", command,
        cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    assert worker.stderr is not None
    seen: list[str] = []
    polling = f"{role} worker polling task queue(s) {queue}, "
    try:
        while polling not in (line := (await asyncio.wait_for(
            worker.stderr.readline(), 90)).decode()):
            assert line, f"the worker ended before it polled: {''.join(seen)}"
            seen.append(line)
        worker.send_signal(sig)
        out, err = (s.decode() for s in await asyncio.wait_for(worker.communicate(), 90))
    finally:
        if worker.returncode is None:
            worker.kill()
    assert worker.returncode == 0, err
    assert "stopped" in err and "Fatal Python error" not in err
    assert "torn down" not in out


BAD_SLOTS = {"LOAN_JOURNEY_OCR_SLOTS": "0"}
SAYS_BAD_SLOTS = "LOAN_JOURNEY_OCR_SLOTS: Input should be greater than or equal to 1"


@pytest.mark.parametrize(
    ("args", "settings", "code", "says"),
    [
        (["--help"], {}, 0, "schedules"),  # the last command of the help: all of it came out
        (["start", "missing.json", "missing.jpg"], {}, 2, "cannot read document"),
        (["list"], BAD_SLOTS, 5, SAYS_BAD_SLOTS),
    ],
    ids=["help", "bad-input", "bad-setting"],
)
async def test_the_command_line_exits_with_its_code_without_pythons_teardown(
    tmp_path: Path, args: list[str], settings: dict[str, str], code: int, says: str
) -> None:
    command = TORN_DOWN + f"import sys; sys.argv = ['loan-journey', *{args!r}]; " + (
        "from starter.cli import main; main()"
    )
    said = await _said(command, tmp_path, settings, code)
    assert says in said
    assert "torn down" not in said and "Traceback" not in said


async def test_the_worker_names_a_bad_setting_and_exits_5(tmp_path: Path) -> None:
    bad = {**BAD_SLOTS, "LOAN_JOURNEY_WORKFLOW_CACHE": "s3cret"}  # values are not echoed
    said = await _said(IMAGE_WORKER, tmp_path, bad, 5)
    assert said.startswith("error: bad setting: ") and SAYS_BAD_SLOTS in said
    assert "LOAN_JOURNEY_WORKFLOW_CACHE: Input should be a valid integer" in said
    assert "Traceback" not in said and "s3cret" not in said


async def test_the_worker_that_cannot_reach_temporal_says_so_and_exits_5(tmp_path: Path) -> None:
    """The stack's worker starting before the Temporal frontend listens: a message for the
    container's log, not a traceback, and the setup error's code for the restart policy."""
    nobody = {"LOAN_JOURNEY_TEMPORAL_ADDRESS": f"127.0.0.1:{free_port()}",
              "LOAN_JOURNEY_DATA_DIR": str(tmp_path)}
    said = await _said(IMAGE_WORKER, tmp_path, nobody, 5)
    assert "error: the Temporal server at 127.0.0.1:" in said and "did not answer" in said
    assert "tonic" not in said
    assert "Traceback" not in said and "torn down" not in said


async def _said(command: str, cwd: Path, settings: dict[str, str], code: int) -> str:
    """What `python -c command` printed, once it ended with `code`."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", command, cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200", **settings},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 90)
    said = out.decode() + err.decode()
    assert proc.returncode == code, said
    return said


@pytest.mark.parametrize(("setting", "says"), [
    ({"LOAN_JOURNEY_WORKFLOW_CACHE": "-5"},
     "LOAN_JOURNEY_WORKFLOW_CACHE: Input should be greater than or equal to 0"),
    # the journey's metrics go on the next port, which must exist too
    ({"LOAN_JOURNEY_METRICS_PORT": "65535"},
     "LOAN_JOURNEY_METRICS_PORT: Input should be less than or equal to 65534"),
    ({"LOAN_JOURNEY_UI_PORT": "70000"},
     "LOAN_JOURNEY_UI_PORT: Input should be less than or equal to 65535"),
    ({"LOAN_JOURNEY_TEMPORAL_ADDRESS": "127.0.0.1:99999"},
     "LOAN_JOURNEY_TEMPORAL_ADDRESS: Value error, give host:port, the port from 1 to 65535"),
    ({"LOAN_JOURNEY_TASK_QUEUE": ""},
     "LOAN_JOURNEY_TASK_QUEUE: String should have at least 1 character"),
    ({"LOAN_JOURNEY_TEMPORAL_NAMESPACE": ""},
     "LOAN_JOURNEY_TEMPORAL_NAMESPACE: String should have at least 1 character"),
    ({"LOAN_JOURNEY_DATABASE_URL": "postgresql+psycopg://u:s3cret@db:5432x/j"},
     "LOAN_JOURNEY_DATABASE_URL: Value error, its port is not a number"),
    ({"LOAN_JOURNEY_DATABASE_URL": "postgresql+psycopg://u:s3cret@db:65536/j"},
     "LOAN_JOURNEY_DATABASE_URL: Value error, its port must be from 1 to 65535"),
    # the OCR engine's, by the names they had before they were settings
    ({"OCR_THREADS": "two"}, "OCR_THREADS: Input should be a valid integer"),
    ({"OCR_TIMEOUT_S": "0"}, "OCR_TIMEOUT_S: Input should be greater than 0"),
    ({"OCR_ENGINE": "easyocr"}, "OCR_ENGINE: Input should be 'tesserocr' or 'pytesseract'"),
])
async def test_the_worker_names_a_setting_out_of_range_and_exits_5(
    tmp_path: Path, setting: dict[str, str], says: str
) -> None:
    said = await _said(IMAGE_WORKER, tmp_path, setting, 5)
    assert said.startswith("error: bad setting: ") and says in said
    assert "Traceback" not in said and "s3cret" not in said


@pytest.mark.parametrize("taken", [0, 1], ids=["sdk-port", "journey-port"])
async def test_the_worker_whose_metrics_port_is_taken_says_so_and_exits_5(
    tmp_path: Path, taken: int
) -> None:
    port = free_port_pair(1)
    with socket.socket() as holder:
        holder.bind(("0.0.0.0", port + taken))
        holder.listen()
        said = await _said(IMAGE_WORKER, tmp_path,
                           {"LOAN_JOURNEY_METRICS_PORT": str(port)}, 5)
    assert (f"error: cannot serve the metrics on 127.0.0.1, ports {port} and {port + 1}"
            in said)
    assert "Address already in use" in said and "Traceback" not in said


@pytest.mark.parametrize(("command", "wrong", "says"), [
    (IMAGE_WORKER, "LOAN_JOURNEY_POLICY_FILE",
     "cannot be used: [Errno 20] Not a directory: "),
    (IMAGE_WORKER, "LOAN_JOURNEY_CALENDAR_FILE", "cannot be read: Not a directory; point it "
                                                 "at a readable calendar file"),
    (WORKER_COMMAND, "LOAN_JOURNEY_DATA_DIR", "cannot be created: Not a directory"),
], ids=["policy-file", "calendar-file", "data-dir"])
async def test_a_worker_checks_its_policy_file_and_data_dir_before_it_starts(
    tmp_path: Path, command: str, wrong: str, says: str
) -> None:
    """Not each journey's load_policy failing, retried, later, nor the data directory's error
    as bad input (exit 2) without the setting's name; no server is needed to say so."""
    (tmp_path / "a-file").write_text("")
    settings = {"LOAN_JOURNEY_TEMPORAL_ADDRESS": f"127.0.0.1:{free_port()}",
                "LOAN_JOURNEY_DATA_DIR": str(tmp_path / "data"),
                wrong: str(tmp_path / "a-file" / "data")}
    said = " ".join((await _said(command, tmp_path, settings, 5)).split())
    assert f"error: {wrong}" in said and says in said
    assert "Traceback" not in said and "torn down" not in said


async def test_a_worker_checks_its_post_loan_policy_file_before_it_starts(
    tmp_path: Path,
) -> None:
    """As the lending policy: a post-loan file the model refuses ends the worker at its start,
    exit 5, naming the variable and the field to fix, not each offer's activity later."""
    file = tmp_path / "post_loan.json"
    file.write_text('{"version": "PL-1", "review_every_months": 5}', encoding="utf-8")
    settings = {"LOAN_JOURNEY_TEMPORAL_ADDRESS": f"127.0.0.1:{free_port()}",
                "LOAN_JOURNEY_DATA_DIR": str(tmp_path / "data"),
                "LOAN_JOURNEY_POST_LOAN_POLICY_FILE": str(file)}
    said = " ".join((await _said(IMAGE_WORKER, tmp_path, settings, 5)).split())
    assert ("error: LOAN_JOURNEY_POST_LOAN_POLICY_FILE cannot be used: post-loan policy file "
            "is invalid; fix: review_every_months: Value error, reviews every 5 months do not "
            "fall on the same months every year") in said, said
    assert "Traceback" not in said and "torn down" not in said


async def test_the_codec_server_stops_and_exits_0_on_sigterm(tmp_path: Path) -> None:
    command = TORN_DOWN + "import sys; sys.argv = ['loan-journey', 'codec-server', '--port', " \
        f"'{free_port()}', '--token', 't']; from starter.cli import main; main()"
    codec = await asyncio.create_subprocess_exec(
        sys.executable, "-c", command, cwd=tmp_path, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT), "LOAN_JOURNEY_CODEC_KEYS": f"k1:{new_key()}"})
    assert codec.stderr is not None
    try:
        while "codec endpoint" not in (line := (await asyncio.wait_for(
                codec.stderr.readline(), 90)).decode()):
            assert line, "the codec server ended before it served"
        codec.send_signal(signal.SIGTERM)
        out, err = (s.decode() for s in await asyncio.wait_for(codec.communicate(), 90))
    finally:
        if codec.returncode is None:
            codec.kill()
    assert codec.returncode == 0, err
    assert "stopped" in err and "torn down" not in out


@pytest.mark.parametrize("command", [IMAGE_WORKER, DB_UPGRADE], ids=["worker", "db-upgrade"])
async def test_a_database_a_newer_version_migrated_is_named_with_both_schemas_and_exits_5(
    tmp_path: Path, command: str
) -> None:
    """Rolled back past a migration: not Alembic's 110-line "Can't locate revision"."""
    url = Settings(data_dir=tmp_path / "data").db_url
    migrate(url)
    with engine_for(url).begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0020_from_the_future'"))
    newest = ", ".join(ScriptDirectory.from_config(alembic_config(url)).get_heads())
    said = " ".join((await _said(command, tmp_path, {
        "LOAN_JOURNEY_DATA_DIR": str(tmp_path / "data"),
        "LOAN_JOURNEY_TEMPORAL_ADDRESS": f"127.0.0.1:{free_port()}"}, 5)).split())
    assert (f"error: the journey database {url} is at schema 0020_from_the_future, newer than "
            f"this version knows (its newest is {newest}): run the newer version, or restore "
            "the database from a backup") in said
    assert "Traceback" not in said and "torn down" not in said


def _one_behind(tmp_path: Path) -> tuple[str, str, str]:
    """A journey database one migration behind head, as the previous build left it: its
    URL, the revision it is at, and head."""
    url = Settings(data_dir=tmp_path / "data").db_url
    migrate(url)
    alembic_command.downgrade(alembic_config(url), "-1")
    return url, _schema_of(url), head_revision()


def _schema_of(url: str) -> str:
    with engine_for(url).connect() as conn:
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()


@pytest.mark.parametrize(("command", "role"), [
    (IMAGE_WORKER, "journeys"), (WORKER_COMMAND, "journeys"), (LIST, "all"),
], ids=["worker", "worker-command", "a-command"])
async def test_a_process_that_may_not_migrate_leaves_a_database_behind_as_it_is_and_exits_5(
    tmp_path: Path, command: str, role: str
) -> None:
    """LOAN_JOURNEY_MIGRATE_ON_START=false, as in production: a new replica started before
    the migrate job says to run it, and changes nothing (a rollback stays a redeploy). A
    reader holds no journey database, and checks none (tests/e2e/test_readiness.py)."""
    url, at, head = _one_behind(tmp_path)
    said = " ".join((await _said(command, tmp_path, {
        "LOAN_JOURNEY_DATA_DIR": str(tmp_path / "data"),
        "LOAN_JOURNEY_WORKER_ROLE": role,
        "LOAN_JOURNEY_MIGRATE_ON_START": "false",
        "LOAN_JOURNEY_TEMPORAL_ADDRESS": f"127.0.0.1:{free_port()}"}, 5)).split())
    assert (f"error: the journey database {url} is at schema {at}, this build needs {head}: "
            "run the migrate job first (`docker compose run --rm migrate`, i.e. "
            "`loan-journey db upgrade`)") in said
    assert "Traceback" not in said and "torn down" not in said
    assert _schema_of(url) == at


@pytest.mark.parametrize("command", [IMAGE_WORKER, LIST], ids=["worker", "a-command"])
async def test_a_migrate_setting_that_is_no_boolean_is_named_and_exits_5(
    tmp_path: Path, command: str
) -> None:
    """The command line reads it before any command (`StoreSettings`), named as the others."""
    said = await _said(command, tmp_path, {"LOAN_JOURNEY_MIGRATE_ON_START": "maybe",
                                           "LOAN_JOURNEY_DATA_DIR": str(tmp_path / "data")}, 5)
    assert said.startswith("error: bad setting: LOAN_JOURNEY_MIGRATE_ON_START: Input should "
                           "be a valid boolean"), said
    assert "Traceback" not in said


async def test_the_migrate_job_migrates_whatever_the_setting_says(tmp_path: Path) -> None:
    """`loan-journey db upgrade` is the migrate job: the switch is for the others."""
    url, _at, head = _one_behind(tmp_path)
    said = await _said(DB_UPGRADE, tmp_path, {"LOAN_JOURNEY_DATA_DIR": str(tmp_path / "data"),
                                               "LOAN_JOURNEY_MIGRATE_ON_START": "false"}, 0)
    assert "database at the latest schema" in said
    assert _schema_of(url) == head


def _not_writable(tmp_path: Path) -> Path:
    """A directory this user cannot write: a private one of its own, or, for root (who
    writes any mode), sysfs, which refuses root too."""
    if os.geteuid() == 0:
        return Path("/sys")
    (kept := tmp_path / "read-only").mkdir(mode=0o500)
    return kept


@pytest.mark.parametrize(("command", "store", "says"), [
    (IMAGE_WORKER, "not-mounted", "is not there: mount it, or point "
     "LOAN_JOURNEY_DOCUMENT_STORE at it"),
    (WORKER_COMMAND, "a-file", "is not a directory: point LOAN_JOURNEY_DOCUMENT_STORE at"),
    (IMAGE_WORKER, None, "is not writable: "),
    (START, "not-mounted", "is not there: mount it, or point LOAN_JOURNEY_DOCUMENT_STORE"),
], ids=["missing", "a-file", "not-writable", "start"])
async def test_a_document_store_that_cannot_serve_is_said_at_start_not_by_each_read(
    tmp_path: Path, command: str, store: str | None, says: str
) -> None:
    """As the reader's activity says it, which Temporal retries in each journey, unseen."""
    (tmp_path / "a-file").write_text("")
    where = tmp_path / store if store else _not_writable(tmp_path)
    (tmp_path / "licence.jpg").write_bytes(b"a scan")
    said = " ".join((await _said(command, tmp_path, {
        "LOAN_JOURNEY_TEMPORAL_ADDRESS": f"127.0.0.1:{free_port()}",
        "LOAN_JOURNEY_DATA_DIR": str(tmp_path / "data"),
        "LOAN_JOURNEY_DOCUMENT_STORE": str(where)}, 5)).split())
    assert f"error: the document store {where} {says}" in said
    assert "Traceback" not in said
    assert not (tmp_path / "not-mounted").exists()  # a mount missing is not made a directory


@pytest.mark.parametrize("command", [IMAGE_WORKER, START], ids=["worker", "start"])
async def test_a_store_encrypted_with_keys_not_set_here_is_said_at_start_and_exits_8(
    tmp_path: Path, command: str
) -> None:
    """Not every read retried, nor a plain scan written among encrypted ones."""
    store = tmp_path / "data" / "documents"
    blobs.put(blobs.DocumentStore(store, {"k1": b"k" * 32}), b"an encrypted scan", "a.jpg")
    (tmp_path / "licence.jpg").write_bytes(b"a scan")
    said = " ".join((await _said(command, tmp_path, {
        "LOAN_JOURNEY_TEMPORAL_ADDRESS": f"127.0.0.1:{free_port()}",
        "LOAN_JOURNEY_DATA_DIR": str(tmp_path / "data")}, 8)).split())
    assert (f"error: the document store's files ({store}) are encrypted and "
            "LOAN_JOURNEY_DOCUMENT_KEYS is not set here") in said
    assert "Traceback" not in said
    assert len(list(store.glob("*/*"))) == 1  # no scan written beside it
