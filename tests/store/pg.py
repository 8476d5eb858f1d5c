"""A fresh PostgreSQL database per test, when LOAN_JOURNEY_TEST_POSTGRES_URL names a server.

    LOAN_JOURNEY_TEST_POSTGRES_URL='postgresql+psycopg://postgres@/postgres?host=/tmp/pg&port=5432'

Without it the store and report tests run on SQLite only.
"""

from __future__ import annotations

import os
import uuid

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ADMIN_URL = os.environ.get("LOAN_JOURNEY_TEST_POSTGRES_URL")
BACKENDS = ["sqlite", "postgresql"] if ADMIN_URL else ["sqlite"]


def fresh_postgres_db() -> str:
    """Create an empty database on the test server and return its URL."""
    assert ADMIN_URL is not None
    name = f"journey_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
