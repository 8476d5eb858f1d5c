"""What a loan owes, as the bank's ledger says it: with its first instalment ten days past
due, status shows the principal left, what is due and unpaid (penalty interest included),
the interest accrued in the current period, what settles the loan today (the `settlement`
quote, to the cent) and, apart, the plan's interest still to come; the loan book shows the
same figures. The whole plan's interest is no longer shown as outstanding."""

from __future__ import annotations

from datetime import timedelta

import pytest
from temporalio.testing import WorkflowEnvironment

from journey.loan_book import book_line
from journey.post_loan_policy import start_of
from starter import loan_figures, quotes
from tests.cli_kit import cli, point_cli_at, said
from tests.post_loan.loan_kit import disbursed_loan, skip_to, until
from tests.workflows.journey_kit import Documents


async def test_a_loan_in_arrears_shows_what_it_owes_today_part_by_part(
    time_skipping_env: WorkflowEnvironment, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = time_skipping_env
    async with disbursed_loan(env, tmp_path, Documents()) as (_, settings, handle, running):
        lent = running.disbursement.amount
        first, second, *rest = running.offer.schedule
        late_on = first.due_on + timedelta(days=10)
        await skip_to(env, start_of(late_on) + timedelta(hours=2))
        late = await until(handle, lambda s: s.days_past_due >= 10)
        assert late.today is not None and late.days_past_due == (late.today - first.due_on).days
        point_cli_at(monkeypatch, env.client, settings.data_dir)

        owed = loan_figures.owed_on(late, quotes.QuoteFixings())
        assert owed is not None and owed.on == late.today
        assert owed.principal == lent and owed.due_principal == first.principal
        assert owed.due_interest == first.interest and owed.penalty > 0
        assert owed.past_due == first.payment + owed.penalty == late.arrears
        # the second period's interest to today: begun, not due, a part of the period's
        assert 0 < owed.accrued < second.interest
        assert owed.scheduled_interest == second.interest + sum(i.interest for i in rest)
        assert owed.to_settle == lent + first.interest + owed.penalty + owed.accrued

        shown = said(await cli("status", handle.id))
        for expected in (
            f"principal left {lent:,}",
            f"due and unpaid {owed.due:,}: principal {first.principal:,}, interest "
            f"{first.interest:,}, penalty interest {owed.penalty:,}",
            f"interest accrued {owed.accrued:,} in the current period to {owed.on}, not yet due",
            f"to settle today {owed.to_settle:,} on {owed.on}",
            f"plan's interest to come {owed.scheduled_interest:,} scheduled",
            f"arrears {owed.past_due:,}",
        ):
            assert expected in shown, (expected, shown)
        assert "under the plan" not in shown

        quoted = said(await cli("settlement", handle.id, "--on", str(owed.on)))
        assert f"takes {owed.to_settle:,}:" in quoted, quoted

        line = book_line(late, "working_capital", owed)
        assert line is not None
        assert (line.principal, line.arrears) == (owed.principal, owed.past_due)
        assert (line.accrued, line.to_settle) == (owed.accrued, owed.to_settle)
