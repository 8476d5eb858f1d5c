from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """A fresh SQLite file per test, in a directory that does not exist yet."""
    return f"sqlite:///{tmp_path / 'data' / 'journey.db'}"
