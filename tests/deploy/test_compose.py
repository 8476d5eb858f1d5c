"""docker-compose.yml is a valid compose file: the specification's schema and real tools."""

from __future__ import annotations

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
    env_file_values,
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


def _run_config(
    command: list[str], compose_file: Path, env_file: Path = TEST_ENV_FILE
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*command, "--env-file", str(env_file), "-f", str(compose_file), "config", "-q"],
        cwd=ROOT,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )


def _copy(tmp_path: Path) -> Path:
    """The compose file alone in a folder: no .env a developer keeps beside the real one."""
    path = tmp_path / "docker-compose.yml"
    path.write_text(COMPOSE_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    return path


def _refuses_without_each_secret(command: list[str], tmp_path: Path) -> None:
    """No weak default for a secret: without it in the env file, config fails and says
    where to set it."""
    compose_file = _copy(tmp_path)
    secrets = env_file_values()
    assert len(secrets) == 4
    for name in secrets:
        env_file = tmp_path / f"without-{name}.env"
        env_file.write_text("".join(f"{key}={value}\n" for key, value in secrets.items()
                                    if key != name), encoding="utf-8")
        refused = _run_config(command, compose_file, env_file)
        assert refused.returncode != 0, name
        assert f": set {name} in .env beside docker-compose.yml" in refused.stderr, refused.stderr
    assert _run_config(command, compose_file).returncode == 0


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


def test_docker_compose_1_29_refuses_to_run_without_each_secret(tmp_path: Path) -> None:
    tool = find_tool("docker-compose")
    require(tool is not None, "docker-compose not on PATH: apt-get install docker-compose")
    assert tool is not None
    _refuses_without_each_secret([tool], tmp_path)


def _rendered(given: dict[str, str]) -> dict[str, Any]:
    """The services as `docker-compose config` renders them with the tests' env file and
    `given` set in the shell."""
    tool = find_tool("docker-compose")
    require(tool is not None, "docker-compose not on PATH: apt-get install docker-compose")
    assert tool is not None
    done = subprocess.run(
        [tool, "--env-file", str(TEST_ENV_FILE), "-f", str(COMPOSE_FILE), "config"], cwd=ROOT,
        env=clean_env() | given, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return yaml.safe_load(done.stdout)["services"]


JOURNEY_CONTAINERS = ("migrate", "archive-schedule", *PROCESSES)


def _settings_of(service: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> Settings:
    for key, value in environment(service).items():
        monkeypatch.setenv(key, value)
    return Settings()


def test_a_journey_db_password_with_url_characters_reaches_the_processes_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """JOURNEY_DB_PASSWORD as `docker-compose config` renders it: PostgreSQL's init script
    and every journey process get it as typed, and their settings put it in the URL
    escaped (tests/deploy/test_postgres_init.py logs in with such a one)."""
    password = "p@ss/w:rd%41#?&'x"
    rendered = _rendered({"JOURNEY_DB_PASSWORD": password})
    assert environment(rendered["postgresql"])["JOURNEY_DB_PASSWORD"] == password
    for name in JOURNEY_CONTAINERS:
        url = make_url(_settings_of(rendered[name], monkeypatch).db_url)
        assert (url.username, url.password, url.host, url.port, url.database) == (
            "loan_journey", password, "postgresql", 5432, "loan_journey"), name


def test_every_setting_the_worker_reads_can_be_given_to_the_stack(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each journey container gets every setting but the embedded server's UI port; unset,
    each is its default (not an empty key, nor a policy file "."); set in .env or the
    shell, it reaches the settings, and the policy files are in the read-only policy mount."""
    names = {Settings.env_name(name) for name in Settings.model_fields}
    defaults = _rendered({})
    for name in JOURNEY_CONTAINERS:
        missing = names - set(environment(defaults[name])) - {"LOAN_JOURNEY_WORKER_ROLE"}
        assert missing == {"LOAN_JOURNEY_UI_PORT"}, name
        settings = _settings_of(defaults[name], monkeypatch)
        assert (settings.temporal_address, settings.temporal_api_key, settings.temporal_tls,
                settings.codec_keys, settings.policy_file, settings.post_loan_policy_file,
                settings.workflow_cache) == (
            "temporal:7233", None, False, None, None, None, 1000), name

    codec_keys = "k1:" + "A" * 43 + "="
    given = {"LOAN_JOURNEY_TEMPORAL_ADDRESS": "journeys.bank.tmprl.cloud:7233",
             "TEMPORAL_NAMESPACE": "journeys.bank", "LOAN_JOURNEY_TEMPORAL_API_KEY": "key-1",
             "LOAN_JOURNEY_TEMPORAL_TLS": "true", "LOAN_JOURNEY_CODEC_KEYS": codec_keys,
             "LOAN_JOURNEY_POLICY_DIR": "/srv/bank-policy",
             "LOAN_JOURNEY_POLICY_FILE": "/etc/loan-journey/policy/bank.json",
             "LOAN_JOURNEY_POST_LOAN_POLICY_FILE": "/etc/loan-journey/policy/post_loan.json",
             "LOAN_JOURNEY_WORKFLOW_CACHE": "0"}
    rendered = _rendered(given)
    for name in JOURNEY_CONTAINERS:
        settings = _settings_of(rendered[name], monkeypatch)
        assert (settings.temporal_address, settings.temporal_namespace,
                settings.temporal_api_key, settings.temporal_tls, settings.codec_keys,
                settings.workflow_cache) == (
            "journeys.bank.tmprl.cloud:7233", "journeys.bank", "key-1", True, codec_keys, 0), name
        assert settings.policy_file is not None and settings.post_loan_policy_file is not None
        assert settings.post_loan_policy_file.parent == settings.policy_file.parent, name
        mounts = [volume.split(":") for volume in rendered[name]["volumes"]]  # 1.29: short
        assert [m for m in mounts if m[1] == str(settings.policy_file.parent)] == [
            ["/srv/bank-policy", "/etc/loan-journey/policy", "ro"]], name


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


def test_docker_compose_v2_refuses_to_run_without_each_secret(tmp_path: Path) -> None:
    command = _compose_v2()
    if command is None:
        pytest.skip("compose v2 not found: sh docker/ci/install-compose-v2.sh .venv/bin")
    _refuses_without_each_secret(command, tmp_path)


def test_only_the_migrate_job_changes_the_journey_databases_schema(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A release migrates when the operator runs the migrate job, after a backup
    (docker/README.md), not when a worker or reader replica starts or restarts."""
    rendered = _rendered({})
    for name in JOURNEY_CONTAINERS:
        migrates = _settings_of(rendered[name], monkeypatch).migrate_on_start
        assert migrates is (name == "migrate"), name
    assert rendered["migrate"]["command"] == ["loan-journey", "db", "upgrade"]


def test_every_containers_log_is_rotated_and_the_journeys_processes_are_limited() -> None:
    """Docker's json-file driver keeps a log until the disk is full; a replica without limits
    can starve the others and PostgreSQL."""
    rendered = _rendered({})
    for name, service in rendered.items():
        assert service["logging"] == {"driver": "json-file", "options": {
            "max-size": "10m", "max-file": "5"}}, name
    for name in PROCESSES:
        assert rendered[name]["mem_limit"] and float(rendered[name]["cpus"]) >= 1, name
    limited = _rendered({"WORKER_MEM_LIMIT": "768m", "READER_CPUS": "1.5"})
    assert (limited["worker"]["mem_limit"], float(limited["reader"]["cpus"])) == ("768m", 1.5)


@pytest.mark.parametrize("tool", ["docker-compose", "docker-compose-v2"])
def test_a_single_quoted_secret_with_a_dollar_reaches_the_processes_whole(
    tmp_path: Path, tool: str
) -> None:
    """Unquoted, Compose v2 reads `$x` in `jpw$x` as a variable and drops it; single-quoted,
    as docker-compose.yml says to, both tools take it as typed. `config` prints a `$` that
    reaches the container as `$$`, as the compose file itself would have to write it."""
    found = find_tool(tool)
    if found is None:
        pytest.skip(f"{tool} not found: sh docker/ci/install-compose-v2.sh .venv/bin")
    env_file = tmp_path / ".env"
    env_file.write_text(TEST_ENV_FILE.read_text(encoding="utf-8")
                        + "JOURNEY_DB_PASSWORD='jpw$x'\n", encoding="utf-8")
    done = subprocess.run(
        [found, "--env-file", str(env_file), "-f", str(COMPOSE_FILE), "config"], cwd=ROOT,
        env=clean_env(), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "not set" not in done.stderr, done.stderr
    services = yaml.safe_load(done.stdout)["services"]
    for name in ("postgresql", *JOURNEY_CONTAINERS):
        said = environment(services[name])
        key = "JOURNEY_DB_PASSWORD" if name == "postgresql" else "LOAN_JOURNEY_DATABASE_PASSWORD"
        assert said[key] == "jpw$$x", name
