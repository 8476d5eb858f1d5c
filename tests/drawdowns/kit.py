"""A project-finance journey under test: the journey kit's application, fake OCR and worker,
and the walk to drawdowns: risk opinion by the project-finance team, head-office approval,
signature."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from temporalio.client import Client, WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from journey import review_contracts as rc
from journey.actors import Actor, Role
from journey.application import LoanApplication, Product
from journey.decisions import (
    AddDocuments,
    ApprovalDecision,
    RiskGrade,
    RiskOpinion,
    UpdateResult,
    Verdict,
)
from journey.documents import DocumentKind, FinancialStatement, ReadStatus
from journey.drawdowns import (
    DrawdownDecision,
    DrawdownOutcome,
    DrawdownRequest,
    DrawdownState,
    DrawdownVerdict,
    Payee,
    SupportingDocument,
)
from journey.entrusted_payment import Counterparty, PaymentConfirmation, PaymentInstruction
from journey.policy.calendar import WorkingCalendar
from journey.queue_wait import QueueWait
from journey.settings import Settings
from journey.stages import Stage
from journey.status import JourneyStatus
from tests.workflows import journey_kit
from tests.workflows.journey_kit import (
    Documents,
    Replacements,
    application,
    customer,
    journey_worker,
    offer_signature,
    start,
    status,
)
from workflows import search_attributes as sa
from workflows.loan_journey import LoanJourneyWorkflow
from workflows.post_loan_review import PostLoanReviewWorkflow, ReviewOutcome

RISK_PF = Actor(id="risk-pf-1", role=Role.RISK_OFFICER)
RISK_PF_2 = Actor(id="risk-pf-2", role=Role.RISK_OFFICER)
HEAD_OFFICE = Actor(id="appr-ho-1", role=Role.APPROVER)
OPS = Actor(id="ops-wang", role=Role.OPERATIONS)  # enters a payment instruction
OPS_CHECKER = Actor(id="ops-zhao", role=Role.OPERATIONS)  # confirms it (ops-li submits)
AMOUNT = 15_000_000  # tranches 4.5m / 6m / 4.5m under the default plan
TERM = 60  # 18 months' availability, 42 months' repayment with 6 months' grace
CONTRACTOR = Payee(name="中建某局第三工程有限公司", account="6222020200112233445",
                   bank="中国建设银行深圳分行", contract="EPC-2026-017")


def project(docs: Documents, amount: int = AMOUNT) -> LoanApplication:
    """A project on the borrower's statements of last year (`journey_kit.TODAY`'s), whose
    figures are a year's whatever the day: a drawdown's DSCR annualises them, and a period
    under three months, the kit's own 60 days back in the first quarter, has none."""
    return application(docs, product=Product.PROJECT_FINANCE, amount=amount, term_months=TERM,
                       period=date(journey_kit.TODAY.year - 1, 12, 31))


def permit(docs: Documents, label: str, name: str | None = None) -> SupportingDocument:
    """A scanned permit or report: stored by reference; the OCR reads it as no known kind."""
    ref = docs.add(name or f"{label}-{uuid.uuid4().hex[:6]}", status=ReadStatus.UNREADABLE,
                   kind=DocumentKind.UNKNOWN,
                   reason="kind: not a licence or a financial statement")
    return SupportingDocument(label=label, ref=ref)


def ask(app: LoanApplication, tranche: str, amount: int | str, docs: list[SupportingDocument],
        payee: Payee | None = None) -> DrawdownRequest:
    return DrawdownRequest(actor=customer(app), tranche_id=tranche, amount=Decimal(amount),
                           documents=docs, payee=payee)


def decide(tranche: str, verdict: DrawdownVerdict = DrawdownVerdict.APPROVE,
           actor: Actor = RISK_PF_2, reason: str = "milestone verified on site"
           ) -> DrawdownDecision:
    return DrawdownDecision(actor=actor, tranche_id=tranche, verdict=verdict, reason=reason)


