from __future__ import annotations

from pathlib import Path

import pytest

from store.timing import record_events
from tests.report.report_fixture import fixed_events


@pytest.fixture
def report_db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'journey.db'}"
    assert record_events(url, fixed_events()) == 38
    return url
