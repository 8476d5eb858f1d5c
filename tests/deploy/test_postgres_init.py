"""docker/postgres-init, run the way the postgres image runs it on a fresh data directory.

A throwaway cluster from the local PostgreSQL binaries, on a Unix socket only (no TCP).
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from deploy_files import ROOT, clean_env

INIT_DIR = ROOT / "docker/postgres-init"
SUPERUSER = "postgres"  # POSTGRES_USER in docker-compose.yml: the init scripts' only user
# the roles' passwords; the socket trusts every role, so only
# test_the_migrate_job_logs_in_with_a_password_a_url_would_break checks them
ROLES = {"JOURNEY_DB_PASSWORD": "journey-secret", "TEMPORAL_DB_PASSWORD": "temporal-secret"}


def _as_files(folder: Path, passwords: dict[str, str]) -> dict[str, str]:
    """The passwords as compose gives them: a secret's file each (with the newline `echo`
    ends it with), named by the variable with _FILE."""
    files = {}
    for variable, password in passwords.items():
        (file := folder / variable.lower()).write_text(password + "\n", encoding="utf-8")
        files[variable + "_FILE"] = str(file)
    return files


def _pg_bin(name: str) -> str | None:
    installed = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return shutil.which(name) or (installed[-1] if installed else None)


def _server_tool(*command: str) -> None:
    """Runs a server tool; as `postgres` when we are root, since PostgreSQL refuses root."""
    prefix: list[str] = []
    if os.geteuid() == 0:
        runuser = shutil.which("runuser")
        if runuser is None:
            pytest.skip("running as root without runuser: cannot start PostgreSQL")
        prefix = [runuser, "-u", "postgres", "--"]
    subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def socket_dir() -> Iterator[Path]:
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    if initdb is None or pg_ctl is None or shutil.which("psql") is None:
        pytest.skip("PostgreSQL binaries not found: apt-get install postgresql")
    base = Path(tempfile.mkdtemp(prefix="pg-init-test-"))
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
    data, sock = base / "data", base / "sock"
    _server_tool("mkdir", str(sock))
    _server_tool(initdb, "-D", str(data), "-U", SUPERUSER, "--auth=trust")
    options = f"-c listen_addresses='' -k {sock}"  # a Unix socket only, no TCP
    _server_tool(pg_ctl, "-D", str(data), "-o", options, "-l", str(base / "log"), "-w", "start")
    try:
        yield sock
    finally:
        _server_tool(pg_ctl, "-D", str(data), "-m", "fast", "-w", "stop")
        shutil.rmtree(base, ignore_errors=True)


def _run_psql(sock: Path, user: str, database: str, sql: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["psql", "-h", str(sock), "-U", user, "-d", database, "-tAX", "-v", "ON_ERROR_STOP=1"],
        input=sql,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=30,
    )


def _psql(sock: Path, user: str, database: str, sql: str) -> str:
    done = _run_psql(sock, user, database, sql)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def _refused(sock: Path, user: str, database: str, sql: str) -> str:
    done = _run_psql(sock, user, database, sql)
    assert done.returncode != 0, done.stdout
    return done.stderr


@pytest.fixture(scope="module")
def initialised(socket_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The init scripts run as the postgres image runs them, with compose's variables."""
    env = clean_env() | {"POSTGRES_USER": SUPERUSER, "PGHOST": str(socket_dir)}
    env |= _as_files(tmp_path_factory.mktemp("secrets"), ROLES)
    for script in sorted(INIT_DIR.glob("*.sh")):
        done = subprocess.run(
            ["sh", str(script)], env=env, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
    return socket_dir


def test_init_script_creates_the_journey_database_and_its_owner(initialised: Path) -> None:
    socket_dir = initialised
    owner = _psql(
        socket_dir,
        SUPERUSER,
        "postgres",
        "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'loan_journey'",
    )
    assert owner == "loan_journey"
    # the owner, not the superuser, creates the journey's tables (what `migrate` does)
    created = _psql(
        socket_dir,
        "loan_journey",
        "loan_journey",
        "CREATE TABLE probe (id int); SELECT current_user || '@' || current_database()",
    )
    assert created.endswith("loan_journey@loan_journey")


def test_temporals_role_creates_its_databases_and_cannot_reach_the_journeys(
    initialised: Path,
) -> None:
    """Temporal's role does what the `temporal-schema` job does (temporal-sql-tool `create`,
    then the visibility schema's `CREATE EXTENSION btree_gin`) as neither superuser nor
    owner of any role; it cannot connect to the journey's audit store, nor the journey's
    role read Temporal's tables."""
    sock = initialised
    rights = _psql(sock, SUPERUSER, "postgres",
                   "SELECT rolsuper, rolcreatedb, rolcreaterole FROM pg_roles "
                   "WHERE rolname = 'temporal'")
    assert rights == "f|t|f"
    _psql(sock, "temporal", "postgres", "CREATE DATABASE temporal_visibility")
    _psql(sock, "temporal", "temporal_visibility",
          "CREATE EXTENSION btree_gin; CREATE TABLE executions_visibility (id int)")

    denied = _refused(sock, "temporal", "loan_journey", "SELECT 1")
    assert 'permission denied for database "loan_journey"' in denied
    denied = _refused(sock, "loan_journey", "temporal_visibility",
                      "SELECT * FROM executions_visibility")
    assert "permission denied for table executions_visibility" in denied
    _refused(sock, "temporal", "postgres", "CREATE ROLE intruder SUPERUSER")


# every character a URL reserves, as an operator may well choose them, and a shell's `$`
AWKWARD_PASSWORD = "p@ss/w:rd%41#?&'x$y"


def test_the_migrate_job_logs_in_with_a_password_a_url_would_break(
    socket_dir: Path, tmp_path: Path
) -> None:
    """The init scripts create the roles with the awkward password read from the secrets'
    files as compose mounts them (with the newline `echo` ends them with), which PostgreSQL
    then checks (scram-sha-256 for those roles): Temporal's role logs in with it, and
    `loan-journey db upgrade` with the compose stack's variables (the URL without it, the
    password from the same file) logs in and creates the tables."""
    role, temporal = "journey_awkward", "temporal_awkward"
    files = _as_files(tmp_path, {"JOURNEY_DB_PASSWORD": AWKWARD_PASSWORD,
                                 "TEMPORAL_DB_PASSWORD": AWKWARD_PASSWORD})
    secret = Path(files["JOURNEY_DB_PASSWORD_FILE"])
    env = clean_env() | {"POSTGRES_USER": SUPERUSER, "PGHOST": str(socket_dir),
                         "JOURNEY_DB_NAME": role, "JOURNEY_DB_USER": role,
                         "TEMPORAL_DB_USER": temporal} | files
    for script in sorted(INIT_DIR.glob("*.sh")):
        done = subprocess.run(["sh", str(script)], env=env, capture_output=True, text=True,
                              timeout=60)
        assert done.returncode == 0, done.stderr
    hba = socket_dir.parent / "data" / "pg_hba.conf"
    hba.write_text(f"local all {role},{temporal} scram-sha-256\n"
                   + hba.read_text(encoding="utf-8"), encoding="utf-8")
    _psql(socket_dir, SUPERUSER, "postgres", "SELECT pg_reload_conf()")

    def temporal_login(password: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["psql", "-h", str(socket_dir), "-U", temporal, "-d", "postgres", "-tAX",
             "-c", "SELECT current_user"], env=clean_env() | {"PGPASSWORD": password},
            capture_output=True, text=True, timeout=30)

    refused = temporal_login(AWKWARD_PASSWORD + "\n")  # the file's newline is not part of it
    assert refused.returncode != 0 and "password authentication failed" in refused.stderr
    logged_in = temporal_login(AWKWARD_PASSWORD)
    assert logged_in.returncode == 0 and logged_in.stdout.strip() == temporal, logged_in.stderr

    def upgrade(file: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "starter.cli", "db", "upgrade"], cwd=ROOT,
            env=clean_env() | {
                "PYTHONPATH": str(ROOT),
                "LOAN_JOURNEY_DATABASE_URL":
                    f"postgresql+psycopg://{role}@/{role}?host={socket_dir}",
                "LOAN_JOURNEY_DATABASE_PASSWORD_FILE": str(file),
            },
            capture_output=True, text=True, timeout=120)

    (wrong_file := tmp_path / "not-it").write_text(AWKWARD_PASSWORD + "-not-it\n")
    wrong = upgrade(wrong_file)  # the password is checked: the test is not vacuous
    assert wrong.returncode == 5 and "password authentication failed" in wrong.stderr
    done = upgrade(secret)
    assert done.returncode == 0, done.stderr
    owners = _psql(socket_dir, SUPERUSER, role,
                   "SELECT DISTINCT tableowner FROM pg_tables WHERE tablename = 'alembic_version'")
    assert owners == role


def test_the_init_script_takes_the_password_one_way_only(socket_dir: Path, tmp_path: Path) -> None:
    """Given both ways it creates nothing: which one the role got would be a guess."""
    (secret := tmp_path / "journey_db_password").write_text("from-the-file\n")
    env = clean_env() | {"POSTGRES_USER": SUPERUSER, "PGHOST": str(socket_dir),
                         "JOURNEY_DB_NAME": "journey_twice", "JOURNEY_DB_USER": "journey_twice",
                         "JOURNEY_DB_PASSWORD": "from-the-env",
                         "JOURNEY_DB_PASSWORD_FILE": str(secret)}
    done = subprocess.run(["sh", str(INIT_DIR / "10-loan-journey-db.sh")], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "set JOURNEY_DB_PASSWORD or JOURNEY_DB_PASSWORD_FILE, not both" in done.stderr
    assert _psql(socket_dir, SUPERUSER, "postgres",
                 "SELECT count(*) FROM pg_roles WHERE rolname = 'journey_twice'") == "0"
