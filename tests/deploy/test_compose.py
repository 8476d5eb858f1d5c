"""docker-compose.yml is a valid compose file: the specification's schema and real tools."""

from __future__ import annotations

import base64
import copy
import json
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from deploy_files import (
    COMPOSE_FILE,
    PROCESSES,
    ROOT,
    SCHEMA_CANDIDATES,
    TEST_ENV_FILE,
    clean_env,
    environment,
    find_tool,
    load_raw,
    require,
)
from sqlalchemy.engine import make_url

from journey.settings import Settings


def _schema() -> dict[str, Any]:
    found = [path for path in SCHEMA_CANDIDATES if path.exists()]
    require(bool(found), "compose schema not found: apt-get install docker-compose")
    return json.loads(found[0].read_text(encoding="utf-8"))


def _errors(document: dict[str, Any]) -> list[str]:
    schema = _schema()
    # its $schema names draft 2019-09 by a non-canonical URL: say so, not guess
    validator = jsonschema.Draft201909Validator(schema)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


def _run_config(command: list[str], compose_file: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*command, "--env-file", str(TEST_ENV_FILE), "-f", str(compose_file), "config", "-q"],
        cwd=ROOT,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )


def _broken_copy(tmp_path: Path) -> Path:
    broken = copy.deepcopy(load_raw())
    broken["services"]["worker"]["depends_on"]["migrate"]["condition"] = "service_done"
    path = tmp_path / "docker-compose.yml"
    path.write_text(json.dumps(broken), encoding="utf-8")  # JSON is YAML
    return path


def test_compose_file_parses_to_services() -> None:
    assert {"postgresql", "temporal", "temporal-ui", "worker", "migrate"} <= set(
        load_raw()["services"]
    )


def test_compose_file_matches_the_compose_schema() -> None:
    assert _errors(load_raw()) == []


def test_the_schema_check_catches_a_bad_condition(tmp_path: Path) -> None:
    broken = json.loads(_broken_copy(tmp_path).read_text(encoding="utf-8"))
    assert any("service_done" in error for error in _errors(broken))


def test_docker_compose_1_29_accepts_the_file(tmp_path: Path) -> None:
    tool = find_tool("docker-compose")
    require(tool is not None, "docker-compose not on PATH: apt-get install docker-compose")
    assert tool is not None
    ok = _run_config([tool], COMPOSE_FILE)
    assert ok.returncode == 0, ok.stderr
    assert _run_config([tool], _broken_copy(tmp_path)).returncode != 0


# The stack's secrets (compose `secrets:`), each a file in JOURNEY_SECRETS_DIR: the journey's
DB_PASSWORD, ARCHIVE_KEY = "journey_db_password", "journey_archive_key"
# the payloads' and the document store's keys, "kid:base64key" (docs/settings.md)
CODEC_KEYS, DOCUMENT_KEYS = "codec_keys", "document_keys"
KEYS_IN_FILES = {
    CODEC_KEYS: "c1:" + base64.b64encode(b"codec-key-in-its-file-32-bytes!!").decode(),
    DOCUMENT_KEYS: "d1:" + base64.b64encode(b"store-key-in-its-file-32-bytes!!").decode()}
# and PostgreSQL's superuser's and Temporal's role's
SUPERUSER_PASSWORD, TEMPORAL_PASSWORD = "postgres_password", "temporal_db_password"
# what the files hold unless a test says otherwise
IN_FILES = {SUPERUSER_PASSWORD: "superuser-pw-in-its-file",
            TEMPORAL_PASSWORD: "temporal-pw-in-its-file"}
GRAFANA_PASSWORD = "grafana_admin_password"  # Grafana's admin (tests/deploy/test_grafana.py)
SECRETS = (DB_PASSWORD, ARCHIVE_KEY, CODEC_KEYS, DOCUMENT_KEYS, SUPERUSER_PASSWORD,
           TEMPORAL_PASSWORD, GRAFANA_PASSWORD)
