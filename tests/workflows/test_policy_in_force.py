"""The lending policy's life (docs/journey.md): a worker reads, checks and records its policy
once as it starts and every intake pins that one; the command line checks by the policy in
force (the newest the workers recorded), not by its own file: a journey's start, every act's
actor, the report's SLA column."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from temporalio.testing import WorkflowEnvironment

from activities.policy import policy_text
from journey.entrusted_payment import PaymentInstruction
from journey.settings import Settings
from journey.stages import Stage
from starter import applications, pending, work_lists
from starter.errors import BadInput, SetupError
from starter.start_checks import check_start
from starter.work_lists import JourneyRow
from store.policies import sha256_of
from tests.cli_kit import cli, point_cli_at, said
from tests.workflows.journey_kit import (
    SUBMITTER,
    accepted_updates,
    drive_to,
    journey_worker,
    new_application,
    start,
    status,
    until_stage,
)
from tests.workflows.test_entrusted_payout import BUILDER, EQUIPMENT, OPS, large, signed
from workflows.loan_journey import LoanJourneyWorkflow


def policy_file(path: Path, version: str, edit: Any = None) -> Path:
    """The default policy under `version`, changed by `edit` (given its JSON), at `path`."""
    data: dict[str, Any] = json.loads(policy_text(None))
    data["version"] = version
    if edit is not None:
        edit(data)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


async def test_a_journey_pins_the_policy_its_worker_started_with(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An edit of the file in place reaches no journey until the workers restart, and a
    restart refuses a file that cannot be used, or that changed under its version."""
    file = policy_file(tmp_path / "policy.json", "T-1")
    started_with = file.read_text(encoding="utf-8")
    monkeypatch.setenv("LOAN_JOURNEY_POLICY_FILE", str(file))
    docs, app = new_application()
    async with journey_worker(time_skipping_env.client, tmp_path, docs) as settings:
        file.write_text('{"version": "T-1", "routing": ', encoding="utf-8")  # half saved
        handle = await start(time_skipping_env.client, settings, app)
        pinned = await until_stage(handle, Stage.RISK_REVIEW)
        assert (pinned.policy_version, pinned.policy_sha256) == ("T-1", sha256_of(started_with))
    with pytest.raises(SetupError, match="LOAN_JOURNEY_POLICY_FILE cannot be used: policy "
                       "file is invalid"):
        check_start(settings)
    policy_file(file, "T-1", lambda data: data["staff"][14].update(active=False))
    with pytest.raises(SetupError) as reused:
        check_start(settings)
    assert "policy version T-1 was first loaded" in str(reused.value)
    assert 'give the changed file a new "version"' in str(reused.value)
    policy_file(file, "T-2", lambda data: data["staff"][14].update(active=False))
    assert check_start(settings).lending.policy.version == "T-2"  # type: ignore[union-attr]