async def to_drawdowns(client: Client, settings: Settings, app: LoanApplication
                       ) -> WorkflowHandle:
    """Start the journey and walk it to the drawdown stage, waiting for a request."""
    handle = await to_offer(client, settings, app)
    await handle.execute_update(LoanJourneyWorkflow.sign, offer_signature(app))
    await until(handle, lambda s: s.commitment is not None and s.stage is Stage.DISBURSEMENT
                and any("drawdown request" in w for w in s.waiting_for))
    return handle


async def to_offer(client: Client, settings: Settings, app: LoanApplication
                   ) -> WorkflowHandle:
    """Start the journey and walk it to its offer, approved by the project-finance team and
    head office, not signed yet."""
    handle = await start(client, settings, app)
    await journey_kit.until_stage(handle, Stage.RISK_REVIEW)
    await handle.execute_update(
        LoanJourneyWorkflow.record_risk_opinion,
        RiskOpinion(actor=RISK_PF, verdict=Verdict.APPROVE, grade=RiskGrade.G3,
                    reason="sponsor strong, offtake contracted"),
    )
    await handle.execute_update(
        LoanJourneyWorkflow.decide,
        ApprovalDecision(actor=HEAD_OFFICE, verdict=Verdict.APPROVE, reason="within limit"),
    )
    await journey_kit.until_stage(handle, Stage.OFFER)
    return handle


@asynccontextmanager
async def at_drawdowns(
    env: WorkflowEnvironment, tmp_path: Path, docs: Documents, replace: Replacements = (),
    amount: int = AMOUNT,
) -> AsyncIterator[tuple[LoanApplication, Settings, WorkflowHandle]]:
    """The journey kit's worker on `env` and a `project` of `amount` on it (its documents
    read from `docs`) walked `to_drawdowns`: the application, the worker's settings, the
    journey."""
    app = project(docs, amount)
    async with journey_worker(env.client, tmp_path, docs, replace) as settings:
        yield app, settings, await to_drawdowns(env.client, settings, app)


def first_tranche(app: LoanApplication, docs: Documents) -> DrawdownRequest:
    """t1 in full, with the two permits its conditions ask for."""
    return ask(app, "t1", 4_500_000,
               [permit(docs, "planning_permit"), permit(docs, "capital_proof")])


async def request(handle: WorkflowHandle, req: DrawdownRequest) -> DrawdownOutcome:
    return await handle.execute_update(LoanJourneyWorkflow.request_drawdown, req)


async def approve(handle: WorkflowHandle, tranche: str) -> DrawdownOutcome:
    """The risk team's approval; a drawdown to a counterparty then paid (`pay_payee`)."""
    outcome = await handle.execute_update(LoanJourneyWorkflow.decide_drawdown, decide(tranche))
    if outcome.state is DrawdownState.AWAITING_PAYEES:
        return await pay_payee(handle)
    return outcome


def instruction_for(request: DrawdownRequest, actor: Actor = OPS) -> PaymentInstruction:
    """What operations enter for `request`: the payee it names, checked against its
    contract, paid the whole drawdown."""
    payee = request.payee
    assert payee is not None and payee.bank is not None and payee.contract is not None
    return PaymentInstruction(actor=actor, counterparties=[Counterparty(
        name=payee.name, account=payee.account, bank=payee.bank, contract=payee.contract,
        amount=request.amount)])


async def pay_payee(handle: WorkflowHandle) -> DrawdownOutcome:
    """Operations' maker-checker on the approved drawdown to a counterparty: OPS enters its
    `instruction_for`, OPS_CHECKER confirms it; the drawdown once booked."""
    waiting = await until(handle, lambda s: s.entrusted is not None)
    record = waiting.drawdowns[-1]
    await handle.execute_update(LoanJourneyWorkflow.record_payment_instruction,
                                instruction_for(record.request))
    await handle.execute_update(LoanJourneyWorkflow.confirm_payment_instruction,
                                PaymentConfirmation(actor=OPS_CHECKER, instruction=1))
    paid = await until(handle, lambda s: s.drawdowns[record.number - 1].state.settled)
    booked = paid.drawdowns[record.number - 1]
    assert paid.commitment is not None
    return DrawdownOutcome(tranche_id=booked.request.tranche_id, state=booked.state,
                           conditions=booked.conditions, commitment=paid.commitment,
                           message=booked.reason)