IN_CONTAINER = "/run/secrets/"
# the journey's secrets each journey container mounts: the keys where it reads or writes
# payloads (Temporal) or the document store; the database's password and the archive key
# where it reads or writes the journey database, which the reader, parsing the customers'
# files, never does (the worker keeps what it read)
JOURNEY_SECRETS = {
    "migrate": {DB_PASSWORD, ARCHIVE_KEY},
    "archive-schedule": {DB_PASSWORD, ARCHIVE_KEY, CODEC_KEYS},
    "notifier": {DB_PASSWORD, ARCHIVE_KEY, CODEC_KEYS},
    "worker": {DB_PASSWORD, ARCHIVE_KEY, CODEC_KEYS, DOCUMENT_KEYS},
    "reader": {CODEC_KEYS, DOCUMENT_KEYS},
}
# the containers that hold the journey database (its URL and password) and the archive key
WITH_DATABASE = tuple(name for name, held in JOURNEY_SECRETS.items() if DB_PASSWORD in held)
# the variable that names each secret's file
FILE_VARIABLES = {DB_PASSWORD: "LOAN_JOURNEY_DATABASE_PASSWORD_FILE",
                  ARCHIVE_KEY: "LOAN_JOURNEY_ARCHIVE_KEY_FILE",
                  CODEC_KEYS: "LOAN_JOURNEY_CODEC_KEYS_FILE",
                  DOCUMENT_KEYS: "LOAN_JOURNEY_DOCUMENT_KEYS_FILE"}


def _secrets_dir(tmp_path: Path, password: str = "pw-in-its-file",
                 key: str = "archive-key-in-its-file") -> Path:
    """A JOURNEY_SECRETS_DIR as docker/README.md has an operator create it."""
    folder = tmp_path / "secrets"
    folder.mkdir(exist_ok=True)
    (folder / DB_PASSWORD).write_text(password + "\n", encoding="utf-8")
    (folder / ARCHIVE_KEY).write_text(key + "\n", encoding="utf-8")
    for name, value in {**IN_FILES, **KEYS_IN_FILES}.items():
        (folder / name).write_text(value + "\n", encoding="utf-8")
    (folder / GRAFANA_PASSWORD).write_text("grafana-pw-in-its-file\n", encoding="utf-8")
    return folder


def _config(command: list[str], given: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*command, "--env-file", str(TEST_ENV_FILE), "-f", str(COMPOSE_FILE), "config"],
        cwd=ROOT, env=clean_env() | given, capture_output=True, text=True, timeout=60)


def _rendered(given: dict[str, str]) -> dict[str, Any]:
    """The stack as `docker-compose config` renders it with the tests' env file and `given`
    set in the shell."""
    tool = find_tool("docker-compose")
    require(tool is not None, "docker-compose not on PATH: apt-get install docker-compose")
    assert tool is not None
    done = _config([tool], given)
    assert done.returncode == 0, done.stderr
    return yaml.safe_load(done.stdout)


JOURNEY_CONTAINERS = ("migrate", "archive-schedule", "notifier", *PROCESSES)


def _mounted_secrets(stack: dict[str, Any], name: str) -> dict[str, str]:
    """Where each secret of service `name` is in its container: the host file it is."""
    files = {secret: Path(spec["file"]) for secret, spec in stack["secrets"].items()}
    mounted = {}
    for entry in stack["services"][name].get("secrets", []):
        entry = {"source": entry} if isinstance(entry, str) else entry
        target = entry.get("target", entry["source"])  # 1.29 leaves the default out
        target = target if target.startswith("/") else IN_CONTAINER + target
        mounted[target] = str(files[entry["source"]])
    return mounted


