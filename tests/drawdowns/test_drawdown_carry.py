"""The drawdown record rides through post-loan continue-as-new with the rest of the journey."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import pytest
from temporalio import activity
from temporalio.client import WorkflowExecutionStatus, WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from activities.review import post_loan_policy_text
from journey import review_contracts as rc
from journey.drawdowns import DrawdownState
from journey.post_loan_policy import parse_post_loan_policy
from journey.settings import Settings
from tests.drawdowns.kit import CONTRACTOR, approve, ask, at_drawdowns, permit, request
from tests.drawdowns.kit import until as until_status
from tests.workflows.journey_kit import Documents
from workflows.loan_journey import LoanJourneyWorkflow

pytestmark = pytest.mark.usefixtures("server_today")


def short_history(settings: Settings) -> list[Any]:
    """A post-loan policy that continues as new at once (the journey is past 100 events)."""
    policy = parse_post_loan_policy(post_loan_policy_text()).model_copy(
        update={"max_history_events": 100}
    )

    @activity.defn(name=rc.LOAD_POST_LOAN_POLICY)
    def load_post_loan_policy(request: rc.LoadPostLoanPolicyInput) -> rc.PostLoanPolicyResult:
        return rc.PostLoanPolicyResult(policy=policy)

    return [load_post_loan_policy]


async def continued(run: WorkflowHandle, seconds: float = 20) -> None:
    """Wait (on describe, which no worker answers) until this run has continued as new."""
    deadline = asyncio.get_running_loop().time() + seconds
    while (await run.describe()).status is not WorkflowExecutionStatus.CONTINUED_AS_NEW:
        assert asyncio.get_running_loop().time() < deadline, "the run did not continue as new"
        await asyncio.sleep(0.1)


async def test_drawdowns_survive_continue_as_new(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    env, docs = time_skipping_env, Documents()
    async with at_drawdowns(env, tmp_path, docs, short_history) as (app, settings, handle):
        for tranche, amount, labels in (
            ("t1", 4_500_000, ["planning_permit", "capital_proof"]),
            ("t2", 6_000_000, ["construction_progress", "insurance"]),
            ("t3", 4_500_000, ["equipment_delivery", "insurance"]),
        ):
            payee = CONTRACTOR if amount > 5_000_000 else None  # entrusted above 5m
            await request(handle, ask(app, tranche, amount, [permit(docs, x) for x in labels],
                                      payee))
            assert (await approve(handle, tranche)).state is DrawdownState.BOOKED
        first = env.client.get_workflow_handle(handle.id, run_id=handle.result_run_id)
        await continued(first)  # a query sent while the run continues as new can hang here
        latest = env.client.get_workflow_handle_for(LoanJourneyWorkflow.run, handle.id)
        # the last booking's answer comes before the close that follows it (its notices
        # go first): wait for the close, which a carry that lost it would never show
        carried = await until_status(latest, lambda s: s.run >= 2 and s.commitment is not None
                                     and s.commitment.closed_at is not None)
        assert carried.commitment is not None
        assert carried.commitment.drawn == Decimal("15000000.00")
        assert carried.commitment.closed_at is not None
        assert [d.request.tranche_id for d in carried.drawdowns] == ["t1", "t2", "t3"]
        assert carried.drawdown_plan is not None and carried.offer is not None
        assert carried.offer.drawdown_plan == carried.drawdown_plan
        assert sum(i.principal for i in carried.offer.schedule) == Decimal("15000000.00")
