"""A journey under test: real workflow, real activities on a SQLite file, and an OCR
activity replaced by name with one that returns prepared readings (OCR itself is tested
on real images in tests/ocr and end to end on the dev server)."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import threading
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
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
from temporalio.service import RPCError, RPCStatusCode
from temporalio.testing import WorkflowEnvironment

from activities.documents import DocumentActivities
from journey import contracts
from journey.actors import Actor, Role
from journey.application import LoanApplication, Product, SettlementAccount
from journey.contracts import KeepReadingInput, KeptReading, ReadDocumentInput
from journey.credit_code import generate
from journey.decisions import ApprovalDecision, RiskGrade, RiskOpinion, Signature, Verdict
from journey.documents import (
    BusinessLicense,
    DocumentKind,
    DocumentReading,
    DocumentRef,
    FinancialStatement,
    ReadStatus,
)
from journey.settings import Settings, WorkerRole
from journey.stages import Stage
from journey.status import JourneyInput, JourneyStatus
from starter import operations
from starter.demo_team import agent_signature
from starter.errors import NoAnswer
from store.documents import record_reading
from store.outbox import OutboxMessage, messages_for
from worker import build_worker
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
    kept: bool = False  # True: each reading kept in the journey store, as the real OCR keeps it

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

    def period_of(self, kind: DocumentKind) -> date:
        """The one period of the statements of `kind` these readings hold."""
        [period] = {r.statement.period_end for r in self.readings.values()
                    if r.kind is kind and r.statement is not None}
        assert period is not None
        return period

    def unreadable(self, label: str) -> DocumentRef:
        return self.add(label, status=ReadStatus.UNREADABLE, reason="truncated: image cut off")


SETTLEMENT_ACCOUNT = "1001020309000067890"  # every test borrower's, unless a test names one


def application(
    docs: Documents,
    *,
    amount: int = 3_000_000,
    product: Product = Product.WORKING_CAPITAL,
    term_months: int = 12,
    industry: str = "manufacturing",
    drop: set[str] = frozenset(),  # type: ignore[assignment]
    company: tuple[str, str] | None = None,  # (name, credit code): a sample scan's company
    period: date | None = None,  # the statements' (a sample scan's); else 60 days ago
    submitted_by: Actor = SUBMITTER,
    settlement_account: SettlementAccount | None = None,  # else the borrower's, ending 7890
) -> LoanApplication:
    code = company[1] if company else generate()
    name = company[0] if company else f"上海测试制造有限公司{code[-4:]}"
    refs = docs.company(name, code, period or TODAY - timedelta(days=60))
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
        submitted_by=submitted_by,
        settlement_account=settlement_account or SettlementAccount(
            name=name, account=SETTLEMENT_ACCOUNT, bank="中国工商银行上海浦东支行"),
    )


def new_application(**changes: Any) -> tuple[Documents, LoanApplication]:
    """Fresh readings for the fake OCR, and an `application` (given `changes`) they read."""
    docs = Documents()
    return docs, application(docs, **changes)


def customer(app: LoanApplication) -> Actor:
    return Actor(id=app.credit_code, role=Role.CUSTOMER)


def offer_signature(app: LoanApplication) -> Signature:
    """The customer's signature of the offer, evidenced: by an authorised agent, whom the
    licence as read need not name."""
    return agent_signature(customer(app))


Replacements = Sequence[Callable[..., Any]] | Callable[[Settings], Sequence[Callable[..., Any]]]


def real_for_unknown(docs: Documents) -> Replacements:
    """The application's own documents from the fake; anything else through the real OCR."""

    def replace(settings: Settings) -> list[Any]:
        real = DocumentActivities(settings)

        @activity.defn(name=contracts.READ_DOCUMENT)
        def read_document(request: ReadDocumentInput) -> DocumentReading:
            known = docs.readings.get(request.ref.sha256)
            return known if known is not None else real.read_document(request)

        return [read_document]

    return replace