def _settings_of(stack: dict[str, Any], name: str, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Service `name`'s settings, as its process reads them, its secrets' files read where
    compose takes them from."""
    mounted = _mounted_secrets(stack, name)
    for key, value in environment(stack["services"][name]).items():
        monkeypatch.setenv(key, mounted.get(value, value) if key.endswith("_FILE") else value)
    return Settings()


def _compose(tool: str) -> list[str]:
    """The command line of Debian's docker-compose 1.29 or of Compose v2 (skipped without it)."""
    if tool == "1.29":
        found = find_tool("docker-compose")
        require(found is not None, "docker-compose not on PATH: apt-get install docker-compose")
        return [str(found)]
    v2 = _compose_v2()
    if v2 is None:
        pytest.skip("compose v2 not found: sh docker/ci/install-compose-v2.sh .venv/bin")
    return v2


@pytest.mark.parametrize("tool", ["1.29", "v2"])
def test_config_prints_no_journey_secret(tool: str, tmp_path: Path) -> None:
    """The database password and the archive key reach every journey container but the
    reader (and the password PostgreSQL's init script), the codec keys every one that reads or
    writes payloads, the document keys every one that reads or writes the document store, as
    files:
    `config` prints none, nor the .env variables an earlier stack set them by, which nothing
    reads any more."""
    command = _compose(tool)
    folder = _secrets_dir(tmp_path)
    old_keys = {"LOAN_JOURNEY_CODEC_KEYS": "c0:" + base64.b64encode(b"k" * 32).decode(),
                "LOAN_JOURNEY_DOCUMENT_KEYS": "d0:" + base64.b64encode(b"s" * 32).decode()}
    done = _config(command, {"JOURNEY_SECRETS_DIR": str(folder),
                             "JOURNEY_DB_PASSWORD": "pw-of-an-old-env",
                             "JOURNEY_ARCHIVE_KEY": "key-of-an-old-env", **old_keys})
    assert done.returncode == 0, done.stderr
    for secret in ("pw-in-its-file", "archive-key-in-its-file", "pw-of-an-old-env",
                   "key-of-an-old-env", "grafana-pw-in-its-file", *KEYS_IN_FILES.values(),
                   *old_keys.values()):
        assert secret not in done.stdout
    stack = yaml.safe_load(done.stdout)
    assert {name: Path(spec["file"]) for name, spec in stack["secrets"].items()} == {
        name: folder / name for name in SECRETS}
    # Grafana's admin password: Grafana's alone
    for name in stack["services"]:
        grafana = {IN_CONTAINER + GRAFANA_PASSWORD: str(folder / GRAFANA_PASSWORD)}
        assert (_mounted_secrets(stack, name) == grafana if name == "grafana"
                else IN_CONTAINER + GRAFANA_PASSWORD not in _mounted_secrets(stack, name)), name
    assert set(JOURNEY_SECRETS) == set(JOURNEY_CONTAINERS)
    for name in JOURNEY_CONTAINERS:
        env = environment(stack["services"][name])
        needs = JOURNEY_SECRETS[name]
        assert {v: env[v] for v in FILE_VARIABLES.values() if v in env} == {
            FILE_VARIABLES[secret]: IN_CONTAINER + secret for secret in needs}, name
        assert _mounted_secrets(stack, name) == {
            IN_CONTAINER + secret: str(folder / secret) for secret in needs}, name
        for variable in FILE_VARIABLES.values():  # never the secret itself
            assert variable.removesuffix("_FILE") not in env, (name, variable)
        assert ("LOAN_JOURNEY_DATABASE_URL" in env) is (name in WITH_DATABASE), name
    postgres = environment(stack["services"]["postgresql"])
    assert postgres["JOURNEY_DB_PASSWORD_FILE"] == IN_CONTAINER + DB_PASSWORD
    mounted = _mounted_secrets(stack, "postgresql")
    assert mounted[IN_CONTAINER + DB_PASSWORD] == str(folder / DB_PASSWORD)
    assert IN_CONTAINER + ARCHIVE_KEY not in mounted


# Where each service finds the database secrets it needs, by its variables: no other service
# mounts them.
DATABASE_SECRETS = {
    "postgresql": {"POSTGRES_PASSWORD_FILE": SUPERUSER_PASSWORD,
                   "TEMPORAL_DB_PASSWORD_FILE": TEMPORAL_PASSWORD},
    "temporal-schema": {"POSTGRES_PWD_FILE": TEMPORAL_PASSWORD},
    "temporal": {"POSTGRES_PWD_FILE": TEMPORAL_PASSWORD},
}


@pytest.mark.parametrize("tool", ["1.29", "v2"])
def test_config_prints_no_database_password(tool: str, tmp_path: Path) -> None:
    """PostgreSQL's superuser's and Temporal's role's passwords reach the services that need
    them as files, like the journey's: `config` prints neither, nor the values of the .env
    variables an upgraded stack still sets (POSTGRES_PASSWORD, TEMPORAL_DB_PASSWORD), which
    nothing reads any more. The server gets its password from a wrapper of the image's
    entrypoint (tests/deploy/test_db_password_files.py runs it)."""
    command = _compose(tool)
    folder = _secrets_dir(tmp_path)
    old_env = {"POSTGRES_PASSWORD": "superuser-pw-of-an-old-env",
               "TEMPORAL_DB_PASSWORD": "temporal-pw-of-an-old-env"}
    done = _config(command, {"JOURNEY_SECRETS_DIR": str(folder), **old_env})
    assert done.returncode == 0, done.stderr
    for secret in (*IN_FILES.values(), *old_env.values()):
        assert secret not in done.stdout, secret
    stack = yaml.safe_load(done.stdout)
    for name in IN_FILES:
        assert Path(stack["secrets"][name]["file"]) == folder / name
    for name, service in stack["services"].items():
        env = environment(service)
        assert not {"POSTGRES_PASSWORD", "TEMPORAL_DB_PASSWORD", "POSTGRES_PWD",
                    "SQL_PASSWORD"} & set(env), name
        needs = DATABASE_SECRETS.get(name, {})
        assert {key: env[key] for key in needs} == {
            key: IN_CONTAINER + secret for key, secret in needs.items()}, name
        mounted = _mounted_secrets(stack, name)
        assert {path: mounted[path] for path in mounted if path[len(IN_CONTAINER):] in IN_FILES
                } == {IN_CONTAINER + secret: str(folder / secret)
                      for secret in needs.values()}, name
    temporal = stack["services"]["temporal"]
    assert (temporal["entrypoint"], temporal["command"]) == (
        ["/bin/sh", "/scripts/server-entrypoint.sh"], ["/etc/temporal/entrypoint.sh"])
    scripts = [v for v in temporal["volumes"]
               if (v["target"] if isinstance(v, dict) else v.split(":")[1]) == "/scripts"]
    assert len(scripts) == 1
    source = scripts[0]["source"] if isinstance(scripts[0], dict) else scripts[0].split(":")[0]
    assert Path(source) == ROOT / "docker/temporal"


def test_the_secrets_dir_defaults_to_secrets_beside_the_compose_file() -> None:
    stack = _rendered({})
    assert {name: spec["file"] for name, spec in stack["secrets"].items()} == {
        name: str(ROOT / "secrets" / name) for name in SECRETS}


def test_a_journey_db_password_with_url_characters_reaches_the_processes_whole(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    """The secret journey_db_password as `docker-compose config` mounts it: PostgreSQL's
    init script and every journey process read the same file, and their settings put the
    password in the URL escaped (tests/deploy/test_postgres_init.py logs in with such a one).
    A `$` too, which compose would have taken for a variable in .env. The reader has no
    journey database at all: neither the URL nor the password."""
    password = "p@ss/w:rd%41#?&'x$y"
    stack = _rendered({"JOURNEY_SECRETS_DIR": str(_secrets_dir(tmp_path, password))})
    postgres = environment(stack["services"]["postgresql"])
    in_file = _mounted_secrets(stack, "postgresql")[postgres["JOURNEY_DB_PASSWORD_FILE"]]
    assert Path(in_file).read_text(encoding="utf-8") == password + "\n"
    for name in WITH_DATABASE:
        url = make_url(_settings_of(stack, name, monkeypatch).db_url)
        assert (url.username, url.password, url.host, url.port, url.database) == (
            "loan_journey", password, "postgresql", 5432, "loan_journey"), name
    for variable in ("LOAN_JOURNEY_DATABASE_URL", *FILE_VARIABLES.values()):
        monkeypatch.delenv(variable, raising=False)
    reader = _settings_of(stack, "reader", monkeypatch)
    assert (reader.database_url, reader.database_password, reader.journey_db_url,
            reader.archive_seal_key) == (None, None, None, None)


def test_every_setting_the_worker_reads_can_be_given_to_the_stack(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    """Each journey container gets every setting but the embedded server's UI port (and the
    notifier's metrics port and its mail server's CA file, which the notifier alone serves on
    and reads, mounted in it alone; and the keys of what it never reads, the codec keys and
    the document keys, secrets' files; and the reader's, which never touches the journey
    database, its URL, its password and the archive key), a secret
    by its variable or its file's (`_FILE`); unset, each is its default (not an empty key,
    nor a policy file "."), but the keys, read from their secrets' files; set in .env or the
    shell, it reaches the settings, and the policy files are in the read-only policy mount."""
    names = {Settings.env_name(name) for name in Settings.model_fields}
    secrets_dir = {"JOURNEY_SECRETS_DIR": str(_secrets_dir(tmp_path))}
    defaults = _rendered(secrets_dir)
    for name in JOURNEY_CONTAINERS:
        given = set(environment(defaults["services"][name]))
        given |= {variable.removesuffix("_FILE") for variable in given
                  if variable.removesuffix("_FILE") in names}
        missing = names - given - {"LOAN_JOURNEY_WORKER_ROLE"}
        notifiers = set() if name == "notifier" else {"LOAN_JOURNEY_NOTIFIER_METRICS_PORT",
                                                      "LOAN_JOURNEY_SMTP_CA_FILE"}
        unread = {FILE_VARIABLES[key].removesuffix("_FILE") for key in FILE_VARIABLES
                  if key not in JOURNEY_SECRETS[name]}
        unread |= set() if name in WITH_DATABASE else {"LOAN_JOURNEY_DATABASE_URL"}
        assert missing == {"LOAN_JOURNEY_UI_PORT"} | notifiers | unread, name
        for variable in (*FILE_VARIABLES.values(), "LOAN_JOURNEY_DATABASE_URL"):
            monkeypatch.delenv(variable, raising=False)
        settings = _settings_of(defaults, name, monkeypatch)
        keys = {CODEC_KEYS: settings.codec_keys, DOCUMENT_KEYS: settings.document_keys}
        assert {key: value.get_secret_value() if value else None for key, value in keys.items()
                } == {key: KEYS_IN_FILES[key] if key in JOURNEY_SECRETS[name] else None
                      for key in keys}, name
        assert (settings.temporal_address, settings.temporal_api_key, settings.temporal_tls,
                settings.policy_file, settings.post_loan_policy_file,
                settings.calendar_file, settings.workflow_cache, settings.log_format,
                settings.log_level) == (
            "temporal:7233", None, False, None, None, None, 1000, "text", "INFO"), name
        assert settings.archive_seal_key == (
            b"archive-key-in-its-file" if name in WITH_DATABASE else None), name

    given = {"LOAN_JOURNEY_TEMPORAL_ADDRESS": "journeys.bank.tmprl.cloud:7233",
             "TEMPORAL_NAMESPACE": "journeys.bank", "LOAN_JOURNEY_TEMPORAL_API_KEY": "key-1",
             "LOAN_JOURNEY_TEMPORAL_TLS": "true",
             "LOAN_JOURNEY_POLICY_DIR": "/srv/bank-policy",
             "LOAN_JOURNEY_POLICY_FILE": "/etc/loan-journey/policy/bank.json",
             "LOAN_JOURNEY_POST_LOAN_POLICY_FILE": "/etc/loan-journey/policy/post_loan.json",
             "LOAN_JOURNEY_CALENDAR_FILE": "/etc/loan-journey/policy/calendar.json",
             "LOAN_JOURNEY_WORKFLOW_CACHE": "0", "LOAN_JOURNEY_LOG_FORMAT": "json",
             "LOAN_JOURNEY_LOG_LEVEL": "WARNING", **secrets_dir}
    rendered = _rendered(given)
    for name in JOURNEY_CONTAINERS:
        settings = _settings_of(rendered, name, monkeypatch)
        assert settings.temporal_api_key is not None
        assert (settings.temporal_address, settings.temporal_namespace,
                settings.temporal_api_key.get_secret_value(), settings.temporal_tls,
                settings.workflow_cache) == (
            "journeys.bank.tmprl.cloud:7233", "journeys.bank", "key-1", True, 0), name
        assert (settings.log_format, settings.log_level) == ("json", "WARNING"), name
        assert settings.policy_file is not None and settings.post_loan_policy_file is not None
        assert settings.post_loan_policy_file.parent == settings.policy_file.parent, name
        assert settings.calendar_file is not None, name
        assert settings.calendar_file.parent == settings.policy_file.parent, name
        mounts = [volume.split(":") for volume in rendered["services"][name]["volumes"]]  # short
        assert [m for m in mounts if m[1] == str(settings.policy_file.parent)] == [
            ["/srv/bank-policy", "/etc/loan-journey/policy", "ro"]], name


def test_the_optional_secrets_files_reach_every_journey_container(tmp_path: Path) -> None:
    """The API key by its file's path (mounted by an override file, docker/README.md), so
    that config prints no key. The codec keys and the document keys are the stack's own
    secrets (test_config_prints_no_journey_secret): an .env that still names them, as
    variables or by other files, reaches no container, which would refuse a key given twice."""
    given = {"LOAN_JOURNEY_TEMPORAL_API_KEY_FILE": "/run/secrets/temporal_api_key"}
    old = {"LOAN_JOURNEY_CODEC_KEYS": "c0:old", "LOAN_JOURNEY_DOCUMENT_KEYS": "d0:old",
           "LOAN_JOURNEY_CODEC_KEYS_FILE": "/run/secrets/old_codec_keys",
           "LOAN_JOURNEY_DOCUMENT_KEYS_FILE": "/run/secrets/old_document_keys"}
    stack = _rendered({"JOURNEY_SECRETS_DIR": str(_secrets_dir(tmp_path)), **given, **old})
    for name in JOURNEY_CONTAINERS:
        env = environment(stack["services"][name])
        assert {key: env[key] for key in given} == given, name
        assert env["LOAN_JOURNEY_TEMPORAL_API_KEY"] == "", name
        assert not {"LOAN_JOURNEY_CODEC_KEYS", "LOAN_JOURNEY_DOCUMENT_KEYS"} & set(env), name
        assert {env.get(f"{key}_FILE") for key in ("LOAN_JOURNEY_CODEC_KEYS",
                                                     "LOAN_JOURNEY_DOCUMENT_KEYS")} <= {
            None, IN_CONTAINER + CODEC_KEYS, IN_CONTAINER + DOCUMENT_KEYS}, name


def _compose_v2() -> list[str] | None:
    tool = find_tool("docker-compose-v2")
    if tool is not None:
        return [tool]
    docker = find_tool("docker")
    if docker is not None:
        probe = subprocess.run(
            [docker, "compose", "version"], capture_output=True, text=True, timeout=30
        )
        if probe.returncode == 0:
            return [docker, "compose"]
    return None


def test_docker_compose_v2_accepts_the_file(tmp_path: Path) -> None:
    command = _compose_v2()
    if command is None:
        pytest.skip("compose v2 not found: sh docker/ci/install-compose-v2.sh .venv/bin")
    ok = _run_config(command, COMPOSE_FILE)
    assert ok.returncode == 0, ok.stderr
    assert _run_config(command, _broken_copy(tmp_path)).returncode != 0


def test_only_the_migrate_job_changes_the_journey_databases_schema(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    """A release migrates when the operator runs the migrate job, after a backup
    (docker/README.md), not when a worker or reader replica starts or restarts."""
    rendered = _rendered({"JOURNEY_SECRETS_DIR": str(_secrets_dir(tmp_path))})
    for name in JOURNEY_CONTAINERS:
        migrates = _settings_of(rendered, name, monkeypatch).migrate_on_start
        assert migrates is (name == "migrate"), name
    assert rendered["services"]["migrate"]["command"] == ["loan-journey", "db", "upgrade"]


def test_every_containers_log_is_rotated_and_the_journeys_processes_are_limited() -> None:
    """Docker's json-file driver keeps a log until the disk is full; a replica without limits
    can starve the others and PostgreSQL."""
    rendered = _rendered({})["services"]
    for name, service in rendered.items():
        assert service["logging"] == {"driver": "json-file", "options": {
            "max-size": "10m", "max-file": "5"}}, name
    for name in PROCESSES:
        assert rendered[name]["mem_limit"] and float(rendered[name]["cpus"]) >= 1, name
    limited = _rendered({"WORKER_MEM_LIMIT": "768m", "READER_CPUS": "1.5"})["services"]
    assert (limited["worker"]["mem_limit"], float(limited["reader"]["cpus"])) == ("768m", 1.5)


# The ports the stack publishes on the host, by service: what operators reach, nothing else
# (PostgreSQL, the workers' and readers' metrics stay inside the compose network).
PUBLISHED = {"temporal": 7233, "temporal-ui": 8080, "prometheus": 9090, "alertmanager": 9093,
             "grafana": 3000}


def _host_bindings(stack: dict[str, Any]) -> dict[str, list[tuple[str, int]]]:
    """(host address, container port) of each published port, as 1.29 (`"ip:host:port/tcp"`)
    or v2 (`{host_ip, published, target}`) renders them; an address left out is every one."""
    found: dict[str, list[tuple[str, int]]] = {}
    for name, service in stack["services"].items():
        for port in service.get("ports", []):
            if isinstance(port, dict):
                address, target = port.get("host_ip", ""), int(port["target"])
            else:
                parts = str(port).split("/")[0].split(":")
                address = parts[0] if len(parts) == 3 else ""
                target = int(parts[-1])
            found.setdefault(name, []).append((address or "0.0.0.0", target))
    return found


@pytest.mark.parametrize("tool", ["1.29", "v2"])
def test_no_published_port_listens_beyond_the_host_unless_asked(tool: str, tmp_path: Path) -> None:
    """Temporal's frontend, its UI, Prometheus and Alertmanager ask no one who calls (Grafana
    asks for its login): by
    default the host's loopback only; HOST_BIND_ADDRESS moves them all, for an operator who
    puts the bank's own access control in front."""
    command = _compose(tool)
    secrets_dir = {"JOURNEY_SECRETS_DIR": str(_secrets_dir(tmp_path))}
    done = _config(command, secrets_dir)
    assert done.returncode == 0, done.stderr
    assert _host_bindings(yaml.safe_load(done.stdout)) == {
        name: [("127.0.0.1", port)] for name, port in PUBLISHED.items()}
    done = _config(command, {**secrets_dir, "HOST_BIND_ADDRESS": "10.20.30.40"})
    assert done.returncode == 0, done.stderr
    assert _host_bindings(yaml.safe_load(done.stdout)) == {
        name: [("10.20.30.40", port)] for name, port in PUBLISHED.items()}


# The images that run as a user of their own (docker-compose.yml's x-unprivileged)
NON_ROOT_IMAGES = ("temporal-schema", "temporal", "temporal-namespace",
                   "temporal-search-attributes", "prometheus", "alertmanager", "grafana")
# what PostgreSQL's entrypoint needs as root: its data directory given to `postgres`, then gosu
POSTGRES_CAPABILITIES = {"CHOWN", "DAC_OVERRIDE", "FOWNER", "SETGID", "SETUID"}


@pytest.mark.parametrize("tool", ["1.29", "v2"])
def test_no_container_gains_privileges_and_ours_write_only_their_volumes(
    tool: str, tmp_path: Path,
) -> None:
    """No container may take root back through a setuid program; those that run as a user of
    their own drop every capability, PostgreSQL keeps only what its entrypoint needs; ours
    run on a read-only root filesystem with /tmp in memory, and nothing is privileged."""
    done = _config(_compose(tool), {"JOURNEY_SECRETS_DIR": str(_secrets_dir(tmp_path))})
    assert done.returncode == 0, done.stderr
    stack = yaml.safe_load(done.stdout)["services"]
    for name, service in stack.items():
        assert "no-new-privileges:true" in service.get("security_opt", []), name
        assert not service.get("privileged"), name
        dropped, added = set(service.get("cap_drop", [])), set(service.get("cap_add", []))
        if name in (*JOURNEY_CONTAINERS, *NON_ROOT_IMAGES):
            assert (dropped, added) == ({"ALL"}, set()), name
    assert (set(stack["postgresql"]["cap_drop"]), set(stack["postgresql"]["cap_add"])) == (
        {"ALL"}, POSTGRES_CAPABILITIES)
    for name in JOURNEY_CONTAINERS:
        service = stack[name]
        assert service["read_only"] is True, name
        tmpfs = service["tmpfs"]
        assert (tmpfs if isinstance(tmpfs, list) else [tmpfs]) == ["/tmp"], name


def test_the_notifier_sends_the_outbox_with_the_gateways_dot_env_names(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    """`notices send --follow` from our image, hardened as the other journey containers, and
    free to scale (`--scale notifier=2`: no container name, no host port two would share);
    unset, no gateway (it says so, exit 5); the mail server, its security and CA file, the
    From address and SMS gateway from .env, the SMTP password and the gateway's token by
    their files' paths only."""
    secrets_dir = {"JOURNEY_SECRETS_DIR": str(_secrets_dir(tmp_path))}
    stack = _rendered(secrets_dir)
    notifier = stack["services"]["notifier"]
    assert notifier["command"] == ["loan-journey", "notices", "send", "--follow"]
    assert notifier["image"] == stack["services"]["worker"]["image"] == "loan-journey:local"
    assert notifier["read_only"] is True and notifier["restart"] == "unless-stopped"
    assert "container_name" not in notifier and "ports" not in notifier
    settings = _settings_of(stack, "notifier", monkeypatch)
    assert (settings.smtp_host, settings.notice_from, settings.sms_webhook_url,
            settings.smtp_port_used, settings.smtp_mode, settings.smtp_ca_file,
            settings.smtp_password) == (None, None, None, 587, "starttls", None, None)

    given = {"LOAN_JOURNEY_SMTP_HOST": "smtp.bank.example.cn", "LOAN_JOURNEY_SMTP_PORT": "25",
             "LOAN_JOURNEY_SMTP_STARTTLS": "false", "LOAN_JOURNEY_SMTP_SECURITY": "tls",
             "LOAN_JOURNEY_SMTP_CA_FILE": "/run/secrets/smtp_ca.pem",
             "LOAN_JOURNEY_SMTP_USER": "notifier",
             "LOAN_JOURNEY_SMTP_PASSWORD_FILE": "/run/secrets/smtp_password",
             "LOAN_JOURNEY_NOTICE_FROM": "notices@bank.example.cn",
             "LOAN_JOURNEY_SMS_WEBHOOK_URL": "https://sms.bank.example.cn/v1/send",
             "LOAN_JOURNEY_SMS_WEBHOOK_TOKEN_FILE": "/run/secrets/sms_webhook_token"}
    env = environment(_rendered({**secrets_dir, **given})["services"]["notifier"])
    assert {key: env[key] for key in given} == given
    assert "LOAN_JOURNEY_SMTP_PASSWORD" not in env and "LOAN_JOURNEY_SMS_WEBHOOK_TOKEN" not in env
