"""The stack's shape: pinned images, scalable workers and readers, jobs in order, one
PostgreSQL."""

from __future__ import annotations

import json
import os
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
from deploy_files import DOCKERFILE, PROCESSES, ROOT, environment, services
from sqlalchemy.engine import make_url

from journey.settings import Settings

SETUP_JOBS = ("temporal-schema", "temporal-namespace", "temporal-search-attributes", "migrate")
SEARCH_ATTRIBUTE_SCRIPT = ROOT / "docker/temporal/create-search-attributes.sh"
_SA_KEY = re.compile(r"SearchAttributeKey\.for_(\w+)\(\s*\"(\w+)\"")


def _image_tag(image: str) -> tuple[str, str]:
    """(name, tag), a digest after the tag (`name:tag@sha256:...`, docker/README.md's
    pinning) left out."""
    image = image.split("@", 1)[0]
    name, _, tag = image.rpartition(":")
    return (name, tag) if name and "/" not in tag else (image, "")


def test_an_image_pinned_by_digest_keeps_its_tag() -> None:
    digest = "@sha256:" + "0a" * 32
    assert _image_tag("postgres:16.10" + digest) == ("postgres", "16.10")
    assert _image_tag("temporalio/server:1.31.0" + digest) == ("temporalio/server", "1.31.0")
    assert _image_tag("prom/prometheus:v3.5.0") == ("prom/prometheus", "v3.5.0")


def _command(service: dict[str, Any]) -> list[str]:
    command = service.get("command", [])
    return shlex.split(command) if isinstance(command, str) else [str(c) for c in command]


def test_every_pulled_image_is_pinned_and_none_is_auto_setup() -> None:
    for name, service in services().items():
        image = service.get("image", "")
        assert "auto-setup" not in image, name
        if "build" in service:
            continue
        repo, tag = _image_tag(image)
        assert tag and tag != "latest" and re.match(r"v?\d", tag), f"{name}: {image}"


def test_temporal_images_are_the_current_layout_at_matching_versions() -> None:
    svc = services()
    server = _image_tag(svc["temporal"]["image"])
    assert server[0] == "temporalio/server"
    assert re.fullmatch(r"1\.[23]\d\.\d+", server[1]), server
    for job in ("temporal-schema", "temporal-namespace", "temporal-search-attributes"):
        assert _image_tag(svc[job]["image"]) == ("temporalio/admin-tools", server[1]), job
    ui = _image_tag(svc["temporal-ui"]["image"])
    assert ui[0] == "temporalio/ui" and ui[1].startswith("2.")
    assert _image_tag(svc["postgresql"]["image"])[1].startswith("16")


def test_no_service_pins_a_container_name_and_no_process_publishes_a_port() -> None:
    svc = services()
    assert [name for name, s in svc.items() if "container_name" in s] == []
    for name in PROCESSES:
        assert "ports" not in svc[name], name
        assert {"9464", "9465"} <= {str(port) for port in svc[name].get("expose", [])}, name
        assert environment(svc[name])["LOAN_JOURNEY_METRICS_PORT"] == "9464", name


def test_workers_and_readers_are_built_here_and_wait_for_every_setup_job() -> None:
    for name in PROCESSES:
        process = services()[name]
        assert process["build"] in (".", {"context": "."}), name
        assert _command(process) in (["python", "worker.py"], ["loan-journey", "worker"]), name
        depends = process["depends_on"]
        for job in SETUP_JOBS:
            assert depends[job] == {"condition": "service_completed_successfully"}, (name, job)


def test_workers_run_the_journeys_and_readers_read_the_documents_they_share() -> None:
    """A role each, one the settings accept; the document store the operator CLI fills
    (`docker compose run --rm worker loan-journey documents ...`) is on the readers' volume."""
    from journey.settings import Settings

    svc = services()
    for name, role in PROCESSES.items():
        given = environment(svc[name])["LOAN_JOURNEY_WORKER_ROLE"]
        assert given == role and Settings(worker_role=given).worker_role == role, name
    stores = {environment(svc[name])["LOAN_JOURNEY_DOCUMENT_STORE"] for name in PROCESSES}
    mounts = {tuple(svc[name]["volumes"]) for name in PROCESSES}
    assert len(stores) == 1 and len(mounts) == 1, (stores, mounts)
    store, volumes = stores.pop(), mounts.pop()
    assert any(store.startswith(volume.split(":")[1] + "/") for volume in volumes), store