async def test_the_command_line_checks_by_the_policy_the_workers_run(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The workers restart on a policy without appr-branch-1 and with a higher minimum; the
    command line, with no policy file of its own, goes by theirs: the departed approver's
    vote is refused before it is sent, naming who may vote on the case instead (the branch
    tier's approvers: not those of other tiers, who may not vote on it), a loan below the new
    minimum does not start, and the report's SLAs are the new policy's, named."""
    client = time_skipping_env.client
    point_cli_at(monkeypatch, client, tmp_path)
    docs, app = new_application()  # 3,000,000 of working capital: branch approval
    queue = f"tq-{uuid.uuid4()}"
    # no sticky queue: the test server would keep the journey's tasks for the worker gone
    async with journey_worker(client, tmp_path, docs, task_queue=queue, cache=False,
                              restarting=True) as settings:
        handle = await start(client, settings, app)
        await drive_to(handle, app, Stage.APPROVAL)

    def without_appr_branch_1(data: dict[str, Any]) -> None:
        data["staff"] = [m for m in data["staff"] if m["id"] != "appr-branch-1"]
        data["amounts"]["minimum"]["working_capital"] = "2500000"

    newer = policy_file(tmp_path / "newer.json", "T-2", without_appr_branch_1)
    monkeypatch.setenv("LOAN_JOURNEY_POLICY_FILE", str(newer))
    async with journey_worker(client, tmp_path, docs, task_queue=queue) as settings:
        monkeypatch.delenv("LOAN_JOURNEY_POLICY_FILE")  # the command line's own: the default
        before = await accepted_updates(handle)
        # the case read in full, however slow the cacheless worker's replay under load
        monkeypatch.setattr(pending, "CASE_READ_WITHIN", timedelta(seconds=60))
        gone = await cli("decide", handle.id, "--verdict", "approve", "--reason",
                         "seasonal dip", "--as", "appr-branch-1")
        assert gone.exit_code == 3, gone.output
        assert ("approval vote refused: 'appr-branch-1' is not in the staff directory of policy "
                "T-2, the policy in force: act under your own staff id, or ask whoever may vote on "
                "this case at branch (its approvers whose limit covers it, not its submitter or "
                "risk reviewer, nor who voted already): appr-branch-2") in said(gone)
        assert await accepted_updates(handle) == before  # nothing sent
        assert (await status(handle)).stage is Stage.APPROVAL

        shown = said(await cli("status", handle.id))
        assert (f"policy 2026.12-8 (sha256 {sha256_of(policy_text(None))[:12]}, rule "
                "sme-default)") in shown  # what the journey pinned, before the restart

        _, small = new_application(amount=2_000_000)
        with pytest.raises(BadInput, match=r"below the least .* 2,500,000.00 yuan \(policy T-2\)"):
            await applications.start_journey(client, Settings(data_dir=tmp_path,
                                                              task_queue=queue), small)

        voted = await cli("decide", handle.id, "--verdict", "approve", "--reason",
                          "seasonal dip", "--as", "appr-branch-2")
        assert voted.exit_code == 0, voted.output
        report = said(await cli("report"))
        assert "the SLA column is the target of the policy in force, T-2" in report


async def test_a_departed_clerk_is_refused_naming_only_who_may_act_on_the_case(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The workers restart on a policy without ops-zhao. On the case ops-li submitted, whose
    payment instruction ops-wang entered, neither of the two operations left may confirm it
    (four eyes): the departed clerk's confirmation is refused saying nobody may and what to
    do, not naming them, and status says the payout is stuck; who may correct the case's
    readings is ops-wang alone, not ops-li, its submitter."""
    client = time_skipping_env.client
    point_cli_at(monkeypatch, client, tmp_path)
    docs, app = large(submitted_by=SUBMITTER)
    queue = f"tq-{uuid.uuid4()}"
    async with journey_worker(client, tmp_path, docs, task_queue=queue, cache=False,
                              restarting=True) as settings:
        handle = await start(client, settings, app)
        await signed(handle, app)
        await until_stage(handle, Stage.DISBURSEMENT, asking=True)
        await handle.execute_update(LoanJourneyWorkflow.record_payment_instruction,
                                    PaymentInstruction(actor=OPS, counterparties=[EQUIPMENT,
                                                                                  BUILDER]))

    def without_ops_zhao(data: dict[str, Any]) -> None:
        data["staff"] = [m for m in data["staff"] if m["id"] != "ops-zhao"]

    monkeypatch.setenv("LOAN_JOURNEY_POLICY_FILE",
                       str(policy_file(tmp_path / "newer.json", "T-2", without_ops_zhao)))
    async with journey_worker(client, tmp_path, docs, task_queue=queue):
        monkeypatch.delenv("LOAN_JOURNEY_POLICY_FILE")  # the command line's own: the default
        before = await accepted_updates(handle)
        # the case read in full, however slow the new worker's replay under load
        monkeypatch.setattr(pending, "CASE_READ_WITHIN", timedelta(seconds=60))
        gone = await cli("confirm-payees", handle.id, "--instruction", "1", "--as", "ops-zhao")
        assert gone.exit_code == 3, gone.output
        stuck = ("nobody in policy T-2 may confirm payment instruction 1 (operations, not its "
                 "maker ops-wang nor the case's submitter ops-li): the payout is stuck until a "
                 "supervisor or the policy's owner adds an operations person to the policy")
        assert f"'ops-zhao' is not in the staff directory of policy T-2, the policy in " \
            f"force: act under your own staff id, or {stuck}" in said(gone)
        assert await accepted_updates(handle) == before  # nothing sent
        assert stuck in said(await cli("status", handle.id))
        # and operations' queue under its table, read from the journey (the time-skipping
        # server lists no queue: its row as the listing gives it)
        row = JourneyRow(workflow_id=handle.id, status="Running", stage="disbursement",
                         team="operations", sla="ok", product="fixed_asset",
                         amount_band="-", started=datetime.now(UTC))
        assert await work_lists.stuck_payouts(client, Settings(data_dir=tmp_path), [row]) == [
            f"{handle.id}: {stuck}"]
        fix = await cli("correct", handle.id, "--document", "0" * 12, "--field", "cash",
                        "--value", "1", "--as", "ops-zhao")
        assert fix.exit_code == 3, fix.output
        assert ("ask whoever may correct this case's readings (operations, not the case's "
                "submitter ops-li): ops-wang") in said(fix)
