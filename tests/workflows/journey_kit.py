"""A journey under test: real workflow, real activities on a SQLite file, and an OCR
activity replaced by name with one that returns prepared readings (OCR itself is tested
on real images in tests/ocr and end to end on the dev server)."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import threading
import uuid
from collections.abc import AsyncIterator, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from temporalio import activity
from temporalio.client import Client, WorkflowFailureError, WorkflowHandle
from temporalio.service import RPCError, RPCStatusCode
from temporalio.worker import Worker

from activities import build_activities
from journey import contracts
from journey.actors import Actor, Role
from journey.application import LoanApplication, Product
from journey.contracts import ReadDocumentInput
from journey.credit_code import generate
from journey.decisions import ApprovalDecision, RiskGrade, RiskOpinion, Verdict
from journey.documents import (
    BusinessLicense,
    DocumentKind,
    DocumentReading,
    DocumentRef,
    FinancialStatement,
    ReadStatus,
)
from journey.settings import Settings
from journey.stages import Stage
from journey.status import JourneyInput, JourneyStatus
from workflows.loan_journey import LoanJourneyWorkflow

TODAY = date.today()  # set from the test server's clock by tests/workflows/conftest.py
SUBMITTER = Actor(id="ops-li", role=Role.OPERATIONS)


def ref(label: str) -> DocumentRef:
    digest = hashlib.sha256(label.encode()).hexdigest()
    return DocumentRef(sha256=digest, filename=f"{label}.png", size=1000)


@dataclass
class Documents:
    """Readings the fake OCR activity returns, by sha256."""

    readings: dict[str, DocumentReading] = field(default_factory=dict)
    gate: threading.Event | None = None  # when set up, reading waits until it opens

    def add(self, label: str, **reading: object) -> DocumentRef:
        r = ref(label)
        self.readings[r.sha256] = DocumentReading(ref=r, **reading)  # type: ignore[arg-type]
        return r

    def company(self, name: str, code: str, period: date, *, total_assets: int = 100_000_000,
                liabilities: int = 40_000_000) -> list[DocumentRef]:
        equity = total_assets - liabilities
        license = BusinessLicense(
            name=name, credit_code=code, credit_code_valid=True, legal_representative="张三",
            registered_capital=Decimal(50_000_000), established_on=date(2010, 5, 1),
            address="上海市浦东新区", company_type="有限责任公司",
        )
        balance = FinancialStatement(
            kind=DocumentKind.BALANCE_SHEET, period_end=period, company=name,
            cash=Decimal(10_000_000), current_assets=Decimal(50_000_000),
            total_assets=Decimal(total_assets), current_liabilities=Decimal(25_000_000),
            total_liabilities=Decimal(liabilities), total_equity=Decimal(equity), balances=True,
        )
        income = FinancialStatement(
            kind=DocumentKind.INCOME_STATEMENT, period_end=period, company=name,
            revenue=Decimal(80_000_000), operating_profit=Decimal(9_000_000),
            net_profit=Decimal(7_000_000),
        )
        return [
            self.add(f"{code}-{period}-licence", status=ReadStatus.READ,
                     kind=DocumentKind.BUSINESS_LICENSE, license=license),
            self.add(f"{code}-{period}-balance", status=ReadStatus.READ,
                     kind=DocumentKind.BALANCE_SHEET, statement=balance),
            self.add(f"{code}-{period}-income", status=ReadStatus.READ,
                     kind=DocumentKind.INCOME_STATEMENT, statement=income),
        ]

    def unreadable(self, label: str) -> DocumentRef:
        return self.add(label, status=ReadStatus.UNREADABLE, reason="truncated: image cut off")


def application(
    docs: Documents,
    *,
    amount: int = 3_000_000,
    product: Product = Product.WORKING_CAPITAL,
    term_months: int = 12,
    industry: str = "manufacturing",
    drop: set[str] = frozenset(),  # type: ignore[assignment]
) -> LoanApplication:
    code = generate()
    name = f"上海测试制造有限公司{code[-4:]}"
    refs = docs.company(name, code, TODAY - timedelta(days=60))
    kept = [r for r in refs if not any(r.filename.endswith(f"-{d}.png") for d in drop)]
    return LoanApplication(
        application_id=f"APP-{uuid.uuid4().hex[:10]}",
        applicant_name=name,
        credit_code=code,
        product=product,
        amount=Decimal(amount),
        term_months=term_months,
        industry=industry,
        documents=kept,
        submitted_by=SUBMITTER,
    )


def customer(app: LoanApplication) -> Actor:
    return Actor(id=app.credit_code, role=Role.CUSTOMER)


@asynccontextmanager
async def journey_worker(
    client: Client,
    tmp_path: Path,
    docs: Documents,
    replace: Mapping[str, Callable[..., Any]] | None = None,
) -> AsyncIterator[Settings]:
    """A worker with the real activities, OCR answered from `docs`, and `replace` standing in
    for the real activities of those names (the real ones are named like their methods)."""
    settings = Settings(data_dir=tmp_path, task_queue=f"tq-{uuid.uuid4()}")

    @activity.defn(name=contracts.READ_DOCUMENT)
    def read_document(request: ReadDocumentInput) -> DocumentReading:
        if docs.gate is not None:
            docs.gate.wait(timeout=30)
        return docs.readings[request.ref.sha256]

    stand_ins = {contracts.READ_DOCUMENT: read_document, **(replace or {})}
    real = [a for a in build_activities(settings) if a.__name__ not in stand_ins]
    async with Worker(
        client,
        task_queue=settings.task_queue,
        workflows=[LoanJourneyWorkflow],
        activities=[*real, *stand_ins.values()],
        activity_executor=ThreadPoolExecutor(max_workers=4),
    ):
        try:
            yield settings
        finally:
            # A journey left waiting keeps firing SLA timers on the shared time-skipping
            # server, which would stop it skipping time for the next test.
            for handle in _started.pop(settings.task_queue, []):
                with contextlib.suppress(WorkflowFailureError, RPCError):
                    await handle.terminate("test finished")


_started: dict[str, list[WorkflowHandle]] = {}


async def start(client: Client, settings: Settings, app: LoanApplication) -> WorkflowHandle:
    handle = await client.start_workflow(
        LoanJourneyWorkflow.run,
        JourneyInput(application=app),
        id=f"journey-{app.application_id}",
        task_queue=settings.task_queue,
    )
    _started.setdefault(settings.task_queue, []).append(handle)
    return handle


async def status(handle: WorkflowHandle) -> JourneyStatus:
    """The status query, asked again when the time-skipping server does not answer (seen
    there for a query sent while a run continues as new)."""
    for _ in range(10):
        try:
            return await handle.query(
                LoanJourneyWorkflow.status, rpc_timeout=timedelta(seconds=5)
            )
        except RPCError as err:
            if err.status not in (RPCStatusCode.DEADLINE_EXCEEDED, RPCStatusCode.CANCELLED):
                raise
    raise AssertionError(f"{handle.id} did not answer its status query")


async def until_stage(
    handle: WorkflowHandle, stage: Stage, *, asking: bool = False, seconds: float = 20
) -> JourneyStatus:
    """Poll the status query (client side) until the journey stands at `stage` (and, with
    `asking`, says what it waits for)."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        current = await status(handle)
        if current.stage is stage and (current.waiting_for or not asking):
            return current
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"journey still at {current.stage} ({current.waiting_for})")
        await asyncio.sleep(0.05)


RISK_SME = Actor(id="risk-sme-1", role=Role.RISK_OFFICER)
BRANCH_APPROVER = Actor(id="appr-branch-1", role=Role.APPROVER)


async def approve_through(handle: WorkflowHandle, app: LoanApplication) -> None:
    """Risk opinion and branch approval for a small SME loan."""
    await until_stage(handle, Stage.RISK_REVIEW)
    await handle.execute_update(
        LoanJourneyWorkflow.record_risk_opinion,
        RiskOpinion(actor=RISK_SME, verdict=Verdict.APPROVE, grade=RiskGrade.G3, reason="sound"),
    )
    await handle.execute_update(
        LoanJourneyWorkflow.decide,
        ApprovalDecision(actor=BRANCH_APPROVER, verdict=Verdict.APPROVE, reason="within limit"),
    )
