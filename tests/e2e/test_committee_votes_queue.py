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
from journey.policy.calendar import short_moment
from journey.stages import Stage
from starter import work_lists
from tests.cli_kit import cli, point_cli_at, said
from tests.post_loan.loan_kit import TIGHT, loan_worker
from tests.workflows.journey_kit import (
    Documents,
    application,
    drive_to,
    new_application,
    running_journey,
    start,
)
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


async def test_the_approval_lists_read_whole_on_an_80_column_terminal(
    dev_server: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A committee's and the branch's work lists at 80 columns (a terminal's, and a pipe's):
    each case's journey id whole on its line, its SLA's due time, and the covenant its file
    already breaches in full; they were squeezed to "loan-APP-DEMO-0…", "…" and nothing."""
    client = dev_server.client
    docs = Documents()
    big = application(docs, amount=80_000_000, product=Product.PROJECT_FINANCE,
                      term_months=60)  # the credit committee's
    small = application(docs)  # the branch's
    async with loan_worker(client, tmp_path, docs, post_loan_policy=TIGHT) as settings:
        handles = {"credit_committee": await start(client, settings, big),
                   "branch": await start(client, settings, small)}
        at = {"credit_committee": await drive_to(handles["credit_committee"], big,
                                                 Stage.APPROVAL, risk=RISK_PF),
              "branch": await drive_to(handles["branch"], small, Stage.APPROVAL)}
        point_cli_at(monkeypatch, client, tmp_path)
        monkeypatch.setenv("COLUMNS", "80")
        for team, handle in handles.items():
            query = f"WorkflowId = '{handle.id}' AND {work_lists.queue_query(team)}"
            while await work_lists.count_journeys(client, query) != 1:
                await asyncio.sleep(0.1)
        for team, args in (("credit_committee", ["--team", "credit_committee"]),
                           ("credit_committee", ["--person", "cc-1"]),
                           ("branch", ["--team", "branch"])):
            listed = await cli("queue", *args)
            assert listed.exit_code == 0, listed.output
            lines = listed.output.splitlines()
            assert max(map(len, lines)) <= 80 and "…" not in listed.output, listed.output
            s, handle = at[team], handles[team]
            assert s.route is not None and s.route.tier == team
            assert any(handle.id in line.split() for line in lines), listed.output  # whole
            assert s.wait is not None and s.wait.due_at is not None
            assert f"due {short_moment(s.wait.due_at, 8)}" in listed.output, listed.output
            breached = [c.detail for c in s.covenants_on_file if c.breached]
            assert breached, s.covenants_on_file
            assert f"covenants already breached: {'; '.join(breached)}" in said(listed)
            assert "times: bank time, UTC+8" in said(listed)