@asynccontextmanager
async def journey_worker(
    client: Client,
    tmp_path: Path,
    docs: Documents,
    replace: Replacements = (),
    *,
    task_queue: str | None = None,
    cache: bool = True,  # False: no sticky cache, every workflow task replays the history
    slots: tuple[int, int] | None = None,  # (activity_slots, ocr_slots) instead of the defaults
    role: WorkerRole = "all",  # which queues the worker polls (LOAN_JOURNEY_WORKER_ROLE)
    restarting: bool = False,  # True: leave the journeys running for the next worker
) -> AsyncIterator[Settings]:
    """`worker.py`'s worker on a fresh task queue, with OCR answered from `docs` and the
    activities of `replace` (or that it makes from the worker's settings) standing in for the
    real activities their functions are named like."""
    settings = Settings(data_dir=tmp_path, task_queue=task_queue or f"tq-{uuid.uuid4()}",
                        worker_role=role)
    if not cache:
        settings = settings.model_copy(update={"workflow_cache": 0})
    if slots is not None:
        settings = settings.model_copy(update={"activity_slots": slots[0], "ocr_slots": slots[1]})

    @activity.defn(name=contracts.READ_DOCUMENT)
    def read_document(request: ReadDocumentInput) -> DocumentReading:
        if docs.gate is not None:
            docs.gate.wait(timeout=30)
        reading = docs.readings[request.ref.sha256]
        if docs.kept and request.reader_keeps:  # a read of a history from before
            record_reading(settings.db_url, request.workflow_id, reading)
        return reading

    real_keep = DocumentActivities(settings).keep_new_reading

    @activity.defn(name=contracts.KEEP_NEW_READING)
    def keep_new_reading(request: KeepReadingInput) -> KeptReading:
        """The worker's keep of what the real OCR read; a prepared reading kept only where
        `docs.kept` says, as the prepared reader kept it itself before the journey did."""
        if docs.kept or request.reading.ref.sha256 not in docs.readings:
            return real_keep(request)
        return KeptReading()

    stand_ins = list(replace(settings) if callable(replace) else replace)
    for stand_in in (read_document, keep_new_reading):
        if stand_in.__name__ not in {a.__name__ for a in stand_ins}:
            stand_ins.append(stand_in)
    async with build_worker(client, settings, activities=stand_ins):
        try:
            yield settings
        finally:
            for handle in [] if restarting else _started.pop(settings.task_queue, []):
                await terminate(handle)


@asynccontextmanager
async def running_journey(
    env: WorkflowEnvironment, tmp_path: Path, docs: Documents, app: LoanApplication,
    replace: Replacements = (),
) -> AsyncIterator[tuple[Settings, WorkflowHandle]]:
    """A `journey_worker` on `env` and the journey of `app` started on it."""
    async with journey_worker(env.client, tmp_path, docs, replace) as settings:
        yield settings, await start(env.client, settings, app)


async def terminate(handle: WorkflowHandle) -> None:
    """A journey left waiting keeps firing SLA timers on the shared time-skipping server,
    which would stop it skipping time for the next test."""
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
    """The status as operations read it (asked again after a run-ahead the worker threw
    away, which the dev server's query tasks allow), asked again when the time-skipping server
    does not answer (seen there for a query sent while a run continues as new)."""
    for _ in range(10):
        try:
            return await operations.status_of(handle, within=timedelta(seconds=5))
        except NoAnswer:
            continue
        except RPCError as err:
            if err.status is not RPCStatusCode.CANCELLED:
                raise
    raise AssertionError(f"{handle.id} did not answer its status query")


async def until_sent(db_url: str, workflow_id: str, *, template: str | None = None,
                     key: str | None = None) -> OutboxMessage:
    """The journey's first outbox message of `template` (or with `key`), once written: a
    journey queues its messages behind the act that causes them."""
    for _ in range(200):
        sent = [m for m in messages_for(db_url, workflow_id)
                if template in (None, m.template) and key in (None, m.key)]
        if sent:
            return sent[0]
        await asyncio.sleep(0.05)
    raise AssertionError(f"no message {template or key} for {workflow_id}")


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


