"""Recorded histories of the real journey, kept under tests/histories/ and replayed in CI.

To add one, run a terminal path (a test in tests/workflows, or a journey on the dev server)
and save its history; `test_replay_recorded.py` picks up every *.json file there:

    await save_history(handle, "rejected_at_risk_review")
    # or: loan-journey history <id> --json --out tests/histories/rejected_at_risk_review.json

Record without codec keys: the history is checked into the repository.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from temporalio.client import WorkflowHandle

from starter.audit import history_json

HISTORIES = Path(__file__).resolve().parents[1] / "histories"


def recorded_files() -> list[Path]:
    return sorted(HISTORIES.glob("*.json"))


async def save_history(handle: WorkflowHandle[Any, Any], name: str) -> Path:
    """Write the handle's history to tests/histories/<name>.json, as `history --json` does."""
    HISTORIES.mkdir(exist_ok=True)
    path = HISTORIES / f"{name}.json"
    path.write_text(history_json(await handle.fetch_history()), encoding="utf-8")
    return path
