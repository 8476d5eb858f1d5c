"""The worker writes the bytecode of its workflows' modules, which the sandbox imports again
for every new run: under PYTHONDONTWRITEBYTECODE nothing else writes it, and each new journey
compiled workflows/loan_journey.py from source (starter/sandbox_bytecode.py)."""

from __future__ import annotations

import importlib
import importlib.util
import logging
import sys
from collections.abc import Iterator
from importlib.machinery import SourceFileLoader
from pathlib import Path
from typing import Any

import pytest
from temporalio import workflow
from temporalio.testing import WorkflowEnvironment
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner

from journey.settings import Settings
from starter.sandbox_bytecode import write_sandbox_bytecode
from worker import build_worker

MODULE = "sandboxed_for_bytecode"
SOURCE = """
from temporalio import workflow


@workflow.defn
class Sandboxed:
    @workflow.run
    async def run(self) -> str:
        return "done"
"""


@pytest.fixture
def sandboxed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[type]:
    """A workflow class in a module of its own, imported as under PYTHONDONTWRITEBYTECODE."""
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    monkeypatch.syspath_prepend(str(tmp_path))
    (tmp_path / f"{MODULE}.py").write_text(SOURCE, encoding="utf-8")
    yield importlib.import_module(MODULE).Sandboxed
    sys.modules.pop(MODULE, None)


def compiled_for_new_run(cls: type, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The sources Python compiles while the sandbox builds a new run of `cls` (as the
    runner's own check does, and the worker for every new run)."""
    compiled: list[str] = []
    original = SourceFileLoader.source_to_code

    def counted(self: SourceFileLoader, data: Any, path: Any, *args: Any) -> Any:
        compiled.append(str(path))
        return original(self, data, path, *args)

    monkeypatch.setattr(SourceFileLoader, "source_to_code", counted)
    SandboxedWorkflowRunner().prepare_workflow(workflow._Definition.must_from_class(cls))
    monkeypatch.setattr(SourceFileLoader, "source_to_code", original)
    return compiled


async def test_a_new_run_reads_the_bytecode_written_for_it(
    sandboxed: type, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = sys.modules[MODULE].__file__
    assert compiled_for_new_run(sandboxed, monkeypatch) == [source]  # each new run, before
    write_sandbox_bytecode([sandboxed])
    assert Path(importlib.util.cache_from_source(source)).is_file()
    assert compiled_for_new_run(sandboxed, monkeypatch) == []


async def test_the_worker_writes_its_workflows_bytecode(
    time_skipping_env: WorkflowEnvironment, sandboxed: type, tmp_path: Path
) -> None:
    build_worker(time_skipping_env.client, Settings(data_dir=tmp_path / "data"),
                 workflows=[sandboxed])
    assert Path(importlib.util.cache_from_source(sys.modules[MODULE].__file__)).is_file()


async def test_a_module_whose_bytecode_cannot_be_written_still_runs(
    sandboxed: type, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A read-only install (root writes nothing; a file where `__pycache__` would go does):
    the worker says so and each new run compiles the source, as before."""
    (tmp_path / "__pycache__").write_text("not a folder", encoding="utf-8")
    with caplog.at_level(logging.INFO, logger="starter.sandbox_bytecode"):
        write_sandbox_bytecode([sandboxed])
    assert "no bytecode written" in caplog.text
    assert compiled_for_new_run(sandboxed, monkeypatch) == [sys.modules[MODULE].__file__]
