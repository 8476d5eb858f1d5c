"""Record one history per terminal path of LoanJourneyWorkflow into tests/histories/, and
one of LateFeedbackWorkflow per touchpoint it keeps after a journey's end.

    .venv/bin/python -m tests.histories.record [PATH ...]   # those paths only (closed_repaid ...)

Runs each path on a fresh time-skipping server with the test kit's journeys; CI replays
the files against the current code (tests/audit/test_replay_recorded.py). Re-record only
when a change is meant to apply to new journeys alone, and keep the old files' behaviour
with `workflow.patched`: rename the old files first (`before-<patch id>_<path>.json`, e.g.
before-write-behind_closed_repaid.json), so journeys that started before the change keep
being replayed too.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from collections.abc import Awaitable, Callable
from decimal import Decimal
from pathlib import Path

from temporalio.client import Client, WorkflowHandle
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from journey.actors import Actor, Role
from journey.application import Channel, Product
from journey.booking_conflicts import BookingResolution, Settlement
from journey.decisions import (
    RiskGrade,
    RiskOpinion,
    Verdict,
    Withdrawal,
    WrittenAnswer,
)
from journey.decline_reasons import DeclineReason
from journey.entrusted_payment import Counterparty, PaymentConfirmation, PaymentInstruction
from journey.settings import Settings
from journey.stages import Stage
from journey.touchpoints import ComplaintCategory, Feedback, Inquiry, late_touchpoints_id
from starter import late_touchpoints, loan_figures
from store.ledger import book
from tests.audit.histories import save_history
from tests.conftest import installed_test_server, register_search_attributes
from tests.post_loan.loan_kit import pay, settle_at_quote, until
from tests.workflows import journey_kit as kit
from workflows.loan_journey import LoanJourneyWorkflow

REPAY = LoanJourneyWorkflow.record_repayment
Path_ = Callable[[WorkflowHandle, kit.LoanApplication], Awaitable[None]]
# after a journey's end: what the customer says, kept by a run of its own; that run's id
Late = Callable[[Client, Settings, str, kit.LoanApplication], Awaitable[str]]


async def closed(handle: WorkflowHandle, app: kit.LoanApplication) -> None:
    """Settled at the payout day's quote. closed_repaid.json was recorded when one plain
    repayment of the whole plan was taken (refused since: a repayment pays what is due);
    it still replays, as validators do not run on replay."""
    running = await kit.drive_to(handle, app, Stage.POST_LOAN)
    await settle_at_quote(handle, running, "TX-ALL")


async def prepaid(handle: WorkflowHandle, app: kit.LoanApplication) -> None:
    """A quarter prepaid on the payout day, then the rest settled early."""
    running = await kit.drive_to(handle, app, Stage.POST_LOAN)
    day = running.offer.starts_on
    quarter = (running.disbursement.amount / 4).quantize(Decimal("0.01"))
    await handle.execute_update(REPAY, pay("TX-PRE", quarter, paid_on=day, prepays=True))
    now = await until(handle, lambda s: s.account is not None and s.account.paid == quarter)
    quote = loan_figures.settlement(now, day)
    await handle.execute_update(REPAY, pay("TX-SETTLE", quote.owed, paid_on=day, settles=True))


async def rejected(handle: WorkflowHandle, app: kit.LoanApplication) -> None:
    await kit.until_stage(handle, Stage.RISK_REVIEW)
    await handle.execute_update(
        LoanJourneyWorkflow.record_risk_opinion,
        RiskOpinion(actor=kit.RISK_SME, verdict=Verdict.REJECT, grade=RiskGrade.G8,
                    reason="cash burn", category=DeclineReason.REPAYMENT_CAPACITY),
    )


async def asked(handle: WorkflowHandle, app: kit.LoanApplication) -> None:
    """The risk officer asks a question, the customer answers in writing, then the case is
    rejected: what the customer is asked for is worded by the workflow."""
    await kit.until_stage(handle, Stage.RISK_REVIEW)
    await handle.execute_update(
        LoanJourneyWorkflow.record_risk_opinion,
        RiskOpinion(actor=kit.RISK_SME, verdict=Verdict.REQUEST_INFO, reason="sales fell",
                    question="why did sales fall?"),
    )
    await kit.until_stage(handle, Stage.COMPLETENESS, asking=True)
    await handle.execute_update(LoanJourneyWorkflow.answer_question,
                                WrittenAnswer(actor=kit.customer(app), text="one lost order"))
    await rejected(handle, app)


async def withdrawn(handle: WorkflowHandle, app: kit.LoanApplication) -> None:
    await kit.drive_to(handle, app, Stage.OFFER)
    await handle.execute_update(
        LoanJourneyWorkflow.withdraw, Withdrawal(actor=kit.customer(app), reason="cheaper")
    )


async def expired(handle: WorkflowHandle, app: kit.LoanApplication) -> None:
    await kit.drive_to(handle, app, Stage.OFFER)


async def entrusted(handle: WorkflowHandle, app: kit.LoanApplication) -> None:
    """A fixed-asset loan above the entrusted-payment figure: one operations person enters
    the payout's instruction to two counterparties, a second confirms it, then the loan is
    settled early."""
    await kit.drive_to(handle, app, Stage.OFFER,
                       risk=Actor(id="risk-corp-1", role=Role.RISK_OFFICER),
                       approver=Actor(id="appr-ho-1", role=Role.APPROVER))
    await handle.execute_update(LoanJourneyWorkflow.sign, kit.offer_signature(app))
    await kit.until_stage(handle, Stage.DISBURSEMENT, asking=True)
    paid_to = [Counterparty(name=name, account=account, bank="中国工商银行上海分行",
                            contract=contract, amount=Decimal(amount))
               for name, account, contract, amount in (
                   ("上海某机床设备有限公司", "6222020200114455667", "PO-5667", 12_000_000),
                   ("中建某局第三工程有限公司", "6222020200112233445", "EPC-3445", 8_000_000))]
    await handle.execute_update(
        LoanJourneyWorkflow.record_payment_instruction,
        PaymentInstruction(actor=Actor(id="ops-wang", role=Role.OPERATIONS),
                           counterparties=paid_to))
    await handle.execute_update(
        LoanJourneyWorkflow.confirm_payment_instruction,
        PaymentConfirmation(actor=Actor(id="ops-li", role=Role.OPERATIONS), instruction=1))
    await settle_at_quote(handle, await kit.until_stage(handle, Stage.POST_LOAN), "TX-ALL")


async def booking_conflict(handle: WorkflowHandle, app: kit.LoanApplication) -> None:
    """The payout's key booked by hand for another journey (`BEFORE`): the payout is held,
    operations book it again under a new key (asked by one, confirmed by another), then the
    loan is settled early."""
    await kit.drive_to(handle, app, Stage.OFFER)
    await handle.execute_update(LoanJourneyWorkflow.sign, kit.offer_signature(app))
    await until(handle, lambda s: any("payout held" in w for w in s.waiting_for))
    again = BookingResolution(actor=Actor(id="ops-wang", role=Role.OPERATIONS),
                              settlement=Settlement.BOOK_AGAIN, reason="another journey's key")
    for person in ("ops-wang", "ops-li"):  # asked by one, confirmed by another
        await handle.execute_update(LoanJourneyWorkflow.resolve_booking_conflict, again.model_copy(
            update={"actor": Actor(id=person, role=Role.OPERATIONS)}))
    await settle_at_quote(handle, await kit.until_stage(handle, Stage.POST_LOAN), "TX-ALL")


def booked_by_hand(settings: Settings, journey: str, app: kit.LoanApplication) -> None:
    """A row written by hand under the key the journey's payout books under."""
    book(settings.db_url, f"{journey}:disbursement", "journey-APP-by-hand", app.amount,
         app.applicant_name, "written by hand")


