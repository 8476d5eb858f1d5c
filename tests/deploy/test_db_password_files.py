"""The database roles' passwords, secrets' files, reach each program that uses them whole:
the PostgreSQL init scripts that create Temporal's role and the journey's (psql), the schema
job (temporal-sql-tool) and the server (the image's entrypoint, behind
docker/temporal/server-entrypoint.sh), each read by the one docker/secret-file.sh.

Each script runs under /bin/sh as its container runs it, with stubs of those programs first on
PATH that print what they were given; a file that is missing or empty stops each script before
it runs anything, naming the file. (The real psql against a real cluster, with a real
password check: tests/deploy/test_postgres_init.py.)
"""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest
from deploy_files import ROOT, clean_env

INIT_SCRIPT = ROOT / "docker/postgres-init/20-temporal-role.sh"
JOURNEY_INIT_SCRIPT = ROOT / "docker/postgres-init/10-loan-journey-db.sh"
SCHEMA_SCRIPT = ROOT / "docker/temporal/setup-schema.sh"
SERVER_WRAPPER = ROOT / "docker/temporal/server-entrypoint.sh"
# every character a URL reserves, a shell's `$`, quotes and a space
AWKWARD_PASSWORD = "p@ss/w:rd%41#?&'x$y \"z`"

# What each stub prints, a line a call: the password as the program got it, from the variable
# it reads, and its command line.
STUBS = {
    # psql, as the init scripts have it read the password (`\getenv pw TEMPORAL_DB_PASSWORD`,
    # or JOURNEY_DB_PASSWORD)
    "psql": 'printf \'psql got pw=%s args=%s\\n\' '
            '"${TEMPORAL_DB_PASSWORD:-${JOURNEY_DB_PASSWORD:-}}" "$*"',
    "temporal-sql-tool": 'printf \'temporal-sql-tool got pw=%s args=%s\\n\' "$SQL_PASSWORD" "$*"',
    # the schema job waits for PostgreSQL first
    "nc": "exit 0",
    # the server's image entrypoint; its configuration reads POSTGRES_PWD
    "entrypoint.sh": 'printf \'entrypoint got pw=%s args=%s\\n\' "$POSTGRES_PWD" "$*"',
}
# each script, the variable naming its file, and the stub that shows what it passed on
SCRIPTS = {
    "init": ([str(INIT_SCRIPT)], "TEMPORAL_DB_PASSWORD_FILE", "psql got"),
    "journey-init": ([str(JOURNEY_INIT_SCRIPT)], "JOURNEY_DB_PASSWORD_FILE", "psql got"),
    "schema": ([str(SCHEMA_SCRIPT)], "POSTGRES_PWD_FILE", "temporal-sql-tool got"),
    "server": ([str(SERVER_WRAPPER), "{bin}/entrypoint.sh", "start"], "POSTGRES_PWD_FILE",
               "entrypoint got"),
}


