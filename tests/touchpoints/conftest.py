from __future__ import annotations

import pytest

from tests.report.conftest import report_db
from tests.touchpoints.touchpoint_fixture import record_fixed_feedback

__all__ = ["report_db", "touchpoint_db"]


@pytest.fixture
def touchpoint_db(report_db: str) -> str:
    """The report's fixed journeys with the fixed feedback of touchpoint_fixture.py."""
    record_fixed_feedback(report_db)
    return report_db