def test_docker_waits_for_the_worker_longer_than_it_waits_for_its_activities() -> None:
    """On `docker stop` the worker gives running activities SHUTDOWN_GRACE, then exits;
    docker kills it after stop_grace_period (tests/deploy/test_process_exit.py)."""
    from worker import SHUTDOWN_GRACE

    for name in PROCESSES:
        period = str(services()[name]["stop_grace_period"])
        units = {"h": 3600, "m": 60, "s": 1, "ms": 0.001}
        parts = re.findall(r"(\d+(?:\.\d+)?)(ms|h|m|s)", period)
        assert "".join(n + u for n, u in parts) == period, period
        seconds = sum(float(n) * units[u] for n, u in parts)
        assert seconds >= SHUTDOWN_GRACE.total_seconds() + 10, (name, period)


def test_no_container_of_this_image_gets_an_anonymous_volume() -> None:
    """The image declares VOLUME /data: a container mounting nothing there gets a new
    anonymous volume each time it is created (the jobs did); each mounts journey-data."""
    found = re.search(r"^VOLUME\s+(.+)$", DOCKERFILE.read_text(encoding="utf-8"), re.M)
    assert found is not None
    declared = json.loads(found[1])
    built = {name: service for name, service in services().items() if "build" in service}
    assert {"migrate", "archive-schedule", *PROCESSES} <= set(built)
    for name, service in built.items():
        mounts = {v.split(":")[1]: v.split(":")[0] for v in service.get("volumes", [])}
        assert {path: mounts.get(path) for path in declared} == dict.fromkeys(
            declared, "journey-data"), name


def test_migrate_runs_the_journey_migrations_with_the_worker_image() -> None:
    svc = services()
    migrate = svc["migrate"]
    assert _command(migrate) == ["loan-journey", "db", "upgrade"]
    assert migrate["image"] == svc["worker"]["image"] == svc["reader"]["image"]
    assert migrate["depends_on"]["postgresql"] == {"condition": "service_healthy"}
    url = environment(migrate)["LOAN_JOURNEY_DATABASE_URL"]
    assert url == environment(svc["worker"])["LOAN_JOURNEY_DATABASE_URL"]
    # the reader parses customers' files and holds no database: the worker keeps its readings
    assert "LOAN_JOURNEY_DATABASE_URL" not in environment(svc["reader"])


def test_the_archive_schedule_job_runs_once_the_namespace_exists_on_the_workers_queue() -> None:
    """The schedule starts HistoryArchivist on the task queue the worker polls; the worker
    archives into the database and document store it shares with the job's settings."""
    svc = services()
    job = svc["archive-schedule"]
    assert _command(job) == ["loan-journey", "archive", "schedule"]
    assert job["image"] == svc["worker"]["image"]
    done = {"condition": "service_completed_successfully"}
    assert job["depends_on"] == {"temporal-namespace": done}
    for key in ("LOAN_JOURNEY_TASK_QUEUE", "LOAN_JOURNEY_TEMPORAL_NAMESPACE"):
        assert environment(job)[key] == environment(svc["worker"])[key], key


