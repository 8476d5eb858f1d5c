"""A small working-capital loan walks every stage, on the time-skipping server."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from datetime import timedelta, timezone
from decimal import Decimal
from typing import Any

from rich.console import Console
from temporalio import activity
from temporalio.testing import WorkflowEnvironment

from activities.notifications import NotificationActivities
from journey import contracts
from journey.contracts import NotifyInput, NotifyResult
from journey.repayment import money
from journey.settings import Settings
from journey.stages import Stage
from journey.timeline import EventType
from starter.status_view import status_view
from store.ledger import bookings_for
from store.outbox import messages_for
from store.timing import events_for
from tests.post_loan.loan_kit import settle_at_quote
from tests.workflows.journey_kit import (
    WALK,
    customer,
    drive_to,
    new_application,
    offer_signature,
    running_journey,
    until_stage,
)
from workflows.loan_journey import LoanJourneyWorkflow


async def test_small_loan_walks_every_stage_to_closed(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    docs, app = new_application()
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (settings, handle):
        offered = await drive_to(handle, app, Stage.OFFER)
        assert offered.offer is not None
        assert sum(i.principal for i in offered.offer.schedule) == app.amount
        basis = offered.offer.rate_basis  # priced by the pinned policy, which says how
        assert basis is not None and basis.base == "1y LPR"
        assert offered.offer.annual_rate == basis.base_rate + basis.spread
        signed = await handle.execute_update(
            LoanJourneyWorkflow.sign, offer_signature(app)
        )
        assert signed.stage in (Stage.DISBURSEMENT, Stage.POST_LOAN)
        running = await until_stage(handle, Stage.POST_LOAN)
        await settle_at_quote(handle, running, "TX-1")
        result = await handle.result()

        assert result.outcome is Stage.CLOSED
        final = await handle.query(LoanJourneyWorkflow.status)
        # the offer's notice carries the offer, in the customer's words, until when and how
        [told] = [m.body for m in messages_for(settings.db_url, handle.id)
                  if m.template == "offer_ready"]
        first, bank = offered.offer.schedule[0], timezone(timedelta(hours=8))
        expires = offered.offer.expires_at.astimezone(bank)
        for said in (f"a working capital loan of {money(app.amount)} for {app.term_months} "
                     "months", f"{offered.offer.annual_rate:.2%} a year: the 1y LPR of "
                     f"{basis.base_rate:.2%}", "monthly, in equal instalments",
                     f"First instalment: {money(first.payment)}, due on {first.due_on}",
                     "total debt to total assets at most 70%", "Fees: none.",
                     f"signed until {expires:%Y-%m-%d %H:%M} (UTC+8)",
                     f"credit code {app.credit_code}",
                     # a year's loan reaches no anniversary of its payout: never reset
                     "for the whole term, which ends by the payout's first anniversary"):
            assert said in told, (said, told)
        assert "anniversary of the payout" not in told and "entrusted" not in told
        # the payout's notice: which application, paid where, the first instalment
        [paid] = [m.body for m in messages_for(settings.db_url, handle.id)
                  if m.template == "loan_disbursed"]
        plan = running.offer.schedule
        assert paid == (
            f"Your application {app.application_id} for a working capital loan of "
            f"{money(app.amount)} was paid out on {running.offer.starts_on}: "
            f"{money(app.amount)} into your account ending 7890. The first instalment, "
            f"{money(plan[0].payment)}, is due on {plan[0].due_on}.")
        assert [v.stage for v in final.timeline] == WALK
        assert final.route is not None and final.route.team == "sme_risk"
        assert final.route.policy_version == final.policy_version
        # the payment, who recorded it, as operations and auditors read it
        owed = running.disbursement.amount  # settled on the payout day: no interest has run
        assert [(p.reference, p.kind, p.amount, p.recorded_by) for p in final.payments] == [
            ("TX-1", "settlement", owed, "ops-li")]
        shown = Console(width=200, record=True)
        shown.print(status_view(final))
        text = shown.export_text()
        assert "payments" in text and f"{owed:,}" in text and "TX-1" in text
        # whom four eyes leave out (the labels' column as wide as the longest shown)
        assert "submitted by ops-li (operations)" in " ".join(text.split())
        # the disbursement is booked once, and every timing event is in the database
        booked = bookings_for(settings.db_url, handle.id)
        assert [b.amount for b in booked] == [Decimal(app.amount)]
        stored = events_for(settings.db_url, handle.id)
        assert [e.sequence for e in stored] == list(range(len(final.events)))
        exits = [(e.stage, e.outcome) for e in stored if e.type is EventType.EXITED]
        assert exits == list(zip(WALK[:-1], WALK[1:], strict=True))
        # each exit names whose decision ended the stage: the process-mining resource
        by = {e.stage: e.actor for e in stored if e.type is EventType.EXITED}
        deciders = {d.stage: d.actor.id for d in final.decisions}
        assert by[Stage.RISK_REVIEW] == deciders[Stage.RISK_REVIEW]
        assert by[Stage.OFFER] == customer(app).id and by[Stage.INTAKE] is None


def outbox_before_the_offer_notice(
    first: Callable[[], object],
) -> Callable[[Settings], list[Callable[..., Any]]]:
    """The real outbox, which calls `first()` before it takes the offer's notice."""

    def stand_in(settings: Settings) -> list[Callable[..., Any]]:
        real = NotificationActivities(settings)

        @activity.defn(name=contracts.NOTIFY)
        def notify(request: NotifyInput) -> NotifyResult:
            if request.template == "offer_ready":
                first()
            return real.notify(request)

        return [notify]

    return stand_in


