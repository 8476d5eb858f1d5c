"""A project-finance journey under test: the journey kit's application and fake OCR, a worker
whose activities a test may replace by name (given the settings), and the walk to drawdowns:
risk opinion by the project-finance team, head-office approval, signature."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from temporalio import activity
from temporalio.api.enums.v1 import EventType
from temporalio.client import (
    Client,
    WorkflowFailureError,
    WorkflowHandle,
    WorkflowUpdateFailedError,
)
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities import build_activities
from journey import contracts
from journey.actors import Actor, Role
from journey.application import LoanApplication, Product
from journey.contracts import ReadDocumentInput
from journey.decisions import ApprovalDecision, RiskGrade, RiskOpinion, Signature, Verdict
from journey.documents import DocumentKind, DocumentReading, ReadStatus
from journey.drawdowns import (
    DrawdownDecision,
    DrawdownOutcome,
    DrawdownRequest,
    DrawdownVerdict,
    Payee,
    SupportingDocument,
)
from journey.settings import Settings
from journey.stages import Stage
from journey.status import JourneyStatus
from tests.workflows import journey_kit
from tests.workflows.journey_kit import Documents, application, customer, start, status
from workflows.loan_journey import LoanJourneyWorkflow
from workflows.post_loan_review import PostLoanReviewWorkflow

RISK_PF = Actor(id="risk-pf-1", role=Role.RISK_OFFICER)
RISK_PF_2 = Actor(id="risk-pf-2", role=Role.RISK_OFFICER)
HEAD_OFFICE = Actor(id="appr-ho-1", role=Role.APPROVER)
AMOUNT = 15_000_000  # tranches 4.5m / 6m / 4.5m under the default plan
TERM = 60  # 18 months' availability, 42 months' repayment with 6 months' grace
CONTRACTOR = Payee(name="中建某局第三工程有限公司", account="6222020200112233445")


def project(docs: Documents) -> LoanApplication:
    return application(docs, product=Product.PROJECT_FINANCE, amount=AMOUNT, term_months=TERM)


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


@asynccontextmanager
async def pf_worker(
    client: Client, tmp_path: Path, docs: Documents,
    replace: Callable[[Settings], list[Callable[..., Any]]] | None = None,
) -> AsyncIterator[Settings]:
    settings = Settings(data_dir=tmp_path, task_queue=f"tq-{uuid.uuid4()}")

    @activity.defn(name=contracts.READ_DOCUMENT)
    def read_document(request: ReadDocumentInput) -> DocumentReading:
        return docs.readings[request.ref.sha256]

    replaced = replace(settings) if replace else []
    names = {f.__name__ for f in replaced}  # activity names are the function names here
    fakes = [*replaced, *([] if read_document.__name__ in names else [read_document])]
    names.add(read_document.__name__)
    real = [a for a in build_activities(settings) if a.__name__ not in names]
    async with Worker(
        client,
        task_queue=settings.task_queue,
        workflows=[LoanJourneyWorkflow, PostLoanReviewWorkflow],
        activities=[*real, *fakes],
        activity_executor=ThreadPoolExecutor(max_workers=4),
    ):
        try:
            yield settings
        finally:
            for handle in journey_kit._started.pop(settings.task_queue, []):
                with contextlib.suppress(WorkflowFailureError, RPCError):
                    await handle.terminate("test finished")


async def to_drawdowns(client: Client, settings: Settings, app: LoanApplication
                       ) -> WorkflowHandle:
    """Start the journey and walk it to the drawdown stage, waiting for a request."""
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
    await handle.execute_update(LoanJourneyWorkflow.sign, Signature(actor=customer(app)))
    await until(handle, lambda s: s.commitment is not None and s.stage is Stage.DISBURSEMENT
                and any("drawdown request" in w for w in s.waiting_for))
    return handle


async def request(handle: WorkflowHandle, req: DrawdownRequest) -> DrawdownOutcome:
    return await handle.execute_update(LoanJourneyWorkflow.request_drawdown, req)


async def approve(handle: WorkflowHandle, tranche: str) -> DrawdownOutcome:
    return await handle.execute_update(LoanJourneyWorkflow.decide_drawdown, decide(tranche))


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


async def accepted_updates(handle: WorkflowHandle) -> int:
    history = await handle.fetch_history()
    return sum(e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
               for e in history.events)


async def refused(handle: WorkflowHandle, update: Any, req: Any) -> str:
    """The update is refused by its validator and leaves no trace in the history."""
    before = await accepted_updates(handle)
    with pytest.raises(WorkflowUpdateFailedError) as err:
        await handle.execute_update(update, req)
    assert await accepted_updates(handle) == before, "a refused update reached the history"
    return str(err.value.cause)


async def skip_to(env: WorkflowEnvironment, when: Any) -> None:
    delta = when - await env.get_current_time()
    if delta > timedelta(0):
        await env.sleep(delta)


def drawdown_events(current: JourneyStatus) -> list[str]:
    return [e.detail for e in current.events
            if e.detail and (e.detail.startswith("drawdown") or "drawdowns closed" in e.detail)]
