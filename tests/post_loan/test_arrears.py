"""A late payment moves the loan through the five tiers; the credit committee writes it off."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import timedelta
from decimal import Decimal

import pytest
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.testing import WorkflowEnvironment

from journey.actors import Actor, Role
from journey.classification import RiskClass
from journey.decisions import UpdateResult, WriteOff
from journey.post_loan_policy import start_of
from journey.queue_wait import QueueWait
from journey.repayment import cents
from journey.stages import Stage
from store.outbox import messages_for
from tests.cli_kit import cli, point_cli_at, said
from tests.post_loan.loan_kit import assert_replays, disbursed_loan, outcome, pay, skip_to, until
from tests.workflows.journey_kit import BRANCH_APPROVER, RISK_SME, Documents
from workflows import search_attributes as sa
from workflows.loan_journey import LoanJourneyWorkflow


async def refused(call: Awaitable[object], reason: str) -> None:
    with pytest.raises(WorkflowUpdateFailedError) as err:
        await call
    assert reason in str(err.value.cause), err.value.cause


async def write_off(handle: WorkflowHandle, actor: Actor) -> UpdateResult:
    return await handle.execute_update(
        LoanJourneyWorkflow.write_off, WriteOff(actor=actor, reason="borrower insolvent")
    )


CC1, CC2 = Actor(id="cc-1", role=Role.APPROVER), Actor(id="cc-2", role=Role.APPROVER)


async def test_late_payment_moves_through_the_tiers_and_is_written_off(
    time_skipping_env: WorkflowEnvironment, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env, docs = time_skipping_env, Documents()
    async with disbursed_loan(env, tmp_path, docs) as (app, settings, handle, running):
        first = running.offer.schedule[0]
        await skip_to(env, start_of(first.due_on) + timedelta(hours=2))
        half = (first.payment / 2).quantize(first.payment)
        await handle.execute_update(LoanJourneyWorkflow.record_repayment, pay("PART-1", half))
        await refused(
            handle.execute_update(LoanJourneyWorkflow.record_repayment, pay("PART-1", half + 1)),
            "a different payment",
        )

        await skip_to(env, start_of(first.due_on + timedelta(days=1)) + timedelta(hours=1))
        late = await until(handle, lambda s: s.risk_class is RiskClass.SPECIAL_MENTION)
        # one day of penalty interest on what is unpaid, at the loan's rate and a half
        assert late.penalty_rate == running.offer.annual_rate * Decimal("1.5")
        penalty = cents((first.payment - half) * late.penalty_rate / 360)
        assert late.account.penalty_owed == penalty > 0
        assert late.days_past_due == 1 and late.arrears == first.payment - half + penalty
        assert [w.kind for w in late.warnings] == ["downgrade"]
        assert late.warnings[0].team == "sme_risk"
        # the early warning is on the risk team's queue (the search attributes)
        attrs = (await handle.describe()).typed_search_attributes
        assert attrs.get(sa.TEAM) == "sme_risk" and attrs.get(sa.SLA_STATE) == "early_warning"
        # waiting on the team since the warning, not since the loan's post-loan stage began
        wait = QueueWait.of(attrs.get(sa.QUEUE_WAIT))
        assert wait is not None and wait.since > start_of(first.due_on)  # its day past due
        assert wait.sla_text(8) == "no SLA" and not wait.business
        keys = [m.key for m in messages_for(settings.db_url, handle.id)]
        assert f"{handle.id}:overdue:1" in keys and f"{handle.id}:warning:1" in keys

        await refused(write_off(handle, CC1), "non-performing")

        tiers = []
        for days, tier in ((91, RiskClass.SUBSTANDARD), (271, RiskClass.DOUBTFUL),
                           (361, RiskClass.LOSS)):
            await skip_to(env, start_of(first.due_on + timedelta(days=days)) + timedelta(hours=1))
            now = await until(handle, lambda s, tier=tier: s.risk_class is tier)
            tiers.append((now.days_past_due, now.risk_class.label_zh))
        assert tiers == [(91, "次级"), (271, "可疑"), (361, "损失")]
        assert now.max_days_past_due == 361 and len(now.warnings) == 4

        await refused(write_off(handle, RISK_SME),
                      "a write-off is decided by the credit committee (ask cc-1, cc-2, cc-3)")
        await refused(write_off(handle, BRANCH_APPROVER), "decided by the credit committee")
        point_cli_at(monkeypatch, env.client)
        vote = await cli("write-off", handle.id, "--reason", "borrower insolvent", "--as", "cc-1")
        assert vote.exit_code == 0 and "write-off vote 1 of 2 recorded" in said(vote)
        await refused(write_off(handle, CC1), "already voted")
        done = await write_off(handle, CC2)
        assert done.stage is Stage.CLOSED
        result = await outcome(handle)
        assert result.outcome is Stage.CLOSED and result.reason.startswith("written off")
        # its four open warnings closed by the system, resolved by the write-off
        closed = await until(handle, lambda s: s.stage.terminal)
        assert {(w.acknowledged.by, w.acknowledged.action, w.acknowledged.note)
                for w in closed.warnings} == {("post-loan", "written_off", "written off")}
        assert closed.decisions[-1].reason == "warning 1, 2, 3, 4: written_off: written off"
        await assert_replays(handle)
