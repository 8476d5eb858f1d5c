"""An encrypted journey on the real time-skipping server, recorded once for the audit tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from temporalio.client import WorkflowHistory
from temporalio.converter import DataConverter
from temporalio.testing import WorkflowEnvironment

from journey.settings import Settings
from starter.codec import data_converter, new_key
from tests.audit import fixture_workflow as fx
from tests.audit.journey_run import run_journey, time_skipping


@pytest.fixture(scope="session")
def audit_keys() -> str:
    """Two keys: "k2" encrypts, "k1" is the rotated-out one that still decrypts."""
    return f"k2:{new_key()},k1:{new_key()}"


@pytest.fixture(scope="session")
def audit_converter(audit_keys: str) -> DataConverter:
    return data_converter(Settings(codec_keys=audit_keys))


@pytest.fixture(scope="session")
async def audit_env(audit_converter: DataConverter) -> AsyncIterator[WorkflowEnvironment]:
    async with time_skipping(audit_converter) as env:
        yield env


@pytest.fixture(scope="session")
async def recorded(audit_env: WorkflowEnvironment) -> WorkflowHistory:
    """The history of one encrypted fixture journey (release 1 of the workflow)."""
    return await run_journey(audit_env, fx.AuditFixture)
