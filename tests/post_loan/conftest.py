from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from temporalio.testing import WorkflowEnvironment

from tests.dev_server import fresh_dev_server
from tests.workflows import journey_kit


@pytest.fixture(autouse=True)
async def server_today(time_skipping_env: WorkflowEnvironment) -> None:
    """Statements are dated from the server's clock, which earlier tests skipped ahead."""
    journey_kit.TODAY = (await time_skipping_env.get_current_time()).date()


@pytest.fixture(scope="module")
async def dev_env() -> AsyncIterator[WorkflowEnvironment]:
    """A dev server of the test module's own (Schedules and visibility, which the
    time-skipping server lacks)."""
    async with fresh_dev_server() as env:
        yield env
