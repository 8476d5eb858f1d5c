"""What waits on a credit committee's member, on the real dev server: `queue --person` lists
the committee cases at approval that still need their vote, and no longer the one they voted
on (which still waits on the others); someone on no committee is listed none."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from journey.actors import Actor, Role
from journey.application import Product
from journey.decisions import ApprovalDecision, Verdict
from journey.stages import Stage
from starter import work_lists
from tests.cli_kit import cli, point_cli_at, said
from tests.workflows.journey_kit import drive_to, new_application, running_journey
from workflows.loan_journey import LoanJourneyWorkflow

pytestmark = pytest.mark.e2e

RISK_PF = Actor(id="risk-pf-1", role=Role.RISK_OFFICER)


async def test_a_committee_member_sees_the_cases_that_still_need_their_vote(
    dev_server: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = dev_server.client
    # project finance above 50m: the credit committee, two votes of its three members
    docs, app = new_application(amount=80_000_000, product=Product.PROJECT_FINANCE,
                                term_months=60)
    async with running_journey(dev_server, tmp_path, docs, app) as (_, handle):
        at = await drive_to(handle, app, Stage.APPROVAL, risk=RISK_PF)
        assert at.route is not None and at.route.tier == "credit_committee"
        point_cli_at(monkeypatch, client, tmp_path)
        query = f"WorkflowId = '{handle.id}' AND {work_lists.queue_query('credit_committee')}"
        while await work_lists.count_journeys(client, query) != 1:  # visibility catches up
            await asyncio.sleep(0.1)

        mine = await cli("queue", "--person", "cc-1", "--show-query")
        assert mine.exit_code == 0, mine.output
        votes = said(mine)[said(mine).index("committee votes awaited from cc-1"):]
        assert handle.id in votes, mine.output
        assert "the committee's queue, who may still vote from each journey's status" in votes
        await handle.execute_update(LoanJourneyWorkflow.decide, ApprovalDecision(
            actor=Actor(id="cc-1", role=Role.APPROVER), verdict=Verdict.APPROVE,
            reason="within appetite"))

        voted = await cli("queue", "--person", "cc-1")
        assert voted.exit_code == 0 and handle.id not in said(voted), voted.output
        assert "committee votes awaited from cc-1" in said(voted)
        others = await cli("queue", "--person", "cc-2")
        assert handle.id in said(others), others.output  # one vote more is needed
        branch = await cli("queue", "--person", "appr-branch-1")
        assert branch.exit_code == 0, branch.output
        assert "committee votes awaited" not in said(branch) and handle.id not in said(branch)