async def asked_again(handle: WorkflowHandle, attempt: int) -> JourneyStatus:
    """The journey asking the customer at visit `attempt` to completeness."""
    for _ in range(200):
        now = await status(handle)
        if now.stage is Stage.COMPLETENESS and now.attempt == attempt and now.waiting_for:
            return now
        await asyncio.sleep(0.05)
    raise AssertionError(f"{handle.id} did not ask again")


async def accepted_updates(handle: WorkflowHandle) -> int:
    history = await handle.fetch_history()
    return sum(
        e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
        for e in history.events
    )


async def refused(handle: WorkflowHandle, update: Any, request: Any) -> str:
    """The update is refused by its validator and leaves no trace in the history of the run
    it reached: the reason. It is looked for by its id in the run current before it was
    sent and the one current after, as the journey may continue as new meanwhile (a
    post-loan run that has lasted a year does so at once; CI, 2026-12-07, counted the
    accepted updates of two runs and saw fewer)."""
    update_id = f"refused-{uuid.uuid4()}"
    runs = {(await handle.describe()).run_id}
    for _ in range(3):
        try:
            with pytest.raises(WorkflowUpdateFailedError) as err:
                await handle.execute_update(update, request, id=update_id)
            break
        except RPCError as lost:
            # the time-skipping server, loaded, once answered a refused update "update <id>
            # not found" (the fresh clone's suite, 2026-12-06): it lost it, so it is sent again
            if lost.status is not RPCStatusCode.NOT_FOUND or "update" not in lost.message:
                raise
    else:
        raise AssertionError("the server lost the update three times")
    runs.add((await handle.describe()).run_id)
    for run_id in runs:
        run = handle._client.get_workflow_handle(handle.id, run_id=run_id)
        async for e in run.fetch_history_events():
            accepted = e.workflow_execution_update_accepted_event_attributes
            assert accepted.accepted_request.meta.update_id != update_id, (
                "a refused update reached the history")
    return str(err.value.cause)


RISK_SME = Actor(id="risk-sme-1", role=Role.RISK_OFFICER)
BRANCH_APPROVER = Actor(id="appr-branch-1", role=Role.APPROVER)


# the stages a loan walks from its application to repaid in full
WALK = [
    Stage.INTAKE, Stage.DOCUMENTS, Stage.COMPLETENESS, Stage.ROUTING, Stage.RISK_REVIEW,
    Stage.APPROVAL, Stage.OFFER, Stage.DISBURSEMENT, Stage.POST_LOAN, Stage.CLOSED,
]


async def drive_to(handle: WorkflowHandle, app: LoanApplication, stage: Stage, *,
                   risk: Actor = RISK_SME, approver: Actor = BRANCH_APPROVER) -> JourneyStatus:
    """Walk a started loan (by default a small SME loan, else one that `risk` reviews and
    `approver` alone approves) to `stage`, at most post-loan, with the usual decisions on the
    way: the risk officer's approving opinion, the approver's approval, the customer's
    signature. Returns the status there."""
    usual: list[tuple[Stage, Any, Any]] = [  # where the journey waits, and what people do
        (Stage.RISK_REVIEW, LoanJourneyWorkflow.record_risk_opinion,
         RiskOpinion(actor=risk, verdict=Verdict.APPROVE, grade=RiskGrade.G3, reason="sound")),
        (Stage.APPROVAL, LoanJourneyWorkflow.decide,
         ApprovalDecision(actor=approver, verdict=Verdict.APPROVE, reason="within limit")),
        (Stage.OFFER, LoanJourneyWorkflow.sign, offer_signature(app)),
    ]
    if stage in (Stage.INTAKE, Stage.DOCUMENTS, Stage.COMPLETENESS, Stage.ROUTING):
        return await until_stage(handle, stage)  # nobody decides before risk review
    for waiting_at, update, decision in usual:
        reached = await until_stage(handle, waiting_at)
        if stage is waiting_at:
            return reached
        await handle.execute_update(update, decision)
    if stage is not Stage.POST_LOAN:
        raise ValueError(f"drive_to walks a journey up to post-loan, not to {stage}")
    return await until_stage(handle, Stage.POST_LOAN)
