from __future__ import annotations

from pathlib import Path

import pytest

from store.timing import record_events
from tests.report.report_fixture import fixed_events
from tests.store.pg import BACKENDS, fresh_postgres_db


@pytest.fixture(params=BACKENDS)
def report_db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The fixed event set of report_fixture.py in a fresh database."""
    url = fresh_postgres_db() if request.param == "postgresql" else f"sqlite:///{tmp_path / 'j.db'}"
    assert record_events(url, fixed_events()) == 38
    return url
