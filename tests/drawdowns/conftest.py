from __future__ import annotations

import pytest
from temporalio.testing import WorkflowEnvironment

from tests.workflows import journey_kit


@pytest.fixture
async def server_today(time_skipping_env: WorkflowEnvironment) -> None:
    """Statements are dated from the server's clock, which earlier tests skipped ahead."""
    journey_kit.TODAY = (await time_skipping_env.get_current_time()).date()