async def until(handle: WorkflowHandle, ready: Callable[[JourneyStatus], bool],
                seconds: float = 20) -> JourneyStatus:
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        current = await status(handle)
        if ready(current):
            return current
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"not reached: at {current.stage}, {current.waiting_for}")
        await asyncio.sleep(0.05)



async def skip_to(env: WorkflowEnvironment, when: Any) -> None:
    """The clock run to `when` by `env.sleep`, which on the tests' time-skipping servers
    waits for the clock, not for one call's answer (tests/time_skipping.py)."""
    delta = when - await env.get_current_time()
    if delta > timedelta(0):
        await env.sleep(delta)


async def to_bank_morning(env: WorkflowEnvironment) -> date:
    """Skip `env`'s clock to 04:00 of a coming bank day, 20:00 UTC the day before (the UTC
    day a day behind), one whose day of the month every month has; that bank day."""
    bank = WorkingCalendar().tz
    day = (await env.get_current_time()).astimezone(bank).date() + timedelta(days=1)
    while not 2 <= day.day <= 28:
        day += timedelta(days=1)
    await skip_to(env, datetime.combine(day, time(4), tzinfo=bank))
    return day


async def send_balance_sheet(handle: WorkflowHandle, app: LoanApplication, docs: Documents,
                             liabilities: int, period_end: date) -> UpdateResult:
    """The borrower's newer balance sheet, total assets 100,000,000 and `liabilities` (max-
    leverage breached above 70,000,000), taken while the project draws for its next review."""
    sheet = docs.add(
        f"{app.credit_code}-balance-{period_end}", status=ReadStatus.READ,
        kind=DocumentKind.BALANCE_SHEET,
        statement=FinancialStatement(
            kind=DocumentKind.BALANCE_SHEET, period_end=period_end, company=app.applicant_name,
            current_assets=Decimal(50_000_000), total_assets=Decimal(100_000_000),
            current_liabilities=Decimal(25_000_000), total_liabilities=Decimal(liabilities),
            total_equity=Decimal(100_000_000 - liabilities), balances=True,
        ),
    )
    return await handle.execute_update(LoanJourneyWorkflow.add_statements,
                                       AddDocuments(actor=customer(app), documents=[sheet]))


async def review_now(env: WorkflowEnvironment, settings: Settings, handle: WorkflowHandle,
                     n: int) -> ReviewOutcome:
    """Review `n` of the journey, started as its schedule would (the time-skipping server has
    no Schedules), the clock held still."""
    with env.auto_time_skipping_disabled():
        outcome: ReviewOutcome = await env.client.execute_workflow(
            PostLoanReviewWorkflow.run, rc.ReviewInput(journey_id=handle.id),
            id=f"review-{handle.id}-{n}", task_queue=settings.task_queue,
        )
    return outcome


async def listed(handle: WorkflowHandle) -> tuple[str | None, str | None, bool]:
    """The team whose queue the journey is on, its SlaState, and whether its wait there has
    an SLA, as visibility lists them."""
    attributes = (await handle.describe()).typed_search_attributes
    wait = QueueWait.of(attributes.get(sa.QUEUE_WAIT))
    return (attributes.get(sa.TEAM), attributes.get(sa.SLA_STATE),
            wait is not None and wait.due_at is not None)


async def listed_wait(handle: WorkflowHandle) -> QueueWait | None:
    """The journey's wait on the team's queue, as visibility lists it (None: on no queue)."""
    return QueueWait.of((await handle.describe()).typed_search_attributes.get(sa.QUEUE_WAIT))


def drawdown_events(current: JourneyStatus) -> list[str]:
    return [e.detail for e in current.events
            if e.detail and (e.detail.startswith("drawdown") or "drawdowns closed" in e.detail)]
