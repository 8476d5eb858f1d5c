"""Once a project's offer is signed, cancelling its undrawn commitment is the borrower's
instruction or, on the bank's side, the decision of the supervisor of its risk team, with a
reason: a relationship manager or operations alone is refused before the history. Before
signature, front office may still withdraw for the customer (tests/workflows)."""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from journey.actors import Actor, Role
from journey.decisions import Withdrawal
from journey.stages import Stage
from store.refusals import refusals
from tests.cli_kit import cli, point_cli_at, said
from tests.drawdowns.kit import at_drawdowns
from tests.workflows.journey_kit import Documents, customer, refused, status
from workflows.loan_journey import LoanJourneyWorkflow

WITHDRAW = LoanJourneyWorkflow.withdraw
SIGNED = ("the loan is signed: its commitment is cancelled on the customer's instruction (role "
          "customer, the credit code as id) or by the project_finance_risk supervisor's "
          "decision with a reason")


async def test_a_relationship_manager_alone_cannot_cancel_a_signed_commitment(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    docs = Documents()
    async with at_drawdowns(time_skipping_env, tmp_path, docs) as (app, _, handle):
        rm = Withdrawal(actor=Actor(id="rm-zhang", role=Role.RELATIONSHIP_MANAGER),
                        reason="the customer said so on the phone")
        assert (await refused(handle, WITHDRAW, rm)).endswith(
            f"{SIGNED}; 'rm-zhang' is relationship_manager; this needs one of: supervisor "
            "(ask sup-pf)")
        ops = Withdrawal(actor=Actor(id="ops-li", role=Role.OPERATIONS), reason="tidy up")
        assert f"{SIGNED}; 'ops-li' is operations" in await refused(handle, WITHDRAW, ops)
        assert (await status(handle)).stage is Stage.DISBURSEMENT

        done = await handle.execute_update(
            WITHDRAW, Withdrawal(actor=customer(app), reason="the project was cancelled"))
        assert done.stage is Stage.WITHDRAWN
        assert "15,000,000.00 undrawn commitment cancelled" in (await handle.result()).reason


async def test_the_supervisor_of_the_projects_risk_team_cancels_it_with_a_reason(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    docs = Documents()
    async with at_drawdowns(time_skipping_env, tmp_path, docs) as (_, _, handle):
        other = Withdrawal(actor=Actor(id="sup-sme", role=Role.SUPERVISOR),
                           reason="covenant breach")
        assert (await refused(handle, WITHDRAW, other)).endswith(
            f"{SIGNED}; 'sup-sme' supervises 'sme_risk'")

        breach = Withdrawal(actor=Actor(id="sup-pf", role=Role.SUPERVISOR),
                            reason="covenant breach: the sponsor's equity was not paid in")
        done = await handle.execute_update(WITHDRAW, breach)
        assert done.stage is Stage.WITHDRAWN
        final = await handle.query(LoanJourneyWorkflow.status)
        withdrawn = next(d for d in final.decisions if d.verdict == "withdrawn")
        assert (withdrawn.actor.id, withdrawn.reason) == ("sup-pf", breach.reason)


async def test_the_command_line_keeps_the_relationship_managers_cancellation_as_a_refusal(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    point_cli_at(monkeypatch, time_skipping_env.client, data_dir=tmp_path)
    docs = Documents()
    async with at_drawdowns(time_skipping_env, tmp_path, docs) as (app, settings, handle):
        rm = await cli("withdraw", handle.id, "--reason", "the customer said so", "--as",
                       "rm-zhang", "--role", "relationship_manager")
        assert rm.exit_code == 3, rm.output
        assert f"withdrawal refused: {SIGNED}" in said(rm)
        assert (await status(handle)).stage is Stage.DISBURSEMENT
        (kept,) = refusals(settings.db_url, handle.id)
        assert (kept.action, kept.actor, kept.role) == ("withdraw", "rm-zhang",
                                                        "relationship_manager")
        assert kept.reason.startswith(SIGNED)

        own = await cli("withdraw", handle.id, "--reason", "the project was cancelled",
                        "--as", app.credit_code)
        assert own.exit_code == 0, own.output
        assert ("withdrawal: accepted; journey at withdrawn: the project was cancelled"
                in said(own)), own.output
        assert "15,000,000.00 undrawn commitment cancelled" in (await handle.result()).reason
