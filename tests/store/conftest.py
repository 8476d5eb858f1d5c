from __future__ import annotations

from pathlib import Path

import pytest

from tests.store.pg import BACKENDS, fresh_postgres_db


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh database per test: a SQLite file in a directory that does not exist yet,
    and a PostgreSQL database when LOAN_JOURNEY_TEST_POSTGRES_URL is set."""
    if request.param == "postgresql":
        return fresh_postgres_db()
    return f"sqlite:///{tmp_path / 'data' / 'journey.db'}"


@pytest.fixture
def sqlite_only(db_url: str) -> None:
    if not db_url.startswith("sqlite"):
        pytest.skip("SQLite behaviour")
