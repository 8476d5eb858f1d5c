"""`report` says whom the bank's waits were on, team and person, over the rows real journeys
stored: one paid out after hours in sme_risk's risk review decided by its officer, one the
customer withdrew there (no officer decided it: unassigned, not the customer); one still in
review, assigned to an officer and then reassigned by its SLA to the supervisor, each part on
whom it was on then."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment
from typer.testing import CliRunner

from journey.actors import Actor, Role
from journey.decisions import Reassignment, Withdrawal
from journey.stages import Stage
from journey.timeline import EventType
from starter.report import report_app
from store.analytics import build_report
from store.timing import events_for
from tests.workflows.journey_kit import (
    BRANCH_APPROVER,
    RISK_SME,
    application,
    customer,
    drive_to,
    journey_worker,
    new_application,
    running_journey,
    start,
    until_sent,
    until_stage,
)
from workflows.loan_journey import LoanJourneyWorkflow

runner = CliRunner()


def _report(db: str, *options: str) -> dict:
    result = runner.invoke(report_app, ["report", "--db", db, "--json", *options])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


async def test_the_bank_s_waits_per_team_and_person(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    docs, paid = new_application()
    left = application(docs)
    async with journey_worker(time_skipping_env.client, tmp_path, docs) as settings:
        handle = await start(time_skipping_env.client, settings, paid)
        withdrawn = await start(time_skipping_env.client, settings, left)
        await drive_to(handle, paid, Stage.RISK_REVIEW)
        await until_stage(withdrawn, Stage.RISK_REVIEW)
        await time_skipping_env.sleep(timedelta(hours=3))  # the review takes its time
        await withdrawn.execute_update(LoanJourneyWorkflow.withdraw, Withdrawal(
            actor=customer(left), reason="found the money elsewhere"))
        await drive_to(handle, paid, Stage.POST_LOAN)
        await until_stage(withdrawn, Stage.WITHDRAWN)
        db = settings.db_url
        while not any(e.stage is Stage.POST_LOAN for e in events_for(db, handle.id)):
            await asyncio.sleep(0.05)  # its events are written behind it

    body = _report(db)
    rows = {(h["team"], h["person"]): h for h in body["waiting_on_whom"]}
    team, officer = rows[("sme_risk", "all")], rows[("sme_risk", RISK_SME.id)]
    assert (team["cases"], officer["cases"]) == (2, 1)
    assert officer["total_seconds"] > 3 * 3600 and officer["median_seconds"] > 3 * 3600
    # the customer ended the other review: not theirs, and not the officer's
    assert rows[("sme_risk", "unassigned")]["cases"] == 1
    assert not any(h["person"] == left.credit_code for h in body["waiting_on_whom"])
    assert rows[("branch", BRANCH_APPROVER.id)]["cases"] == 1
    assert sum(h["share"] for h in body["waiting_on_whom"] if h["person"] == "all") \
        == pytest.approx(1)
    assert (body["bottleneck"]["stage"], body["bottleneck"]["team"],
            body["bottleneck"]["person"]) == ("risk_review", "sme_risk", RISK_SME.id)

    page = tmp_path / "map.html"
    text = runner.invoke(report_app, ["report", "--db", db, "--html", str(page)])
    said = " ".join(text.output.split())
    assert "Waiting on whom" in said and "team sme_risk" in said and RISK_SME.id in said
    assert "Waiting on whom" in page.read_text() and f"<td>{RISK_SME.id}</td>" in page.read_text()

    mine = _report(db, "--person", BRANCH_APPROVER.id)  # the journey the approver held
    assert mine["journeys"] == 1 and mine["held"]["person"] == BRANCH_APPROVER.id
    assert {(h["team"], h["person"]) for h in mine["waiting_on_whom"]} == {
        ("branch", "all"), ("branch", BRANCH_APPROVER.id)}
    theirs = _report(db, "--team", "sme_risk")
    assert theirs["journeys"] == 2 and {h["team"] for h in theirs["waiting_on_whom"]} == {
        "sme_risk"}


async def test_an_open_wait_handed_over_is_on_whom_held_each_part(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    env = time_skipping_env
    docs, app = new_application()
    async with running_journey(env, tmp_path, docs, app) as (settings, handle):
        await until_stage(handle, Stage.RISK_REVIEW)
        await env.sleep(timedelta(hours=2))  # on the team's queue first
        await handle.execute_update(LoanJourneyWorkflow.reassign, Reassignment(
            actor=Actor(id="sup-sme", role=Role.SUPERVISOR), to="risk-sme-2", reason="leave"))
        await env.sleep(timedelta(days=10))  # its SLA reassigns it to the supervisor
        await until_sent(settings.db_url, handle.id, template="sla_reassigned_from")
        async with asyncio.timeout(30):  # written behind the journey
            while len(handed := [e for e in events_for(settings.db_url, handle.id)
                                 if e.type is EventType.ASSIGNED]) < 2:
                await asyncio.sleep(0.05)
        now = await env.get_current_time()
        report = build_report(settings.db_url, now=now)

    assert [e.actor for e in handed] == ["risk-sme-2", "sup-sme"]
    entered = next(e.at for e in events_for(settings.db_url, handle.id)
                   if e.type is EventType.ENTERED and e.stage is Stage.RISK_REVIEW)
    held = {h.person: h.total_seconds for h in report.waiting_on_whom if h.team == "sme_risk"}
    expected = {"unassigned": handed[0].at - entered, "risk-sme-2": handed[1].at - handed[0].at,
                "sup-sme": now - handed[1].at}
    assert held.keys() == {"all", *expected}
    for person, seconds in expected.items():
        assert held[person] == pytest.approx(seconds.total_seconds(), abs=1), person
    assert held["all"] == pytest.approx((now - entered).total_seconds(), abs=1)
