"""`report` says whom the bank's waits were on, team and person, over the rows two real
journeys stored: one paid out after hours in sme_risk's risk review decided by its officer,
one the customer withdrew there (no officer decided it: unassigned, not the customer)."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment
from typer.testing import CliRunner

from journey.decisions import Withdrawal
from journey.stages import Stage
from starter.report import report_app
from store.timing import events_for
from tests.workflows.journey_kit import (
    BRANCH_APPROVER,
    RISK_SME,
    application,
    customer,
    drive_to,
    journey_worker,
    new_application,
    start,
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
