"""The worker image: Debian's tesseract with its languages, the project, a non-root user."""

from __future__ import annotations

import fnmatch
import subprocess
import tomllib

from deploy_files import DOCKERFILE, DOCKERIGNORE, ROOT, find_tool, require


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    joined = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    lines = [line.strip() for line in joined.splitlines()]
    pairs = [line.split(None, 1) for line in lines if line and not line.startswith("#")]
    return [(pair[0].upper(), pair[1] if len(pair) > 1 else "") for pair in pairs]


def _args(instruction: str) -> list[str]:
    return [args for name, args in _instructions() if name == instruction]


def _ignored(path: str) -> bool:
    patterns = [
        line.strip()
        for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    parts = path.split("/")
    heads = ["/".join(parts[: i + 1]) for i in range(len(parts))]  # a dir hides its files
    tails = ["/".join(parts[i:]) for i in range(len(parts))]  # `**/` matches at any depth
    return any(
        fnmatch.fnmatch(candidate, pattern.removeprefix("**/"))
        for pattern in patterns
        for candidate in (tails if pattern.startswith("**/") else heads)
    )


def test_base_image_is_python_3_11_slim_bookworm() -> None:
    assert _args("FROM") == ["python:3.11-slim-bookworm"]


def test_installs_tesseract_with_chinese_and_english_and_no_recommends() -> None:
    installs = [args for args in _args("RUN") if "apt-get install" in args]
    assert len(installs) == 1
    words = installs[0].split()
    assert "--no-install-recommends" in words
    for package in ("tesseract-ocr", "tesseract-ocr-chi-sim", "tesseract-ocr-eng"):
        assert package in words, package
    assert "fonts-noto-cjk" in words
    assert "rm -rf /var/lib/apt/lists/*" in installs[0]


def test_installs_the_project_with_the_postgres_driver() -> None:
    assert any('pip install ".[postgres]"' in args for args in _args("RUN"))


def test_runs_as_a_non_root_user() -> None:
    users = _args("USER")
    assert users, "no USER instruction: the worker would run as root"
    assert users[-1].split(":")[0] not in ("root", "0")
    order = [name for name, _ in _instructions()]
    assert order.index("USER") > max(i for i, name in enumerate(order) if name == "RUN")


def test_default_command_is_the_worker() -> None:
    assert _args("CMD")[-1] in ('["python", "worker.py"]', '["loan-journey", "worker"]')


def test_build_context_keeps_what_the_package_needs_and_drops_the_rest() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    setuptools = project["tool"]["setuptools"]
    needed = ["pyproject.toml"]
    needed += [f"{module}.py" for module in setuptools.get("py-modules", [])]
    needed += [pattern.rstrip("*") for pattern in setuptools["packages"]["find"]["include"]]
    assert [path for path in needed if _ignored(path)] == []
    for heavy in (".git", ".venv/bin", ".data", "tests", "journey/__pycache__/x.pyc"):
        assert _ignored(heavy), heavy


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
