"""The channel a repayment came in through, as the bank records it: money operations type at
the command line came in at the branch unless they say otherwise (`--channel`); a system
integration sending the update itself records "api", as before."""

from __future__ import annotations

import pytest
from temporalio.testing import WorkflowEnvironment

from journey.application import Channel
from journey.stages import Stage
from journey.timeline import EventType
from tests.cli_kit import cli, point_cli_at
from tests.post_loan.loan_kit import disbursed_loan, pay, until
from tests.workflows.journey_kit import SUBMITTER, Documents
from workflows.loan_journey import LoanJourneyWorkflow


async def test_the_command_line_records_the_channel_the_money_came_through(
    time_skipping_env: WorkflowEnvironment, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = time_skipping_env
    point_cli_at(monkeypatch, env.client)
    async with disbursed_loan(env, tmp_path, Documents()) as (_app, _settings, handle, _running):
        typed = ["repay", handle.id, "--amount", "100.00", "--as", SUBMITTER.id]
        assert (await cli(*typed, "--reference", "BR-1")).exit_code == 0
        phoned = await cli(*typed, "--reference", "PH-1", "--channel", "phone")
        assert phoned.exit_code == 0, phoned.output
        wrong = await cli(*typed, "--reference", "XX-1", "--channel", "fax")
        assert wrong.exit_code == 2 and "fax" in wrong.output
        await handle.execute_update(LoanJourneyWorkflow.record_repayment, pay("API-1", 100))

        now = await until(handle, lambda s: len(s.payments) == 3)
        assert [(p.reference, p.channel) for p in now.payments] == [
            ("BR-1", Channel.BRANCH), ("PH-1", Channel.PHONE), ("API-1", Channel.API)]
        touched = [(e.channel, e.detail) for e in now.events if e.type is EventType.TOUCHPOINT
                   and e.stage is Stage.POST_LOAN]
        assert touched == [(Channel.BRANCH, "repayment BR-1"), (Channel.PHONE, "repayment PH-1"),
                           (Channel.API, "repayment API-1")]
