"""`loan-journey feedback` and `loan-journey inquiry` against a journey on the time-skipping
server: a bad score exits 2 before anything is sent, a refusal exits 3 with the reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from journey.stages import Stage
from store.feedback import feedback_for
from tests.cli_kit import cli, point_cli_at, said
from tests.workflows.journey_kit import new_application, running_journey, until_stage


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
        assert "at risk_review: risk opinion from team sme_risk" in said(asked)

        by_rm = await cli("inquiry", handle.id, "--channel", "relationship_manager",
                          "--as", "ops-li", "--role", "operations")  # fmt: skip
        assert by_rm.exit_code == 0, by_rm.output

        missing = await cli("inquiry", "loan-NOPE", "--channel", "web", *me)
        assert missing.exit_code == 4 and "no running journey" in said(missing)
        assert [f.score for f in feedback_for(settings.db_url, handle.id)] == [2]
