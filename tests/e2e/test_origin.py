"""Where an accepted act was typed from, on the real dev server: the command line's client
names its process (user@host pid) to the server, which records it with the act, and
`history` shows it next to the actor the caller named (--as), which proves nothing."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from journey.settings import Settings
from journey.stages import Stage
from starter.audit import audit_trail
from starter.codec import SETTING, data_converter
from store.refusals import origin, refusals
from tests.cli_kit import cli, point_cli_at, said
from tests.dev_server import fresh_dev_server
from tests.e2e.test_journey_on_dev_server import CLI
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


async def test_history_finds_one_process_acting_in_several_roles(
    plain: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The auditor's case: the risk officer's, the approver's and the customer's acts typed
    from one process (the command line run here, in this test's process) are each accepted,
    and `history` names that process as a finding, with whom it acted as."""
    client = plain.client
    docs, app = new_application()  # its licence names 张三 as legal representative
    async with journey_worker(client, tmp_path, docs) as settings:
        handle = await start(client, settings, app)
        await until_stage(handle, Stage.RISK_REVIEW)
        point_cli_at(monkeypatch, client, tmp_path / "cli-data")
        monkeypatch.delenv(SETTING, raising=False)
        assert (await cli("opinion", handle.id, *OPINION)).exit_code == 0
        await until_stage(handle, Stage.APPROVAL)
        assert (await cli("decide", handle.id, "--verdict", "approve", "--reason", "within limit",
                          "--as", "appr-branch-1")).exit_code == 0
        await until_stage(handle, Stage.OFFER)
        signed = ("sign", handle.id, "--as", app.credit_code, "--capacity",
                  "legal_representative", "--evidence",
                  "wet ink, branch 福田, witnessed by rm-chen")
        wrong = await cli(*signed, "--signatory", "李四")
        assert wrong.exit_code == 3, wrong.output
        assert "is not the legal representative (法定代表人)" in said(wrong)
        [kept] = refusals(Settings().db_url, handle.id)  # plain text: names no one
        assert kept.action == "sign" and "张三" not in kept.reason and "李四" not in kept.reason
        assert (await cli(*signed, "--signatory", "张三")).exit_code == 0
        await until_stage(handle, Stage.POST_LOAN)

        trail = said(await cli("history", handle.id))
        findings = trail[trail.index("findings for an auditor"):]
        assert (f"{origin()} │ risk_officer risk-sme-1, approver appr-branch-1, customer "
                f"{app.credit_code}") in findings, findings


async def _in_a_process_of_its_own(*args: str) -> int:
    """`loan-journey args` run as an operator runs it, a new process (this test's settings,
    in its environment): its pid."""
    command = await asyncio.create_subprocess_exec(
        *CLI, *args, env={**os.environ, "COLUMNS": "200"}, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT)
    out, _ = await command.communicate()
    assert command.returncode == 0, out.decode(errors="replace")
    return command.pid


async def test_history_finds_one_user_on_one_machine_acting_in_several_roles(
    plain: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reviewer's case: the risk officer's opinion, the approver's vote and the customer's
    signature typed by one OS user on one machine, each command line a process of its own
    (three identities): `history` names that user@host with the three processes."""
    client = plain.client
    docs, app = new_application()
    async with journey_worker(client, tmp_path, docs) as settings:
        handle = await start(client, settings, app)
        await until_stage(handle, Stage.RISK_REVIEW)
        point_cli_at(monkeypatch, client, tmp_path / "cli-data")
        monkeypatch.delenv(SETTING, raising=False)
        risk = await _in_a_process_of_its_own("opinion", handle.id, *OPINION)
        await until_stage(handle, Stage.APPROVAL)
        vote = await _in_a_process_of_its_own(
            "decide", handle.id, "--verdict", "approve", "--reason", "within limit",
            "--as", "appr-branch-1")
        await until_stage(handle, Stage.OFFER)
        assert (await cli("sign", handle.id, "--as", app.credit_code, "--signatory", "张三",
                          "--capacity", "legal_representative", "--evidence",
                          "wet ink, branch 福田, witnessed by rm-chen")).exit_code == 0
        await until_stage(handle, Stage.POST_LOAN)

        here = origin()  # the signature's, from this process
        user_host = here.rpartition(" pid ")[0]
        trail = said(await cli("history", handle.id))
        findings = trail[trail.index("findings for an auditor"):]
        assert (f"{user_host} (pids {risk}, {vote}, {os.getpid()}) │ risk_officer risk-sme-1, "
                f"approver appr-branch-1, customer {app.credit_code}") in findings, findings
