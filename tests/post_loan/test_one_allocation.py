"""One allocation of a payment, shown the same by every output: after part of the first
instalment is paid early, status, the loan book and the settlement quote show the same
principal left and the same interest paid ahead, and the book's next instalment says what is
left of the plan's."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from rich.console import Console
from temporalio.testing import WorkflowEnvironment

from journey.loan_book import book_line
from journey.repayment import cents
from starter import loan_figures, quotes
from starter.listings_view import book_table
from tests.cli_kit import cli, point_cli_at, said
from tests.post_loan.loan_kit import disbursed_loan, pay, until
from tests.workflows.journey_kit import Documents
from workflows.loan_journey import LoanJourneyWorkflow


async def test_a_part_payment_leaves_one_principal_in_every_output(
    time_skipping_env: WorkflowEnvironment, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = time_skipping_env
    async with disbursed_loan(env, tmp_path, Documents()) as (_, _, handle, running):
        lent, first = running.disbursement.amount, running.offer.schedule[0]
        await handle.execute_update(LoanJourneyWorkflow.record_repayment,
                                    pay("PART-1", Decimal("1000.00")))
        now = await until(handle, lambda s: s.account.paid == Decimal("1000.00"))
        point_cli_at(monkeypatch, env.client)

        shown = said(await cli("status", handle.id))
        assert f"principal left {lent:,}" in shown, shown
        left = (f"#1 due {first.due_on}: {first.payment - 1000:,} left of the plan's "
                f"{first.payment:,}")
        assert left in shown

        quoted = said(await cli("settlement", handle.id))
        # the day's quote: the same principal, the 1,000 paid ahead of the interest given back
        assert (f"takes {lent - 1000:,}: principal {lent:,}, interest 0.00, less interest "
                "paid ahead 1,000.00") in quoted, quoted
        # quoted for a later day, by which more has accrued than was paid ahead: the
        # interest accrued, its basis, and the 1,000 subtracted, named, not folded in
        start = now.offer.starts_on
        assert start is not None
        days = (first.due_on - start).days
        day = first.due_on - timedelta(days=5)
        accrued = cents(first.interest * (days - 5) / days)
        assert accrued > 1000
        later = said(await cli("settlement", handle.id, "--on", str(day)))
        assert (f"takes {lent + accrued - 1000:,}: principal {lent:,}, interest {accrued:,} "
                f"(accrued: {days - 5}/{days} days of the period's {first.interest:,}, the days "
                f"run over the period's days, to {first.due_on}), less interest paid ahead "
                "1,000.00;") in later, later

        owed = loan_figures.owed_on(now, quotes.QuoteFixings())
        assert owed is not None and owed.paid_ahead == Decimal("1000.00")
        assert "1,000.00 paid ahead" in shown  # status's, which the book shows as it is
        line = book_line(now, "working_capital", owed)
        assert line is not None and line.principal == lent
        assert line.paid_ahead == owed.paid_ahead
        book = Console(width=400, record=True)
        book.print(book_table([line], "loan book"))
        text = book.export_text()
        assert f"{lent:,}" in text and left in text, text
        heads = next(r for r in text.splitlines() if "paid ahead" in r)
        paid_ahead = [c.strip() for c in heads.split("┃")].index("paid ahead")
        for row in (next(r for r in text.splitlines() if handle.id in r),
                    next(r for r in text.splitlines() if "total, 1 loan" in r)):
            assert [c.strip() for c in row.split("│")][paid_ahead] == "1,000.00", text
