"""Every recorded journey history in tests/histories/ replays against today's workflow code.

A change that would break running journeys (a new activity, a reordered timer, a removed
update handler, all without `workflow.patched`) fails here. Add a history by dropping its
JSON export in tests/histories/ (see tests/audit/histories.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory

from journey.settings import Settings
from starter.audit import verify
from starter.codec import data_converter
from tests.audit.histories import HISTORIES, recorded_files

FILES = recorded_files()
NONE_YET = pytest.param(
    None,
    marks=pytest.mark.skip(reason=f"no recorded histories in {HISTORIES} yet"),
    id="no-histories",
)


@pytest.mark.parametrize("path", FILES or [NONE_YET], ids=lambda p: getattr(p, "stem", p))
async def test_recorded_history_replays(path: Path) -> None:
    from starter.audit_cli import project_workflows  # imports the workflows

    history = WorkflowHistory.from_json(path.stem, path.read_text("utf-8"))
    workflows = project_workflows()
    report = await verify([history], workflows, data_converter(Settings()))
    assert report.ok, f"{path.name} no longer replays: {report.failures[0].error}"