def _stubs(folder: Path) -> Path:
    folder.mkdir(exist_ok=True)
    for name, body in STUBS.items():
        stub = folder / name
        stub.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
        stub.chmod(stub.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return folder


def _run(script: str, file: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """The script as its container runs it, its password's file named by its variable."""
    args, variable, _ = SCRIPTS[script]
    stubs = _stubs(tmp_path / "bin")
    env = clean_env() | {"POSTGRES_USER": "postgres", variable: str(file)}
    env["PATH"] = f"{stubs}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run(["/bin/sh", *(arg.format(bin=stubs) for arg in args)], env=env,
                          capture_output=True, text=True, timeout=30)


def _calls(done: subprocess.CompletedProcess[str], script: str) -> list[tuple[str, str]]:
    """(password, command line) as each call of the stub was given them."""
    marker = SCRIPTS[script][2]
    calls = [line.removeprefix(marker + " pw=").split(" args=", 1)
             for line in done.stdout.splitlines() if line.startswith(marker)]
    return [(password, args) for password, args in calls]


def _passed_on(done: subprocess.CompletedProcess[str], script: str) -> list[str]:
    """The passwords the stubs were given, one per call."""
    return [password for password, _ in _calls(done, script)]


@pytest.mark.parametrize("script", SCRIPTS)
def test_each_script_passes_on_the_files_password_whole(script: str, tmp_path: Path) -> None:
    """As the file is written (`printf '%s\\n'`): its newline left out, nothing else."""
    (file := tmp_path / "temporal_db_password").write_text(AWKWARD_PASSWORD + "\n")
    done = _run(script, file, tmp_path)
    assert done.returncode == 0, done.stderr
    passed = _passed_on(done, script)
    assert passed and set(passed) == {AWKWARD_PASSWORD}, done.stdout
    # never on a command line, which any process listing on the host shows
    assert all(AWKWARD_PASSWORD not in args for _, args in _calls(done, script)), done.stdout
    if script == "server":  # the image's entrypoint, with the arguments the wrapper got
        assert done.stdout.rstrip().endswith(" args=start"), done.stdout


@pytest.mark.parametrize("script", SCRIPTS)
def test_a_file_written_on_windows_loses_its_cr_lf(script: str, tmp_path: Path) -> None:
    (file := tmp_path / "temporal_db_password").write_bytes(b"tpw-crlf\r\n")
    done = _run(script, file, tmp_path)
    assert done.returncode == 0, done.stderr
    assert set(_passed_on(done, script)) == {"tpw-crlf"}, done.stdout


@pytest.mark.parametrize("script", SCRIPTS)
def test_a_missing_or_empty_file_stops_the_script_naming_it(
    script: str, tmp_path: Path
) -> None:
    """Before psql, the wait for PostgreSQL or the server: nothing runs without the password,
    and the message names the file (never a password: there is none to show)."""
    variable = SCRIPTS[script][1]
    missing = tmp_path / "secrets" / "temporal_db_password"
    done = _run(script, missing, tmp_path)
    assert done.returncode != 0
    assert f"{variable} names {missing}, which cannot be read" in done.stderr, done.stderr
    assert done.stdout.count(" got ") == 0, done.stdout
    (empty := tmp_path / "empty").write_text("\n")
    done = _run(script, empty, tmp_path)
    assert done.returncode != 0
    assert f"{variable} names {empty}, which is empty" in done.stderr, done.stderr
    assert done.stdout.count(" got ") == 0, done.stdout


def test_the_server_wrapper_refuses_the_password_given_both_ways(tmp_path: Path) -> None:
    """A POSTGRES_PWD left in the environment (an override file) beside the secret's file:
    which one the server got would be a guess."""
    (file := tmp_path / "temporal_db_password").write_text("from-the-file\n")
    stubs = _stubs(tmp_path / "bin")
    env = clean_env() | {"POSTGRES_PWD_FILE": str(file), "POSTGRES_PWD": "from-the-env"}
    done = subprocess.run(["/bin/sh", str(SERVER_WRAPPER), str(stubs / "entrypoint.sh")],
                          env=env, capture_output=True, text=True, timeout=30)
    assert done.returncode != 0
    assert "set POSTGRES_PWD or POSTGRES_PWD_FILE, not both" in done.stderr
    assert "from-the" not in done.stdout + done.stderr


def test_the_journeys_init_script_keeps_its_password_off_psqls_command_line(
    tmp_path: Path,
) -> None:
    """The journey role's password as well (10-loan-journey-db.sh): psql reads it from its
    environment, JOURNEY_DB_PASSWORD (the real psql does: test_postgres_init.py)."""
    (file := tmp_path / "journey_db_password").write_text(AWKWARD_PASSWORD + "\n")
    stubs = _stubs(tmp_path / "bin")
    (stubs / "psql").write_text(
        '#!/bin/sh\nprintf \'psql got pw=%s args=%s\\n\' "$JOURNEY_DB_PASSWORD" "$*"\n')
    env = clean_env() | {"POSTGRES_USER": "postgres", "JOURNEY_DB_PASSWORD_FILE": str(file)}
    env["PATH"] = f"{stubs}{os.pathsep}{env.get('PATH', '')}"
    done = subprocess.run(["/bin/sh", str(ROOT / "docker/postgres-init/10-loan-journey-db.sh")],
                          env=env, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    password, args = done.stdout.splitlines()[0].removeprefix("psql got pw=").split(" args=", 1)
    assert password == AWKWARD_PASSWORD and AWKWARD_PASSWORD not in args, done.stdout
