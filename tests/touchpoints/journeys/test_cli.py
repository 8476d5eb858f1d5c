"""`loan-journey feedback` and `loan-journey inquiry` against a journey on the time-skipping
server: a bad score exits 2 before anything is sent, a refusal exits 3 with the reason; an
inquiry about an ended journey is answered in words for the customer, on the bank's day."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from journey.decisions import RiskGrade, RiskOpinion, Verdict
from journey.repayment import money
from journey.stages import Stage
from starter import operations
from store.feedback import feedback_for
from tests.cli_kit import cli, point_cli_at, said
from tests.workflows.journey_kit import RISK_SME, new_application, running_journey, until_stage
from workflows.loan_journey import LoanJourneyWorkflow


async def test_feedback_and_inquiry_from_the_command_line(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    point_cli_at(monkeypatch, time_skipping_env.client)
    docs, app = new_application()
    me = ["--as", app.credit_code]
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (settings, handle):
        await until_stage(handle, Stage.RISK_REVIEW)

        done = await cli("feedback", handle.id, "--score", "2", "--stage", "completeness",
                         "--category", "waiting_time", "--comment", "too slow",
                         "--channel", "web", *me)  # fmt: skip
        assert done.exit_code == 0, done.output
        assert "complaint about completeness recorded; journey at risk_review" in said(done)

        bad = await cli("feedback", handle.id, "--score", "7", "--stage", "intake",
                        "--channel", "app", *me)  # fmt: skip
        assert bad.exit_code == 2 and "csat score is 1 to 5, got 7" in said(bad)

        early = await cli("feedback", handle.id, "--score", "9", "--kind", "nps",
                          "--stage", "offer", "--channel", "app", *me)  # fmt: skip
        assert early.exit_code == 3 and "has not been at offer" in said(early)

        asked = await cli("inquiry", handle.id, "--channel", "phone", *me)
        assert asked.exit_code == 0, asked.output
        assert said(asked).strip() == (  # the customer's words: no team, no stage
            f"Your application {app.application_id} for a working capital loan of "
            "3,000,000.00: the bank's credit risk review is assessing it.")

        # staff in the role the directory gives them (operations), not the customer's
        by_rm = await cli("inquiry", handle.id, "--channel", "relationship_manager",
                          "--as", "ops-li")  # fmt: skip
        assert by_rm.exit_code == 0, by_rm.output

        missing = await cli("inquiry", "loan-NOPE", "--channel", "web", *me)
        assert missing.exit_code == 4 and "no running journey" in said(missing)
        assert [f.score for f in feedback_for(settings.db_url, handle.id)] == [2]


async def test_an_inquiry_about_a_rejected_journey_is_answered_for_the_customer(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The answer says the outcome in the bank's words and the bank's day (UTC+8) it ended
    on, to the customer and to staff recording its inquiry alike; the risk officer's note
    stays in `status`, for staff."""
    docs, app = new_application()
    note = "leverage too high, secret note 13901234567"
    env = time_skipping_env
    async with running_journey(env, tmp_path, docs, app) as (settings, handle):
        await until_stage(handle, Stage.RISK_REVIEW)
        now = await env.get_current_time()  # rejected in the evening, UTC: the next bank day
        evening = now.replace(hour=17, minute=0, second=0, microsecond=0)
        await env.sleep(evening - now if evening > now else evening + timedelta(days=1) - now)
        await handle.execute_update(LoanJourneyWorkflow.record_risk_opinion, RiskOpinion(
            actor=RISK_SME, verdict=Verdict.REJECT, grade=RiskGrade.G8, reason=note))
        assert (await handle.result()).outcome is Stage.REJECTED
        rejected_at = (await operations.status(env.client, handle.id)).timeline[-1].entered_at
        assert rejected_at.hour >= 16  # so its bank day is the next UTC day
        bank_day = (rejected_at + timedelta(hours=8)).date()

        point_cli_at(monkeypatch, env.client, data_dir=settings.data_dir)
        monkeypatch.setenv("LOAN_JOURNEY_TASK_QUEUE", settings.task_queue)
        for who in (["--as", app.credit_code, "--channel", "phone"],
                    ["--as", "ops-li", "--role", "operations", "--channel", "branch"]):
            asked = await cli("inquiry", handle.id, *who)
            assert asked.exit_code == 0, asked.output
            # the answer alone, for the customer; where it is kept, for the operator
            assert " ".join(asked.stdout.split()) == (
                f"Your application {app.application_id} for a {app.product.value.replace('_', ' ')}"
                f" loan of {money(app.amount)} ended on {bank_day} (the bank's day, UTC+8): the "
                "bank could not approve the application; your relationship manager will "
                "explain.")
            assert asked.stderr.strip() == f"the inquiry is kept as feedback-{handle.id}"
            assert "secret" not in asked.output and "leverage" not in asked.output

        shown = await cli("status", handle.id)
        assert shown.exit_code == 0 and note in said(shown)
