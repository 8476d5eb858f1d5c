"""Where an accepted act was typed from, on the real dev server: the command line's client
names its process (user@host pid) to the server, which records it with the act, and
`history` shows it next to the actor the caller named (--as), which proves nothing."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from journey.settings import Settings
from journey.stages import Stage
from starter.audit import audit_trail
from starter.codec import SETTING, data_converter
from store.refusals import origin
from tests.cli_kit import cli, point_cli_at, said
from tests.dev_server import fresh_dev_server
from tests.workflows.journey_kit import journey_worker, new_application, start, until_stage

pytestmark = pytest.mark.e2e

OPINION = ("--verdict", "approve", "--grade", "3", "--reason", "cash flow covers the debt",
           "--as", "risk-sme-1")


@pytest.fixture
async def plain() -> AsyncIterator[WorkflowEnvironment]:
    async with fresh_dev_server(data_converter(Settings())) as env:
        yield env


async def test_history_shows_where_each_accepted_update_came_from(
    plain: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = plain.client
    docs, app = new_application()
    async with journey_worker(client, tmp_path, docs) as settings:
        handle = await start(client, settings, app)
        await until_stage(handle, Stage.RISK_REVIEW)
        point_cli_at(monkeypatch, client, tmp_path / "cli-data")
        monkeypatch.delenv(SETTING, raising=False)
        opinion = await cli("opinion", handle.id, *OPINION)
        assert opinion.exit_code == 0, opinion.output
        await until_stage(handle, Stage.APPROVAL)

        here = origin()  # the command ran in this process
        trail = await cli("history", handle.id)
        assert trail.exit_code == 0, trail.output
        assert f"(from {here})" in said(trail), trail.output
        opinions = [line for line in await audit_trail(await handle.fetch_history(),
                                                       client.data_converter)
                    if line.event == "update record_risk_opinion"]
        assert [(o.actor, o.origin) for o in opinions] == [("risk-sme-1", here)]

        raw = await cli("history", handle.id, "--json", "--out", str(tmp_path / "h.json"))
        assert raw.exit_code == 0, raw.output
        events = json.loads((tmp_path / "h.json").read_text("utf-8"))["events"]
        accepted = [e["workflowExecutionUpdateAcceptedEventAttributes"] for e in events
                    if "workflowExecutionUpdateAcceptedEventAttributes" in e]
        assert [a["acceptedRequest"]["meta"]["identity"] for a in accepted] == [here], said(raw)
