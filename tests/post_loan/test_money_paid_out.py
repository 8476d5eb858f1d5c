"""The money paid out in a period (starter/money_paid_out.py), for a month-end: the ledger's
bookings value dated in the period with their total, tied journey by journey to what each
journey records it lent, so that a payout the ledger booked and no journey records (or booked
twice) is named; `book` shows them under the money received, and `--json` the same."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from rich.console import Console
from temporalio.testing import WorkflowEnvironment

from starter.book_json import book_json
from starter.book_sections import paid_out_table
from starter.money_paid_out import money_paid_out
from starter.money_received import Period
from starter.quotes import QuoteFixings
from starter.work_lists import book_of
from store.ledger import book, bookings_for
from tests.post_loan.loan_kit import disbursed_loan
from tests.workflows.journey_kit import Documents


async def test_payouts_in_the_period_tie_the_ledger_to_the_journeys(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    async with disbursed_loan(time_skipping_env, tmp_path, Documents()) as (
            app, settings, handle, running):
        pass
    paid = running.disbursement
    assert paid is not None and paid.value_on is not None
    day, lent = paid.value_on, paid.amount
    assert lent == app.amount
    (booking,) = bookings_for(settings.db_url, handle.id)
    month = Period(first=day.replace(day=1), last=day)

    out = money_paid_out([running, running], settings, month)  # read twice, counted once
    assert [b.booking_id for b in out.bookings] == [booking.booking_id]
    assert out.total == lent and out.not_reconciled == []
    before = Period(first=month.first - timedelta(days=40), last=month.first - timedelta(days=1))
    assert money_paid_out([running], settings, before).bookings == []

    # the ledger books a second payout to the loan, and one to a journey the book did not read
    book(settings.db_url, f"{handle.id}:again", handle.id, Decimal("1000.00"), "someone",
         "booked by hand", value_on=day)
    book(settings.db_url, "loan-GHOST:disbursement", "loan-GHOST", Decimal("250.00"), "nobody",
         "booked by hand", value_on=day)
    out = money_paid_out([running], settings, month)
    assert out.total == lent + Decimal("1250.00")  # what the ledger paid out, all of it
    assert out.not_reconciled == [
        f"{handle.id}: the ledger booked {lent + 1000:,.2f} to it, the journey records "
        f"{lent:,.2f} lent: check `loan-journey status {handle.id}` against the ledger",
        "loan-GHOST: the ledger booked 250.00 to it, paid out in the period, and no journey "
        "the book read records it (ended before the period, or outside the engine: "
        "`loan-journey status loan-GHOST`)"]

    shown = Console(width=250, record=True)
    shown.print(paid_out_table(out))
    text = shown.export_text()
    total = next(r for r in text.splitlines() if "total, 3 bookings" in r)
    assert [c.strip() for c in total.split("│")][2] == f"{lent + 1250:,.2f}", text
    assert f"does not reconcile: {handle.id}: the ledger booked" in text

    data = book_json(book_of([("working_capital", running)], None, QuoteFixings()), [], day,
                     None, out)
    got = data["money_paid_out"]
    assert got["total"] == f"{lent + 1250:.2f}" and len(got["bookings"]) == 3
    assert got["period"] == {"first": str(month.first), "last": str(month.last)}
    assert json.loads(json.dumps(data)) == data  # plain JSON