async def test_a_signature_at_once_does_not_wait_for_the_offer_notice(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    """The offer's notice is queued behind the journey: a customer who signs while the
    outbox is slow moves the journey on at once; the notice is still queued, once, before
    the journey closes."""
    docs, app = new_application()
    outbox_slow = threading.Event()
    slow_offer_notice = outbox_before_the_offer_notice(lambda: outbox_slow.wait(timeout=30))
    async with running_journey(
        time_skipping_env, tmp_path, docs, app, slow_offer_notice
    ) as (settings, handle):
        await drive_to(handle, app, Stage.OFFER)
        signed = await asyncio.wait_for(
            handle.execute_update(LoanJourneyWorkflow.sign, offer_signature(app)), 20
        )
        assert signed.stage in (Stage.DISBURSEMENT, Stage.POST_LOAN)
        templates = [m.template for m in messages_for(settings.db_url, handle.id)]
        assert "offer_ready" not in templates  # still held by the slow outbox
        outbox_slow.set()
        await settle_at_quote(handle, await until_stage(handle, Stage.POST_LOAN), "TX-AT-ONCE")
        assert (await handle.result()).outcome is Stage.CLOSED  # closing waits for the notice
        templates = [m.template for m in messages_for(settings.db_url, handle.id)]
        assert templates.count("offer_ready") == 1


async def test_an_outbox_that_refuses_for_long_delays_the_offer_notice_but_loses_it_not(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    """Notices retry until the outbox takes them: 25 refusals (more than the 20 attempts
    notices once had) neither lose the offer's notice nor end the loan."""
    docs, app = new_application()
    refusals = 25
    attempts: list[int] = []

    def refuse() -> None:
        attempts.append(activity.info().attempt)
        if activity.info().attempt <= refusals:
            raise RuntimeError("the outbox is down")

    refusing_outbox = outbox_before_the_offer_notice(refuse)
    async with running_journey(
        time_skipping_env, tmp_path, docs, app, refusing_outbox
    ) as (settings, handle):
        await drive_to(handle, app, Stage.POST_LOAN)
        await settle_at_quote(handle, await until_stage(handle, Stage.POST_LOAN), "TX-OUTAGE")
        assert (await handle.result()).outcome is Stage.CLOSED
        assert attempts == list(range(1, refusals + 2))
        templates = [m.template for m in messages_for(settings.db_url, handle.id)]
        assert templates.count("offer_ready") == 1
