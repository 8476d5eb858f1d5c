"""The embedded dev server keeps its state in the configured SQLite file, write-ahead logged
like the journey store, so it survives a killed process and writes without blocking reads."""

from __future__ import annotations

import sqlite3

import pytest
from temporalio.testing import WorkflowEnvironment

from journey.settings import Settings

pytestmark = pytest.mark.e2e


async def test_the_server_file_is_write_ahead_logged(
    dev_server: WorkflowEnvironment, e2e_settings: Settings
) -> None:
    assert dev_server.client.namespace == e2e_settings.temporal_namespace
    with sqlite3.connect(e2e_settings.temporal_db_file) as db:
        (mode,) = db.execute("PRAGMA journal_mode").fetchone()
    assert mode == "wal"
