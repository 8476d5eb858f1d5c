"""A project signed in the bank's morning, while the UTC day is still the day before, on the
time-skipping server: its availability ends by the bank's day, and the desk's commands
quote it by that day without `--on`; a prepayment while it draws says what to do instead."""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from journey.repayment import add_months
from tests.cli_kit import cli, point_cli_at, said
from tests.drawdowns.kit import (
    approve,
    at_drawdowns,
    first_tranche,
    request,
    to_bank_morning,
    until,
)
from tests.post_loan.loan_kit import assert_replays
from tests.workflows.journey_kit import Documents, status

pytestmark = pytest.mark.usefixtures("server_today")


async def test_a_project_signed_in_the_bank_morning_keeps_the_bank_day(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env, docs = time_skipping_env, Documents()
    point_cli_at(monkeypatch, env.client, data_dir=tmp_path)
    signed_on = await to_bank_morning(env)
    async with at_drawdowns(env, tmp_path, docs) as (app, _, handle):
        plan = (await status(handle)).drawdown_plan
        assert plan is not None
        ends = add_months(signed_on, plan.availability_months)
        shown = await cli("drawdown", "show", handle.id)
        assert shown.exit_code == 0, shown.output
        assert f"until {ends}" in said(shown)
        await request(handle, first_tranche(app, docs))
        await approve(handle, "t1")
        drawing = await until(handle, lambda s: s.availability_interest is not None
                              and s.availability_interest.drawn > 0)
        assert drawing.availability_interest is not None
        payoff = drawing.availability_interest.payoff
        assert payoff is not None and payoff.on == signed_on
        assert drawing.days_utc_offset == 8  # its days are the bank's while it draws too

        # today by the bank's day: the payoff, without --on
        quoted = await cli("settlement", handle.id)
        assert quoted.exit_code == 0, quoted.output
        assert f"settling {handle.id} on {signed_on} takes {payoff.total:,}" in said(quoted)
        # no part of it can be prepaid yet: what can be done instead
        drawn = await cli("prepayment", handle.id, "--amount", "100000")
        assert drawn.exit_code == 2, drawn.output
        assert "is still drawing: only a running loan can be prepaid" in said(drawn)
        assert f"`loan-journey settlement {handle.id}` quotes its payoff" in said(drawn)
        assert "withdraw the undrawn commitment" in said(drawn)
        negative = await cli("prepayment", handle.id, "--amount", "-5")
        assert negative.exit_code == 2, negative.output
        assert "the amount must be positive" in said(negative)
        await assert_replays(handle)  # the marked availability end replays