PATHS: dict[str, Path_] = {
    "closed_repaid": closed,
    "closed_prepaid_settled": prepaid,
    "rejected_at_risk_review": rejected,
    "answered_then_rejected": asked,
    "withdrawn_at_offer": withdrawn,
    "expired_offer": expired,
    "closed_entrusted": entrusted,
    "closed_after_booking_conflict": booking_conflict,
}
# what a path has written before its journey runs on: the worker's settings, the journey id
BEFORE: dict[str, Callable[[Settings, str, kit.LoanApplication], None]] = {
    "closed_after_booking_conflict": booked_by_hand,
}
# the application a path walks, where it is not the kit's small SME loan
APPLICATIONS: dict[str, dict[str, object]] = {
    "closed_entrusted": {"product": Product.FIXED_ASSET, "amount": 20_000_000,
                         "term_months": 60,  # a manager's case: both operations people act
                         "submitted_by": Actor(id="rm-zhang", role=Role.RELATIONSHIP_MANAGER)},
}


async def late_complaint(client: Client, settings: Settings, journey: str,
                         app: kit.LoanApplication) -> str:
    complaint = Feedback(actor=kit.customer(app), channel=Channel.PHONE, stage=Stage.RISK_REVIEW,
                         score=1, category=ComplaintCategory.DECISION, comment="why?")
    return await late_touchpoints.record_late_feedback(client, settings, journey, complaint)


async def late_inquiry(client: Client, settings: Settings, journey: str,
                       app: kit.LoanApplication) -> str:
    asked = Inquiry(actor=kit.customer(app), channel=Channel.PHONE)
    await late_touchpoints.record_late_inquiry(client, settings, journey, asked)
    return late_touchpoints_id(journey)


LATE: dict[str, Late] = {"late_feedback": late_complaint, "late_inquiry": late_inquiry}


async def record(name: str, play: Path_, late: Late | None = None) -> Path:
    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=pydantic_data_converter, test_server_existing_path=installed_test_server()
    )
    try:
        await register_search_attributes(env.client)
        kit.TODAY = (await env.get_current_time()).date()
        return await _run(env.client, name, play, late)
    finally:
        await env.shutdown()


async def _run(client: Client, name: str, play: Path_, late: Late | None) -> Path:
    """The history of the journey that walks `play`, or of the run that keeps what the
    customer says after it ended, with `late`."""
    docs = kit.Documents()
    app = kit.application(docs, **APPLICATIONS.get(name, {}))  # type: ignore[arg-type]
    with tempfile.TemporaryDirectory() as tmp:
        async with kit.journey_worker(client, Path(tmp), docs) as settings:
            handle = await kit.start(client, settings, app)
            if (before := BEFORE.get(name)) is not None:
                before(settings, handle.id, app)  # the journey books only once signed
            await play(handle, app)
            await handle.result()
            if late is None:
                return await save_history(handle, name)
            kept = await late(client, settings, handle.id, app)
            return await save_history(client.get_workflow_handle(kept), name)


async def main(only: list[str]) -> None:
    for name, play in PATHS.items():
        if only and name not in only:
            continue
        print(f"recorded {await record(name, play)}")
    for name, late in LATE.items():  # a declined customer has more to say
        if only and name not in only:
            continue
        print(f"recorded {await record(name, rejected, late)}")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
