"""Drawdowns refused before the history, the availability period running out, and the
booking exactly once when the ledger's answer is lost, on the time-skipping server."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from temporalio import activity
from temporalio.testing import WorkflowEnvironment

from journey import contracts
from journey.actors import Actor, Role
from journey.classification import classify
from journey.contracts import BookingInput
from journey.decisions import Repayment, Withdrawal
from journey.drawdowns import DrawdownState, Payee
from journey.loan_book import book_line
from journey.policy.calendar import WorkingCalendar
from journey.repayment import add_months
from journey.settings import Settings
from journey.stages import Stage
from journey.status import Disbursement
from store.ledger import book, bookings_for
from tests.drawdowns.kit import (
    CONTRACTOR,
    RISK_PF,
    approve,
    ask,
    at_drawdowns,
    decide,
    first_tranche,
    permit,
    project,
    request,
    skip_to,
    to_offer,
    until,
)
from tests.workflows.journey_kit import (
    SUBMITTER,
    Documents,
    customer,
    journey_worker,
    refused,
    status,
    until_sent,
)
from workflows.loan_journey import LoanJourneyWorkflow

pytestmark = pytest.mark.usefixtures("server_today")
BANK = WorkingCalendar().tz  # the loan's days are the bank's

ASK = LoanJourneyWorkflow.request_drawdown
DECIDE = LoanJourneyWorkflow.decide_drawdown


async def test_requests_and_decisions_refused_before_the_history(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    docs = Documents()
    t1_docs = [permit(docs, "planning_permit"), permit(docs, "capital_proof")]
    async with at_drawdowns(time_skipping_env, tmp_path, docs) as (app, settings, handle):
        over = await refused(handle, ASK, ask(app, "t1", 4_500_001, t1_docs))
        assert "at most 4,500,000.00" in over and "ask for 4,500,000.00 or less" in over
        assert "no tranche 't9'" in await refused(handle, ASK, ask(app, "t9", 1_000, t1_docs))
        officer = ask(app, "t1", 1_000, t1_docs).model_copy(update={"actor": RISK_PF})
        assert "needs one of" in await refused(handle, ASK, officer)
        assert "no drawdown waits" in await refused(handle, DECIDE, decide("t1"))
        one = permit(docs, "planning_permit")
        twice = [one, one.model_copy(update={"label": "capital_proof"})]
        both = await refused(handle, ASK, ask(app, "t1", 1_000, twice))
        assert "sent as both planning_permit and capital_proof" in both

        assert (await request(handle, ask(app, "t1", 4_000_000, t1_docs))).state is (
            DrawdownState.AWAITING_DECISION
        )
        assert "still being decided" in await refused(
            handle, ASK, ask(app, "t2", 1_000, [permit(docs, "insurance")])
        )
        corp = Actor(id="risk-corp-1", role=Role.RISK_OFFICER)
        assert "decided by 'project_finance_risk'" in await refused(
            handle, DECIDE, decide("t1", actor=corp)
        )
        assert "not t2" in await refused(handle, DECIDE, decide("t2"))
        assert (await approve(handle, "t1")).state is DrawdownState.BOOKED
        # a tranche is drawn in several drawdowns, up to its cap
        more = await refused(handle, ASK, ask(app, "t1", 600_000, t1_docs))
        assert "t1 may draw at most 500,000.00 now (cap 4,500,000.00" in more

        current = await status(handle)
        assert current.commitment is not None
        assert current.commitment.drawn == Decimal("4000000.00")
        assert current.commitment.available == Decimal("11000000.00")
        assert len(current.drawdowns) == 1  # the refused requests left no record

        rest = await request(handle, ask(app, "t1", 500_000, t1_docs))
        assert rest.state is DrawdownState.AWAITING_DECISION
        assert (await approve(handle, "t1")).commitment.drawn == Decimal("4500000.00")
        drawn = await refused(handle, ASK, ask(app, "t1", 1_000, t1_docs))
        assert "tranche t1 is drawn: ask for one of the open tranches (t2, t3)" in drawn

        # entrusted payment (受托支付): a tranche's drawdowns to the borrower count together
        t2_docs = [permit(docs, "construction_progress"), permit(docs, "insurance")]
        assert (await request(handle, ask(app, "t2", 3_000_000, t2_docs))).state is (
            DrawdownState.AWAITING_DECISION)
        assert (await approve(handle, "t2")).state is DrawdownState.BOOKED
        split = await refused(handle, ASK, ask(app, "t2", 2_500_000, t2_docs))
        assert ("tranche t2 has paid the borrower 3,000,000.00 already (drawdown #3 "
                "3,000,000.00 booked): 2,500,000.00 more makes 5,500,000.00, above "
                "5,000,000.00") in split
        assert "--payee-contract), or ask for 2,000,000.00 or less paid to" in split
        # the borrower as payee: leaving --payee out is offered only where it would be taken
        itself = CONTRACTOR.model_copy(update={"name": app.applicant_name})
        named = await refused(handle, ASK, ask(app, "t2", 2_500_000, t2_docs, itself))
        assert "is the borrower" in named and "leave --payee out" not in named
        small = await refused(handle, ASK, ask(app, "t2", 2_000_000, t2_docs, itself))
        assert "or leave --payee out for a drawdown paid to the borrower" in small
        assert (await request(handle, ask(app, "t2", 2_000_000, t2_docs))).state is (
            DrawdownState.AWAITING_DECISION)  # 5,000,000 in all: not above the figure


async def test_a_project_at_its_offer_is_told_how_it_draws_and_asked_to_sign_first(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    """The offer's notice says the availability period and its end were it signed today,
    each tranche's cap, milestone and conditions precedent, the grace period and both fees;
    a drawdown asked for before the signature is refused saying to sign first."""
    docs = Documents()
    app = project(docs)
    async with journey_worker(time_skipping_env.client, tmp_path, docs) as settings:
        handle = await to_offer(time_skipping_env.client, settings, app)
        offered = await status(handle)
        early = await refused(handle, ASK, first_tranche(app, docs))
        assert ("the journey is at offer: drawdowns open once the customer signs the offer "
                "(`loan-journey sign <id> --as <credit code>`): sign it first") in early, early
        told = (await until_sent(settings.db_url, handle.id, template="offer_ready")).body
        day = offered.timeline[-1].entered_at.astimezone(BANK).date()
        for said in (f"within an availability period of 18 months from your signature (to "
                     f"{add_months(day, 18)} if signed today)",
                     "its first 6 months interest only (the grace period)",
                     "Tranches: t1 up to 4,500,000.00, once planning permit granted and "
                     "capital in place; t2 up to 6,000,000.00, once 30% of construction "
                     "complete; t3 up to 4,500,000.00, once equipment delivered.",
                     "t1: planning permit, capital proof, a projected debt service coverage "
                     "ratio (DSCR) of at least 1.30, no event of default",
                     "t3: equipment delivery, insurance,",
                     "Fees: a commitment fee of 0.50% a year on what is not drawn yet, charged "
                     "quarterly with the interest; no prepayment fee"):
            assert said in told, (said, told)


async def test_availability_period_ends_with_an_undrawn_balance(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    env, docs = time_skipping_env, Documents()
    async with at_drawdowns(env, tmp_path, docs) as (app, settings, handle):
        await request(handle, first_tranche(app, docs))
        await approve(handle, "t1")
        opened = await status(handle)
        assert opened.commitment is not None
        until_ = opened.commitment.available_until
        assert (until_ - opened.timeline[-1].entered_at) > timedelta(days=540)  # 18 months
        await skip_to(env, until_ + timedelta(minutes=1))

        done = await until(handle, lambda s: s.stage is Stage.POST_LOAN)
        commitment = done.commitment
        assert commitment is not None and commitment.closed_at is not None
        assert commitment.drawn == Decimal("4500000.00")
        assert commitment.cancelled == Decimal("10500000.00")
        assert "availability period ended" in commitment.closing_note
        assert any(d.verdict == "commitment cancelled" for d in done.decisions)
        assert done.offer is not None
        assert sum(i.principal for i in done.offer.schedule) == Decimal("4500000.00")
        # the quarters left unpaid stay past due, at their dates; repayment after drawdowns
        unpaid = [i for i in done.offer.schedule if i.due_on <= until_.date()]
        assert unpaid and all(i.principal == 0 for i in unpaid)
        assert done.days_past_due == (done.today - unpaid[0].due_on).days > 0
        assert done.offer.schedule[len(unpaid)].due_on > until_.date()
        closed = await refused(handle, ASK, ask(app, "t2", 1_000, []))
        # a refusal travels unencrypted (starter/codec.py): it quotes no one's words
        assert "closed on" in closed and "sponsor scaled" not in closed


async def pay_the_fee(handle: Any) -> Decimal:  # noqa: ANN401
    """Operations record the commitment fee a project that drew nothing owes, all of it."""
    owing = await until(handle, lambda s: s.availability_interest is not None
                        and s.availability_interest.fees_only)
    fees = owing.availability_interest
    assert fees is not None and owing.stage is Stage.DISBURSEMENT
    everything = fees.past_due + fees.next_due
    await handle.execute_update(LoanJourneyWorkflow.record_repayment, Repayment(
        actor=SUBMITTER, reference="FEE-1", amount=everything))
    return everything


async def test_nothing_drawn_by_the_end_closes_the_journey_once_the_fee_is_paid(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    env, docs = time_skipping_env, Documents()
    async with at_drawdowns(env, tmp_path, docs) as (app, settings, handle):
        opened = (await status(handle)).commitment
        assert opened is not None
        await skip_to(env, opened.available_until + timedelta(minutes=1))
        # 18 months of the fee on 15m undrawn, its quarters unpaid: past due, with penalty
        paid = await pay_the_fee(handle)
        assert paid > Decimal(15_000_000) * Decimal("0.005") * 540 / 360
        result = await handle.result()
        assert result.outcome is Stage.CLOSED
        assert "nothing drawn" in result.reason and "15,000,000.00 undrawn" in result.reason
        assert "the commitment fee" in result.reason and result.reason.endswith("paid")
        assert bookings_for(settings.db_url, handle.id) == []


async def test_a_project_withdrawn_with_nothing_drawn_is_charged_its_commitment_fee(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    env, docs = time_skipping_env, Documents()
    async with at_drawdowns(env, tmp_path, docs) as (app, settings, handle):
        opened = (await status(handle)).commitment
        assert opened is not None and opened.interest_from is not None
        await skip_to(env, datetime.combine(opened.interest_from + timedelta(days=40),
                                            time(10), tzinfo=BANK))
        asked = Withdrawal(actor=customer(app), reason="the project was cancelled")
        done = await handle.execute_update(LoanJourneyWorkflow.withdraw, asked)
        assert done.stage is Stage.DISBURSEMENT, done.message  # until the fee is paid
        assert "nothing was drawn: the commitment fee it accrued" in done.message
        # 40 days of 0.5% a year on the 15m undrawn, by quarters and the rest (a cent each)
        whole = Decimal(15_000_000) * opened.fee_rate * 40 / 360
        notice = await until_sent(settings.db_url, handle.id, template="commitment_fee_due")
        charged = Decimal(notice.body.split("accrued, ")[1].split(", is")[0].replace(",", ""))
        assert abs(charged - whole) <= Decimal("0.02"), (charged, whole)
        owing = await status(handle)
        assert owing.waiting_for == [f"the commitment fee, {charged:,}, paid with `repay`: "
                                     "nothing was drawn, and the journey ends once it is paid"]
        # the bank is owed it: in the book, nothing lent, the fee (and its penalty) to settle
        fees, line = owing.availability_interest, book_line(owing, "project_finance", None)
        assert fees is not None and line is not None and fees.fee_owed >= charged
        assert (line.principal, line.to_settle, line.arrears, line.days_past_due) == (
            0, fees.fee_owed, fees.past_due, fees.days_past_due)
        assert line.risk_class is classify(fees.days_past_due)
        await pay_the_fee(handle)
        result = await handle.result()
        assert result.outcome is Stage.WITHDRAWN
        assert result.reason.endswith(f"; the commitment fee, {charged:,}, paid")
        assert bookings_for(settings.db_url, handle.id) == []


async def test_a_project_cancelled_before_any_drawdown_ends_withdrawn(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    docs = Documents()
    async with at_drawdowns(time_skipping_env, tmp_path, docs) as (app, settings, handle):
        asked = Withdrawal(actor=customer(app), reason="the project was cancelled")
        done = await handle.execute_update(LoanJourneyWorkflow.withdraw, asked)
        assert done.stage is Stage.WITHDRAWN
        result = await handle.result()
        assert result.outcome is Stage.WITHDRAWN
        assert "15,000,000.00 undrawn commitment cancelled" in result.reason
        assert bookings_for(settings.db_url, handle.id) == []


async def test_withdrawn_between_drawdowns_the_rest_is_cancelled_and_the_drawn_repaid(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    docs = Documents()
    async with at_drawdowns(time_skipping_env, tmp_path, docs) as (app, settings, handle):
        await request(handle, first_tranche(app, docs))
        stop = Withdrawal(actor=customer(app), reason="sponsor scaled the project down")
        assert "t1 is in progress" in await refused(handle, LoanJourneyWorkflow.withdraw, stop)
        await approve(handle, "t1")
        done = await handle.execute_update(LoanJourneyWorkflow.withdraw, stop)
        assert "10,500,000.00 undrawn commitment cancelled" in done.message
        assert "the 4,500,000.00 drawn is repaid under the plan" in done.message
        running = await until(handle, lambda s: s.stage is Stage.POST_LOAN)
        assert running.offer is not None and running.commitment is not None
        assert sum(i.principal for i in running.offer.schedule) == Decimal("4500000.00")
        assert running.commitment.cancelled == Decimal("10500000.00")
        assert [d.verdict for d in running.decisions][-2:] == ["withdrawn",
                                                               "commitment cancelled"]
        closed = await refused(handle, ASK, ask(app, "t2", 1_000, []))
        # a refusal travels unencrypted (starter/codec.py): it quotes no one's words
        assert "closed on" in closed and "sponsor scaled" not in closed
        assert "repay or ask for early settlement" in await refused(
            handle, LoanJourneyWorkflow.withdraw, stop)


def losing_first_answer(calls: list[int]) -> Any:
    def replace(settings: Settings) -> list[Any]:
        @activity.defn(name=contracts.BOOK_DISBURSEMENT)
        def book_disbursement(request: BookingInput) -> Disbursement:
            booking = book(settings.db_url, request.idempotency_key, request.workflow_id,
                           request.amount, request.payee, request.purpose)
            calls.append(activity.info().attempt)
            if activity.info().attempt == 1:
                raise RuntimeError("connection reset after the core banking system booked")
            return Disbursement(booking_id=booking.booking_id, amount=booking.amount,
                                payee=booking.payee, booked_at=booking.booked_at)

        return [book_disbursement]

    return replace


async def test_each_tranche_is_booked_once_under_activity_retry(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    env, docs = time_skipping_env, Documents()
    calls: list[int] = []
    losing = losing_first_answer(calls)
    async with at_drawdowns(env, tmp_path, docs, losing) as (app, settings, handle):
        await request(handle, first_tranche(app, docs))
        assert (await approve(handle, "t1")).state is DrawdownState.BOOKED
        t2_docs = [permit(docs, "construction_progress"), permit(docs, "insurance")]
        to_borrower = await refused(handle, ASK, ask(app, "t2", 6_000_000, t2_docs))
        assert "above 5,000,000.00: the bank pays it to the counterparty" in to_borrower
        # the borrower as payee, however written: its name, with a note, or its credit code
        for name in (app.applicant_name, f"{app.applicant_name}（基本户）", app.credit_code):
            itself = Payee(name=name, account="6222000000000000001")
            round_trip = await refused(handle, ASK, ask(app, "t2", 6_000_000, t2_docs, itself))
            assert f"the payee {name} is the borrower" in round_trip
        unnamed = CONTRACTOR.model_copy(update={"bank": None, "contract": None})
        assert "names the bank its account is kept at (开户行, --payee-bank) and the " \
            "commercial contract" in await refused(handle, ASK, ask(app, "t2", 6_000_000,
                                                                   t2_docs, unnamed))
        await request(handle, ask(app, "t2", 6_000_000, t2_docs, CONTRACTOR))
        assert (await approve(handle, "t2")).state is DrawdownState.BOOKED
        assert calls == [1, 2, 1, 2]
        books = bookings_for(settings.db_url, handle.id)
        assert [b.key for b in books] == [f"{handle.id}:drawdown:t1:1",
                                          f"{handle.id}:drawdown:t2:2:1"]
        assert books[1].purpose.endswith(
            "entrusted payment (受托支付) under contract EPC-2026-017 to account "
            "6222020200112233445 at 中国建设银行深圳分行")
        current = await status(handle)
        assert current.commitment is not None
        assert current.commitment.drawn == Decimal("10500000.00")
        assert [d.booking_id for d in current.drawdowns] == [b.booking_id for b in books]
        assert customer(app).id == current.drawdowns[0].request.actor.id
