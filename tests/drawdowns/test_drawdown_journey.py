"""Drawdowns by milestone on the time-skipping server: three tranches with a refusal for a
missing condition and a resubmission, entrusted payment, the commitment closed and the
repayment plan rebuilt on what was drawn."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from rich.console import Console
from temporalio.testing import WorkflowEnvironment

from journey.availability_interest import Terms, last_period_end, quarters
from journey.availability_interest import accrued as availability_accrued
from journey.classification import RiskClass
from journey.drawdowns import DrawdownState
from journey.loan_book import book_line
from journey.policy.calendar import WorkingCalendar
from journey.review_contracts import REVIEW_FACTS_QUERY, ReviewFacts
from journey.stages import Party, Stage
from journey.undrawn_commitments import commitment_line
from starter.repayment_view import plan_table
from starter.status_view import status_view
from store.ledger import bookings_for
from tests.drawdowns.kit import (
    CONTRACTOR,
    approve,
    ask,
    at_drawdowns,
    drawdown_events,
    first_tranche,
    permit,
    request,
    skip_to,
    until,
)
from tests.workflows.journey_kit import Documents, status

pytestmark = pytest.mark.usefixtures("server_today")


async def test_three_tranches_with_a_refusal_and_a_resubmission(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    docs = Documents()
    async with at_drawdowns(time_skipping_env, tmp_path, docs) as (app, settings, handle):
        opened = await status(handle)
        plan = opened.drawdown_plan
        assert book_line(opened, "project_finance", None) is None  # nothing drawn: nothing lent
        # but the bank is committed: the book lists the facility, undrawn, until when
        facility = commitment_line(opened)
        assert opened.commitment is not None and facility is not None
        assert (facility.commitment, facility.drawn, facility.undrawn) == (
            Decimal("15000000.00"), 0, Decimal("15000000.00"))
        assert facility.available_until == opened.commitment.available_until.astimezone(
            WorkingCalendar().tz).date()
        assert facility.fee_accrued is not None
        assert plan is not None and [t.cap for t in plan.tranches] == [
            Decimal("4500000.00"), Decimal("6000000.00"), Decimal("4500000.00")
        ]
        # each drawdown must project the loan's own min-DSCR covenant, not a lower floor
        covenant = next(c.limit for c in opened.offer.covenants if c.id == "min-dscr")
        assert covenant > Decimal("1.20")
        assert {c.value for t in plan.tranches for c in t.checks
                if c.kind == "min_dscr"} == {covenant}

        first = await request(handle, first_tranche(app, docs))
        assert first.state is DrawdownState.AWAITING_DECISION, first
        assert all(c.met for c in first.conditions)
        booked = await approve(handle, "t1")
        assert booked.state is DrawdownState.BOOKED
        assert booked.commitment.drawn == Decimal("4500000.00")
        drawing = await status(handle)
        t1_booked = drawing.drawdowns[-1].settled_at
        # what is drawn is lent: in the risk team's book before the drawdowns close
        line = book_line(drawing, "project_finance", None)
        assert line is not None and (line.risk_class, line.principal) == (
            RiskClass.NORMAL, Decimal("4500000.00"))
        # its coming quarter's interest and fee, as status says it
        assert drawing.availability_interest is not None
        coming = drawing.availability_interest
        assert line.next_instalment == f"next due {coming.next_due_on}: {coming.next_due:,} (" \
            f"{coming.next_parts.text()})" and line.next_instalment in coming.text()
        facility = commitment_line(drawing)  # drawn in part: both lent and still committed
        assert facility is not None and (facility.drawn, facility.undrawn) == (
            Decimal("4500000.00"), Decimal("10500000.00"))
        assert t1_booked is not None
        await skip_to(time_skipping_env, t1_booked + timedelta(days=40))  # construction

        progress = permit(docs, "construction_progress")
        short = await request(handle, ask(app, "t2", 6_000_000, [progress], CONTRACTOR))
        assert short.state is DrawdownState.CONDITIONS_FAILED
        missing = [c for c in short.conditions if not c.met]
        assert [c.condition for c in missing] == ["document insurance"]
        assert "insurance missing" in short.message

        again = await request(handle, ask(app, "t2", 6_000_000, [
            progress, permit(docs, "insurance")], CONTRACTOR))
        assert again.state is DrawdownState.AWAITING_DECISION
        assert (await approve(handle, "t2")).state is DrawdownState.BOOKED

        equipment = [permit(docs, "equipment_delivery"), permit(docs, "insurance")]
        third = await request(handle, ask(app, "t3", 4_000_000, equipment))
        assert third.state is DrawdownState.AWAITING_DECISION
        part = await approve(handle, "t3")
        assert part.commitment.drawn == Decimal("14500000.00")
        # t3 has 500,000 left: drawn in a second drawdown, and every tranche is drawn
        rest = await request(handle, ask(app, "t3", 500_000, equipment))
        assert rest.state is DrawdownState.AWAITING_DECISION
        assert (await approve(handle, "t3")).commitment.drawn == Decimal("15000000.00")

        done = await until(handle, lambda s: s.stage is Stage.POST_LOAN)
        assert commitment_line(done) is None  # closed: a loan, no commitment left
        commitment = done.commitment
        assert commitment is not None
        assert commitment.cancelled == 0 and commitment.available == 0
        assert "every tranche is drawn" in commitment.closing_note

        books = bookings_for(settings.db_url, handle.id)
        assert [(b.key.split(":")[2], b.amount, b.payee) for b in books] == [
            ("t1", Decimal("4500000.00"), app.applicant_name),
            ("t2", Decimal("6000000.00"), CONTRACTOR.name),
            ("t3", Decimal("4000000.00"), app.applicant_name),
            ("t3", Decimal("500000.00"), app.applicant_name),
        ]
        assert CONTRACTOR.account in books[1].purpose

        # the repayment plan: on what was drawn, interest only for the 6 months' grace, to
        # the end of the 60 months' tenor (drawdowns closed 40 days in: 17 months of the
        # availability unused, 15 of them whole quarters)
        assert done.offer is not None and commitment.closed_at is not None
        bank = WorkingCalendar().tz  # the loan's days are the bank's
        closed = commitment.closed_at.astimezone(bank).date()
        # the quarter left unpaid comes first, past due at its own date; then the plan
        unpaid = [i for i in done.offer.schedule if i.due_on < closed]
        schedule = done.offer.schedule[len(unpaid):]
        assert [(i.number, i.principal) for i in unpaid] == [(1, Decimal("0.00"))]
        assert sum(i.principal for i in schedule) == Decimal("15000000.00")
        assert [i.principal for i in schedule[:2]] == [Decimal("0.00")] * 2
        assert schedule[2].principal > 0 and len(schedule) == (60 - 18 + 15) // 3
        # t1 earned 40 days' interest before drawdowns closed, and the 10.5m undrawn its
        # commitment fee: none of it paid quarterly, all due with the first instalment
        rate = done.offer.annual_rate
        accrued = (Decimal("4500000.00") * rate * 40 / 360).quantize(Decimal("0.01"))
        opened = commitment.interest_from
        assert opened is not None
        terms = Terms(annual_rate=rate, commitment=commitment.total, fee_rate=commitment.fee_rate)
        charged = quarters(done.drawdowns, terms, opened, closed, bank)
        rest = availability_accrued(done.drawdowns, terms, last_period_end(opened, closed),
                                    closed, bank)
        fee = sum((q.fee for q in charged), Decimal(0)) + rest.fee
        assert fee > 0
        assert sum((q.total for q in charged), Decimal(0)) + rest.total == accrued + fee
        # the quarter asks what it did, and its penalty interest since its date
        assert charged[-1].total < unpaid[0].interest < charged[-1].total * Decimal("1.01")
        assert commitment.interest_accrued == rest.total == schedule[0].accrued_before
        assert f"instalment 2 includes {rest.total:,} of interest" \
            in str(plan_table(done).caption)
        assert schedule[0].interest == (Decimal("15000000.00") * rate / 4).quantize(
            Decimal("0.01")) + rest.total
        assert done.disbursement is not None
        assert done.disbursement.amount == Decimal("15000000.00")
        shown = Console(width=300, record=True)
        shown.print(status_view(done))
        disbursed = next(line for line in shown.export_text().splitlines() if "disbursed" in line)
        assert all(b.booking_id in disbursed for b in books) and "in 4 drawdowns" in disbursed
        # post-loan reviews check the DSCR covenant against this plan
        facts = await handle.query(REVIEW_FACTS_QUERY, result_type=ReviewFacts)
        assert "min-dscr" in {c.id for c in facts.covenants}
        # (what each instalment asks: when a carried quarter's penalty runs from is not in it)
        asked = [i.model_copy(update={"penalty_from": None}) for i in done.offer.schedule]
        assert facts.plan == asked and facts.covenants == done.offer.covenants

        steps = drawdown_events(done)
        for expected in ("drawdown t1 requested", "drawdown t1 conditions_ok",
                         "drawdown t1 approved", "drawdown t1 booked",
                         "drawdown t2 conditions_failed", "drawdown t2 refused",
                         "drawdown t3 booked", "drawdowns closed"):
            assert any(s.startswith(expected) for s in steps), (expected, steps)
        bank = [v for v in done.timeline
                if v.stage is Stage.DISBURSEMENT and v.waits_on is Party.BANK]
        # t1, t2 refused, t2 again and its payee confirmed by operations, t3 twice: each under
        # its SLA
        assert len(bank) == 6