def test_journey_database_is_created_on_the_compose_postgres(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The worker logs in as the role the init script creates, with the password it gave
    it: both read the one secret's file (its content: test_compose.py)."""
    svc = services()
    postgres = environment(svc["postgresql"])
    worker = environment(svc["worker"])
    for key, value in worker.items():
        if not key.endswith("_FILE"):  # the secrets' files are the containers'
            monkeypatch.setenv(key, value)
    url = make_url(Settings().db_url)
    assert url.drivername == "postgresql+psycopg"
    assert (url.host, url.port) == ("postgresql", 5432)
    assert url.database == postgres["JOURNEY_DB_NAME"] != "temporal"
    assert url.username == postgres["JOURNEY_DB_USER"]
    assert worker["LOAN_JOURNEY_DATABASE_PASSWORD_FILE"] == postgres["JOURNEY_DB_PASSWORD_FILE"]
    for name in ("worker", "postgresql"):
        assert "journey_db_password" in svc[name]["secrets"], name
    mounts = {v.split(":")[1]: v.split(":")[0] for v in svc["postgresql"]["volumes"]}
    init_dir = ROOT / mounts["/docker-entrypoint-initdb.d"]
    scripts = [p.read_text(encoding="utf-8") for p in sorted(init_dir.glob("*.sh"))]
    assert any("CREATE DATABASE" in text and "JOURNEY_DB_NAME" in text for text in scripts)


def test_every_job_script_and_the_dynamic_config_exist() -> None:
    """The scripts each service runs from /scripts, as its command or (the server's wrapper
    of the image's entrypoint) its entrypoint."""
    for name, service in services().items():
        mounts = {v.split(":")[1]: v.split(":")[0] for v in service.get("volumes", [])}
        entrypoint = service.get("entrypoint", [])
        entrypoint = shlex.split(entrypoint) if isinstance(entrypoint, str) else entrypoint
        for arg in [*entrypoint, *_command(service)]:
            if arg.startswith("/scripts/"):
                script = ROOT / mounts["/scripts"] / arg.removeprefix("/scripts/")
                assert script.is_file(), f"{name}: {script}"
                assert "set -eu" in script.read_text(encoding="utf-8"), script
    temporal = services()["temporal"]
    config = environment(temporal)["DYNAMIC_CONFIG_FILE_PATH"]
    mounts = {v.split(":")[1]: v.split(":")[0] for v in temporal["volumes"]}
    host_dir = mounts["/etc/temporal/config/dynamicconfig"]
    assert config.startswith("config/dynamicconfig/")
    assert (ROOT / host_dir / config.removeprefix("config/dynamicconfig/")).is_file()


# The file the scripts that give a database role its password read it with: each finds it as
# ../secret-file.sh, in this repository as in the containers compose mounts it into.
SECRET_FILE = "../secret-file.sh"


def _scripts_run(name: str, service: dict[str, Any]) -> list[tuple[str, Path]]:
    """(the folder it is mounted at, the script) for each script the service runs: from
    /scripts, or every init script the postgres image runs on its first start."""
    mounts = {v.split(":")[1]: ROOT / v.split(":")[0] for v in service.get("volumes", [])}
    entrypoint = service.get("entrypoint", [])
    entrypoint = shlex.split(entrypoint) if isinstance(entrypoint, str) else entrypoint
    run = [("/scripts", mounts["/scripts"] / arg.removeprefix("/scripts/"))
           for arg in [*entrypoint, *_command(service)] if arg.startswith("/scripts/")]
    init = "/docker-entrypoint-initdb.d"
    if init in mounts:
        run += [(init, script) for script in sorted(mounts[init].glob("*.sh"))]
    return run


def test_every_script_that_reads_a_password_finds_the_one_shared_reader() -> None:
    """PostgreSQL's init scripts, the schema job and the server's wrapper read their
    passwords with one docker/secret-file.sh, which compose mounts into each of their
    containers beside the folder of their scripts, read-only. The init scripts are
    executable: the postgres image would source one that is not, from its own entrypoint,
    where $0 no longer leads to the shared file."""
    readers = set()
    for name, service in services().items():
        # target: (source, mode), short syntax
        mounts = {v.split(":")[1]: (v.split(":")[0], v.split(":")[2:])
                  for v in service.get("volumes", [])}
        for folder, script in _scripts_run(name, service):
            if SECRET_FILE not in script.read_text(encoding="utf-8"):
                continue
            readers.add((name, script.name))
            shared = (Path(folder).parent / SECRET_FILE.removeprefix("../")).as_posix()
            assert mounts.get(shared) == ("./docker/secret-file.sh", ["ro"]), (name, shared)
            assert os.access(script, os.X_OK) or folder == "/scripts", script
    assert readers == {("postgresql", "10-loan-journey-db.sh"),
                       ("postgresql", "20-temporal-role.sh"),
                       ("temporal-schema", "setup-schema.sh"),
                       ("temporal", "server-entrypoint.sh")}
    # the reading lines once, not once a script
    for script in (ROOT / "docker").rglob("*.sh"):
        if script.name != "secret-file.sh":
            assert "$(cat " not in script.read_text(encoding="utf-8"), script


def test_the_search_attribute_job_registers_every_key_the_code_upserts() -> None:
    text = SEARCH_ATTRIBUTE_SCRIPT.read_text(encoding="utf-8")
    registered = set(re.search(r'\nATTRIBUTES="([^"]+)"', text)[1].split())  # type: ignore[index]
    lists = set(re.search(r'LIST_ATTRIBUTES="([^"]+)"', text)[1].split())  # type: ignore[index]
    assert registered == {
        "JourneyStage",
        "JourneyTeam",
        "ApprovalTier",
        "AmountBand",
        "SlaState",
        "JourneyProduct",
        "LoanClass",
        "JourneyStartedAt",
        "QueueWait",
        "JourneyAssignee",
    }
    assert lists == {"CreditCode"}
    assert 'create "$name" Keyword' in text and 'create "$name" KeywordList' in text
    used = {
        (kind, name)
        for folder in ("journey", "workflows", "activities", "starter")
        for path in (ROOT / folder).rglob("*.py")
        for kind, name in _SA_KEY.findall(path.read_text(encoding="utf-8"))
    }
    assert {name for kind, name in used if kind == "keyword"} <= registered, used
    assert {name for kind, name in used if kind == "keyword_list"} <= lists, used
    assert {kind for kind, _ in used} <= {"keyword", "keyword_list"}, used


def test_jobs_and_workers_agree_on_the_cluster_and_namespace() -> None:
    svc = services()
    worker = environment(svc["worker"])
    reader = environment(svc["reader"])
    for key in ("LOAN_JOURNEY_TEMPORAL_ADDRESS", "LOAN_JOURNEY_TEMPORAL_NAMESPACE",
                "LOAN_JOURNEY_TASK_QUEUE"):
        assert reader[key] == worker[key], key
    host, port = worker["LOAN_JOURNEY_TEMPORAL_ADDRESS"].split(":")
    assert host in svc and port == "7233"
    for job in ("temporal-namespace", "temporal-search-attributes"):
        env = environment(svc[job])
        assert env["TEMPORAL_ADDRESS"] == worker["LOAN_JOURNEY_TEMPORAL_ADDRESS"], job
        assert env["TEMPORAL_NAMESPACE"] == worker["LOAN_JOURNEY_TEMPORAL_NAMESPACE"], job
    assert environment(svc["temporal-ui"])["TEMPORAL_ADDRESS"] == f"{host}:{port}"


def test_the_cluster_and_the_embedded_server_route_queries_alike() -> None:
    """Sticky queries off in both (the reason is at starter/embedded.py NO_STICKY_QUERIES)."""
    import yaml

    from starter.embedded import NO_STICKY_QUERIES

    temporal = services()["temporal"]
    mounts = {v.split(":")[1]: v.split(":")[0] for v in temporal["volumes"]}
    file = environment(temporal)["DYNAMIC_CONFIG_FILE_PATH"].removeprefix("config/dynamicconfig/")
    folder = ROOT / mounts["/etc/temporal/config/dynamicconfig"]
    config = yaml.safe_load((folder / file).read_text(encoding="utf-8"))
    key, _, value = NO_STICKY_QUERIES[1].partition("=")
    assert config[key] == [{"value": yaml.safe_load(value), "constraints": {}}]
